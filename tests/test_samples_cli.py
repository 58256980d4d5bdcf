"""``flaws samples export`` / ``import`` end to end (import on tiny files; export on the cache)."""

import json

import pytest

from flaws.samples import cli


def test_import_eval_results_directory(tmp_path, capsys, mirror):
    src = tmp_path / "humaneval" / "tiny-model"
    src.mkdir(parents=True)
    doc = {"eval": {"HumanEval/0": [
        {"task_id": "HumanEval/0", "solution": "def has_close_elements(numbers, threshold):\n    return False\n",
         "base_status": "fail", "plus_status": "fail"},
        {"task_id": "HumanEval/0", "solution": "    return True\n", "base_status": "fail", "plus_status": "fail"}]}}
    (src / "eval_results.json").write_text(json.dumps(doc))
    out = tmp_path / "out.jsonl"
    assert cli.main(["import", str(tmp_path / "humaneval"), "--out", str(out), "--temperature", "0.8"]) == 0
    recs = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["model"], r["task_id"], r["sample_index"], r["temperature"]) for r in recs] == [
        ("tiny-model", "HumanEval/0", 0, 0.8), ("tiny-model", "HumanEval/0", 1, 0.8)]
    # the bare body got the HumanEval+ prompt in front of it
    assert "def has_close_elements" in recs[1]["solution"] and recs[1]["solution"].endswith("    return True\n")
    assert "tiny-model [base]: 2 samples" in capsys.readouterr().out


def test_import_reports_bad_input(tmp_path, capsys, mirror):
    bad = tmp_path / "s.jsonl"
    bad.write_text('{"task_id": "HumanEval/0"}\n')
    assert cli.main(["import", str(bad), "--out", str(tmp_path / "o.jsonl")]) == 2
    assert "s.jsonl: line 1: needs a string 'solution' or 'completion'" in capsys.readouterr().err


@pytest.mark.slow
def test_export_one_set_in_evalplus_format(tmp_path, mirror):
    out = tmp_path / "gpt4.jsonl"
    assert cli.main(["export", "--source", "humaneval-results-md", "--model", "GPT-4", "--out", str(out),
                     "--evalplus-only"]) == 0
    recs = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(recs) == 1640 and all(sorted(r) == ["solution", "task_id"] for r in recs)
    assert cli.main(["export", "--source", "humaneval-results-md", "--model", "nobody", "--out", str(out)]) == 2
