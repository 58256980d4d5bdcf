"""``flaws evaluate``: EvalPlus samples in, EvalPlus-compatible eval_results.json out."""

from __future__ import annotations

import json

import pytest

from flaws.execute.cli import main, summarize
from flaws.execute.groundtruth import load_tasks


@pytest.mark.usefixtures("mirror")
def test_cli_writes_evalplus_compatible_results(tmp_path, capsys):
    tasks = {t["task_id"]: t for t in load_tasks("humaneval+")}
    t0, t2 = tasks["HumanEval/0"], tasks["HumanEval/2"]
    lines = [
        {"task_id": "HumanEval/0", "solution": t0["prompt"] + t0["canonical_solution"]},
        {"task_id": "HumanEval/0", "completion": "    return True\n"},
        {"task_id": "HumanEval/2", "completion": t2["canonical_solution"]},
        {"task_id": "HumanEval/2", "solution": "def truncate_number(x):\n    return x % 1.0 + 1e-3\n"},
        {"task_id": "HumanEval/2", "solution": "def oops(:\n"},
    ]
    sp = tmp_path / "samples.jsonl"
    sp.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    out = tmp_path / "eval_results.json"
    assert main([str(sp), "--benchmark", "humaneval+", "--out", str(out), "--workers", "2",
                 "--no-progress"]) == 0
    res = json.loads(out.read_text())
    assert set(res) == {"date", "hash", "eval"}
    ev = res["eval"]
    assert [e["base_status"] for e in ev["HumanEval/0"]] == ["pass", "fail"]
    assert [(e["base_status"], e["plus_status"]) for e in ev["HumanEval/2"]] == [
        ("pass", "pass"), ("fail", "fail"), ("fail", "fail")]
    assert ev["HumanEval/2"][2]["flaws_base_status"] == "error"
    assert ev["HumanEval/0"][1]["base_fail_tests"] == [t0["base_input"][0]] or \
        ev["HumanEval/0"][1]["base_fail_tests"][0] in t0["base_input"]
    assert ev["HumanEval/0"][0]["solution"].startswith("from typing import List")
    text = capsys.readouterr().out
    assert "conditional accuracy" in text and "false positive rate" in text
    assert len(text.splitlines()) <= 24


@pytest.mark.usefixtures("mirror")
def test_cli_rejects_bad_input(tmp_path):
    sp = tmp_path / "s.jsonl"
    sp.write_text('{"task_id": "HumanEval/0", "solution": "x"}\n{"task_id": "Nope/1", "solution": "x"}\n')
    with pytest.raises(SystemExit, match="s.jsonl: line 2: unknown task id"):
        main([str(sp), "--benchmark", "humaneval+", "--out", str(tmp_path / "o.json")])
    sp.write_text('{"task_id": "HumanEval/0"}\n')
    with pytest.raises(SystemExit, match="s.jsonl: line 1: needs a string 'solution'"):
        main([str(sp), "--benchmark", "humaneval+", "--out", str(tmp_path / "o.json")])


@pytest.mark.usefixtures("mirror")
def test_cli_names_file_and_line_for_bytes_that_are_not_utf8(tmp_path):
    sp = tmp_path / "latin1.jsonl"
    sp.write_bytes(b'{"task_id": "HumanEval/0", "solution": "x"}\n'
                   b'{"task_id": "HumanEval/0", "solution": "# \xa7 x"}\n')
    out = tmp_path / "o.json"
    with pytest.raises(SystemExit, match=r"latin1.jsonl: line 2: not UTF-8 \(byte 0xa7 at column 43\)"):
        main([str(sp), "--benchmark", "humaneval+", "--out", str(out)])
    assert not out.exists()


@pytest.mark.usefixtures("mirror")
def test_cli_accepts_a_byte_order_mark(tmp_path):
    from flaws.samples import evalplus_formats

    tasks = {t["task_id"]: t for t in load_tasks("humaneval+")}
    sp = tmp_path / "bom.jsonl"
    sp.write_bytes(b"\xef\xbb\xbf" + b'{"task_id": "HumanEval/0", "solution": "x = 1"}\n')
    [s] = evalplus_formats.read_jsonl(sp, tasks, model="m")
    assert s.task_id == "HumanEval/0" and s.raw == "x = 1"


@pytest.mark.usefixtures("mirror")
def test_cli_says_which_benchmark_the_ids_look_like(tmp_path):
    sp = tmp_path / "mbpp.jsonl"
    sp.write_text('{"task_id": "Mbpp/2", "solution": "x"}\n')
    with pytest.raises(SystemExit, match=r"line 1: unknown task id 'Mbpp/2' \(it looks like a mbpp\+ "
                                         r"task id.*--benchmark mbpp\+"):
        main([str(sp), "--benchmark", "humaneval+", "--out", str(tmp_path / "o.json")])


def test_summary_metrics():
    recs = ([{"task_id": "a", "base_status": "pass", "plus_status": "pass"}] * 1
            + [{"task_id": "a", "base_status": "pass", "plus_status": "fail"}] * 3
            + [{"task_id": "b", "base_status": "fail", "plus_status": "fail"}] * 2)
    s = summarize(recs)
    assert s["accuracy"] == pytest.approx((0.25 + 0) / 2)
    assert s["conditional_accuracy"] == pytest.approx(0.25)
    assert s["false_positive_rate"] == pytest.approx(0.75)
    assert s["tasks_with_base_pass"] == 1
