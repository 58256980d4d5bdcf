"""Agreement with ``evalplus`` 0.3.1 on a fixed subset of real samples.

Real samples (every mirrored source, a deterministic hash-chosen subset of a
few hundred) are judged by our executor and by the ``evalplus.evaluate``
command (its ground truth computed by EvalPlus from the same HumanEval+ file
via ``HUMANEVAL_OVERRIDE_PATH``) in a separate process.  Base and plus verdicts
must agree on pass versus not-pass; EvalPlus's wall-clock limits may flip a borderline sample on a loaded
machine, so a small tolerance is allowed and every disagreement is printed.
"""

from __future__ import annotations

import pytest

from flaws.execute import agreement, evaluate
from flaws.execute.agreement import compare, evalplus_verdicts, fixed_subset

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("mirror")]

N_TARGET = 300


def _subset():
    from flaws.samples import load_all

    df = load_all(progress=False)
    return fixed_subset(df[df["benchmark"] == "humaneval+"], N_TARGET).to_dict("records")


def test_agrees_with_evalplus():
    samples = _subset()
    assert 200 <= len(samples) <= 450
    ours = {(s["source_id"], s["model"], s["prompt_style"], s["task_id"], s["sample_index"]): r
            for s, r in zip(samples, [None] * len(samples))}
    for r in evaluate(samples, "humaneval+", workers=2, progress=False, cache=False):
        ours[(r["source_id"], r["model"], r["prompt_style"], r["task_id"], r["sample_index"])] = r

    theirs = evalplus_verdicts(samples, workers=2)
    ordered = [ours[(s["source_id"], s["model"], s["prompt_style"], s["task_id"], s["sample_index"])]
               for s in samples]
    disagree = compare(ordered, theirs)
    n_pass = sum(t[0] == "pass" for t in theirs)
    assert n_pass > 20, "subset should contain passing samples"
    assert len(disagree) <= max(1, len(samples) // 100), disagree


def test_evalplus_evaluate_command_with_missing_tasks():
    """The real command on two samples: fillers stand in for the other 162 tasks."""
    from flaws.execute.groundtruth import load_tasks

    tasks = {t["task_id"]: t for t in load_tasks("humaneval+")}
    t0 = tasks["HumanEval/0"]
    samples = [{"task_id": "HumanEval/0", "solution": t0["prompt"] + t0["canonical_solution"]},
               {"task_id": "HumanEval/2", "solution": "def truncate_number(x):\n    return 0.0\n"},
               {"task_id": "HumanEval/0", "solution": "def has_close_elements(a, b):\n    return True\n"}]
    verdicts, seconds = agreement.run_evalplus_evaluate(samples, workers=2)
    assert verdicts == [("pass", "pass"), ("fail", "fail"), ("fail", "fail")]
    assert seconds > 0


def test_near_limit_and_its_explanation():
    slow = ("import time\n"
            "def has_close_elements(numbers, threshold):\n"
            "    end = time.process_time() + (0.6 if len(numbers) == 6 else 0)\n"
            "    while time.process_time() < end:\n"
            "        pass\n"
            "    return any(abs(a - b) < threshold for i, a in enumerate(numbers)\n"
            "               for b in numbers[i + 1:])\n")
    share = agreement.near_limit(slow, "HumanEval/0", "base")
    assert 0.5 <= share < 1.0
    row = {"task_id": "HumanEval/0", "base_status": "pass", "plus_status": "pass",
           "evalplus_base": "fail", "evalplus_plus": "pass",
           "evalplus_base_rerun": "fail", "evalplus_plus_rerun": "pass"}
    assert "needs at least half" in agreement.explain(row, slow)


def test_evalplus_evaluate_command_on_mbpp_plus():
    """MBPP+ through ``MBPP_OVERRIDE_PATH``: EvalPlus reads our 399-task pre-release itself
    (its first run computes and caches the ground truth: minutes)."""
    from flaws.execute.groundtruth import load_tasks

    tasks = {t["task_id"]: t for t in load_tasks("mbpp+")}
    t2, t3 = tasks["Mbpp/2"], tasks["Mbpp/3"]
    samples = [{"task_id": "Mbpp/2", "solution": t2["prompt"] + t2["canonical_solution"]},
               {"task_id": "Mbpp/3", "solution": f"def {t3['entry_point']}(*a):\n    return True\n"}]
    verdicts, _ = agreement.run_evalplus_evaluate(samples, workers=1, benchmark="mbpp+")
    assert verdicts == [("pass", "pass"), ("fail", "fail")]


def test_unimported_annotation_names():
    f = agreement.unimported_annotation_names
    assert f("def f(x: List[int]) -> int:\n    return 0\n") == ["List"]
    assert f("from typing import List\ndef f(x: List[int]) -> Optional[int]:\n    pass\n") == ["Optional"]
    assert f("def f(x: list[int], *a: int) -> dict:\n    pass\n") == []
    assert f("def (:") == []
    row = {"base_status": "pass", "plus_status": "pass", "evalplus_base": "fail", "evalplus_plus": "fail"}
    assert "annotates with List" in agreement.explain(row, "def f(x: List[int]):\n    return 1\n")
