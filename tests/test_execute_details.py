"""Per-input results (``details``): every failing plus input, not only the first."""

import pytest

from flaws.execute import judge_programs

INPUTS = [[0], [1], [2], [3], [4]]
TASK = {"task_id": "t/0", "entry_point": "f", "base_input": [[0]], "base_expected": [0],
        "plus_input": INPUTS, "plus_expected": [x[0] for x in INPUTS],
        "plus_time": [0.001] * len(INPUTS)}

WRONG_1_3 = "def f(x):\n    return x + 1 if x in (1, 3) else x\n"
RAISES_1_WRONG_3 = ("def f(x):\n    if x == 1:\n        raise ValueError(x)\n"
                    "    return -1 if x == 3 else x\n")
LOOPS_2 = "def f(x):\n    while x == 2:\n        pass\n    return x\n"
EXITS_0_4 = ("import sys\ndef f(x):\n    if x in (0, 4):\n        sys.exit(1)\n    return x\n")
HARD_EXIT_2 = "import os\ndef f(x):\n    if x == 2:\n        os._exit(1)\n    return x\n"
CORRECT = "def f(x):\n    return x\n"
BROKEN = "def f(x):\n    return (\n"
PROGRAMS = [WRONG_1_3, RAISES_1_WRONG_3, LOOPS_2, EXITS_0_4, HARD_EXIT_2, CORRECT, BROKEN]


@pytest.fixture(scope="module")
def both():
    progs = [{"task_id": "t/0", "solution": s} for s in PROGRAMS]
    opts = {"min_time_limit": 0.3}
    return (judge_programs([TASK], progs, options=opts),
            judge_programs([TASK], progs, options=opts, details=True))


def test_every_failing_input_is_listed(both):
    _default, details = both
    assert [d["plus"]["failed"] for d in details] == [[1, 3], [1, 3], [2], [0, 4], [2], [],
                                                      [0, 1, 2, 3, 4]]
    assert all(d["plus"]["reached"] == 5 for d in details)


def test_verdicts_and_first_failed_are_the_default_ones(both):
    default, details = both
    for a, b in zip(default, details):
        for which in ("base", "plus"):
            assert a[which]["status"] == b[which]["status"]
            assert a[which]["first_failed"] == b[which]["first_failed"]
            assert "failed" not in a[which]
    assert [d["plus"]["status"] for d in default] == ["fail", "fail", "timeout", "fail", "fail",
                                                      "pass", "error"]


def test_budget_leaves_later_inputs_unknown():
    slow = "def f(x):\n    while x >= 1:\n        pass\n    return x\n"
    task = {**TASK, "plus_input": [[x] for x in range(10)], "plus_expected": list(range(10)),
            "plus_time": [0.001] * 10}
    (res,) = judge_programs([task], [{"task_id": "t/0", "solution": slow}],
                            options={"min_time_limit": 0.3}, details=True, details_time_cap=1.0)
    # every input from 1 on times out (0.3 CPU s each); a budget of 1 CPU s runs out after
    # a few of them: those judged are failed, the rest unknown
    plus = res["plus"]
    assert plus["status"] == "timeout" and plus["first_failed"] == 1
    assert 2 <= plus["reached"] < 10 and plus["failed"] == list(range(1, plus["reached"]))
