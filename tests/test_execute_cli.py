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


def test_summary_metrics():
    recs = ([{"task_id": "a", "base_status": "pass", "plus_status": "pass"}] * 1
            + [{"task_id": "a", "base_status": "pass", "plus_status": "fail"}] * 3
            + [{"task_id": "b", "base_status": "fail", "plus_status": "fail"}] * 2)
    s = summarize(recs)
    assert s["accuracy"] == pytest.approx((0.25 + 0) / 2)
    assert s["conditional_accuracy"] == pytest.approx(0.25)
    assert s["false_positive_rate"] == pytest.approx(0.75)
    assert s["tasks_with_base_pass"] == 1
