"""Self-check: every canonical solution passes, a constant program fails every task.

The exceptions are exactly the cases where EvalPlus 0.3.1 itself judges this
way, each reproduced here and explained in ``flaws.execute`` docs and the book:

* HumanEval/32 (``find_zero``): EvalPlus's special oracle ``continue``s before
  counting the input, so every sample, the canonical one included, ends as
  ``fail`` (see :mod:`flaws.execute.verdict`).
* Mbpp/255 plus: the reference (``combinations_colors``) cannot produce the
  output of its largest plus inputs within EvalPlus's 4 GiB address-space limit,
  so no program can pass them (EvalPlus: ``fail``; here ``fail`` or ``timeout``).

EvalPlus 0.3.1 also fails Mbpp/392 plus (and, on a busy machine, Mbpp/599 and
Mbpp/630) *intermittently*: its limits are wall-clock seconds, and the reference
for ``get_max_sum(10**6)`` takes 0.66 s of a 2.6 s limit.  Measured in CPU
seconds here, they pass reliably; the agreement notebook lists such cases.
* Mbpp/164 (``are_equivalent``): EvalPlus's oracle accepts any output, so even a
  constant program passes it; Mbpp/787 (not-None oracle, every plus input expects
  no match) and Mbpp/793 (no plus inputs in this pre-release): a constant
  program passes their plus tests.
"""

from __future__ import annotations

import pytest

from flaws.execute import evaluate
from flaws.execute.groundtruth import EVALPLUS_EXCEPTIONS, load_tasks

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("mirror")]

CANONICAL_FAILS = {  # task -> (base passes?, plus passes?)
    "humaneval+": {"HumanEval/32": (False, False)},
    "mbpp+": {"Mbpp/255": (True, False)},
}
CONSTANT_PASSES = {"humaneval+": set(), "mbpp+": {"Mbpp/164", "Mbpp/787", "Mbpp/793"}}


def _run(benchmark, programs):
    return {(r["task_id"], r["sample_index"]): r
            for r in evaluate(programs, benchmark, workers=2, progress=False, cache=False)}


@pytest.mark.parametrize("benchmark", ["humaneval+", "mbpp+"])
def test_canonical_solutions_pass_and_constant_fails(benchmark):
    tasks = load_tasks(benchmark)
    assert len(tasks) == {"humaneval+": 164, "mbpp+": 399}[benchmark]
    progs = [{"task_id": t["task_id"], "sample_index": 0,
              "solution": t["prompt"] + t["canonical_solution"]} for t in tasks]
    # a constant program: the entry point with any arguments, returning None
    progs += [{"task_id": t["task_id"], "sample_index": 1,
               "solution": f"def {t['entry_point']}(*args, **kwargs):\n    return None\n"}
              for t in tasks]
    res = _run(benchmark, progs)
    assert len(res) == 2 * len(tasks)
    canonical_not_pass = {tid: (r["base_status"] == "pass", r["plus_status"] == "pass")
                          for (tid, k), r in res.items()
                          if k == 0 and (r["base_status"], r["plus_status"]) != ("pass", "pass")}
    assert canonical_not_pass == CANONICAL_FAILS[benchmark]
    constant_pass = {tid for (tid, k), r in res.items()
                     if k == 1 and "pass" in (r["base_status"], r["plus_status"])}
    assert constant_pass == CONSTANT_PASSES[benchmark]
    # the documented list (shown in the book) is exactly what this test found
    assert set(EVALPLUS_EXCEPTIONS[benchmark]) == set(CANONICAL_FAILS[benchmark]) | constant_pass
    for (tid, k), r in res.items():
        if k == 1 and tid not in CONSTANT_PASSES[benchmark]:
            assert r["first_failed_base"] is not None or r["base_status"] == "error"
