"""Agreement with ``evalplus`` 0.3.1 on a fixed subset of real samples.

Real samples (every mirrored source, a deterministic hash-chosen subset of a
few hundred) are judged by our executor and by EvalPlus's own
``check_correctness`` (its ``evaluate`` machinery, with its ground truth from
``get_groundtruth`` on the same HumanEval+ file via ``HUMANEVAL_OVERRIDE_PATH``)
in a separate process.  Base and plus verdicts must agree on pass versus
not-pass; EvalPlus's wall-clock limits may flip a borderline sample on a loaded
machine, so a small tolerance is allowed and every disagreement is printed.
"""

from __future__ import annotations

import pytest

from flaws.execute import evaluate
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
    for r in evaluate(samples, "humaneval+", workers=2, progress=False):
        ours[(r["source_id"], r["model"], r["prompt_style"], r["task_id"], r["sample_index"])] = r

    theirs = evalplus_verdicts(samples, workers=2)
    ordered = [ours[(s["source_id"], s["model"], s["prompt_style"], s["task_id"], s["sample_index"])]
               for s in samples]
    disagree = compare(ordered, theirs)
    n_pass = sum(t[0] == "pass" for t in theirs)
    assert n_pass > 20, "subset should contain passing samples"
    assert len(disagree) <= max(1, len(samples) // 100), disagree
