"""Verdict semantics: our trusted judge agrees with EvalPlus 0.3.1 on constructed cases.

Each case is a tiny program written by this test (trusted), judged both by
``evalplus.eval.untrusted_check`` (EvalPlus's own comparison, which runs in its
own forked process) and by :func:`flaws.execute.judge_programs` (sandboxed,
comparison in the trusted worker).  Floats, the 1e-6 default, ``atol``, its
persistence across inputs, type and length checks, NaN, NumPy scalars, and the
special oracles (MBPP set-equality, not-None, ``sum_div``, ``are_equivalent``,
``surface_Area``, ``digit_distance_nums``; HumanEval ``find_zero``).
"""

from __future__ import annotations

import math

import pytest

from flaws.execute import judge_programs
from flaws.execute.verdict import Judge, is_floats, type_name

# (name, dataset, entry_point, atol, inputs, expected, program)
CASES = [
    ("float_exact", "humaneval", "f", 0, [[1]], [0.5], "def f(x): return 0.5"),
    ("float_within_1e-6", "humaneval", "f", 0, [[1]], [0.5], "def f(x): return 0.5 + 5e-7"),
    ("float_beyond_1e-6", "humaneval", "f", 0, [[1]], [0.5], "def f(x): return 0.5 + 5e-6"),
    ("float_list_close", "humaneval", "f", 0, [[1]], [[0.1, 0.2]],
     "def f(x): return [0.1 + 1e-7, 0.2]"),
    ("float_list_as_tuple", "humaneval", "f", 0, [[1]], [[0.1, 0.2]],
     "def f(x): return (0.1 + 1e-7, 0.2)"),
    ("float_list_short", "humaneval", "f", 0, [[1]], [[0.1, 0.2]], "def f(x): return [0.1]"),
    ("nested_float_not_is_floats", "humaneval", "f", 0, [[1]], [[[0.1], [0.2]]],
     "def f(x): return [[0.1 + 1e-9], [0.2]]"),
    ("int_for_float", "humaneval", "f", 0, [[1]], [2.0], "def f(x): return 2"),
    ("int_near_float_type_mismatch", "humaneval", "f", 0, [[1]], [2.0000001], "def f(x): return 2"),
    ("bool_for_int", "humaneval", "f", 0, [[1]], [1], "def f(x): return True"),
    ("atol_1e-4_int", "humaneval", "f", 1e-4, [[1]], [10], "def f(x): return 10.00001"),
    ("atol_1e-4_float", "humaneval", "f", 1e-4, [[1]], [1.5], "def f(x): return 1.50005"),
    ("atol_persists_after_float", "humaneval", "f", 0, [[0], [1]], [0.5, 10**8],
     "def f(x): return 0.5 if x == 0 else 10**8 + 1"),
    ("atol_not_yet_switched", "humaneval", "f", 0, [[1], [0]], [10**8, 0.5],
     "def f(x): return 0.5 if x == 0 else 10**8 + 1"),
    ("string_after_float_switch", "humaneval", "f", 0, [[0], [1]], [0.5, "ab"],
     "def f(x): return 0.5 if x == 0 else 'ba'"),
    ("nan_vs_nan", "humaneval", "f", 0, [[1]], [float("nan")], "def f(x): return float('nan')"),
    ("numpy_float_exact", "humaneval", "f", 0, [[1]], [0.5],
     "import numpy as np\ndef f(x): return np.float64(0.5)"),
    ("numpy_float_close", "humaneval", "f", 0, [[1]], [0.5],
     "import numpy as np\ndef f(x): return np.float64(0.5 + 1e-9)"),
    ("numpy_int_exact", "humaneval", "f", 0, [[1]], [3],
     "import numpy as np\ndef f(x): return np.int64(3)"),
    ("dict_equal", "humaneval", "f", 0, [[1]], [{"a": 1, (1, 2): [3]}],
     "def f(x): return {(1, 2): [3], 'a': 1}"),
    ("tuple_vs_list", "humaneval", "f", 0, [[1]], [[1, 2]], "def f(x): return (1, 2)"),
    ("exception", "humaneval", "f", 0, [[1], [2]], [1, 2], "def f(x):\n    assert x == 1\n    return x"),
    ("second_input_fails", "humaneval", "f", 0, [[1], [2], [3]], [1, 2, 3],
     "def f(x): return x if x != 2 else 0"),
    ("set_eq_task", "mbpp", "similar_elements", 0, [[(1, 2), (2, 1)]], [(1, 2)],
     "def similar_elements(a, b): return [2, 1, 1]"),
    ("set_eq_task_wrong", "mbpp", "similar_elements", 0, [[(1, 2), (2, 1)]], [(1, 2)],
     "def similar_elements(a, b): return [2]"),
    ("not_none_match", "mbpp", "text_match_three", 0, [["abbb"], ["x"]], [True, False],
     "import re\ndef text_match_three(t): return re.search('ab{3}', t)"),
    ("not_none_wrong", "mbpp", "text_match_three", 0, [["abbb"]], [True],
     "def text_match_three(t): return None"),
    ("not_none_bool", "mbpp", "text_match_three", 0, [["abbb"]], [True],
     "def text_match_three(t): return True"),
    ("sum_div_zero", "mbpp", "sum_div", 0, [[12]], [16], "def sum_div(n): return 0"),
    ("are_equivalent_anything", "mbpp", "are_equivalent", 0, [[1, 2]], [True],
     "def are_equivalent(a, b): return 'whatever'"),
    ("surface_area_oracle", "mbpp", "surface_Area", 0, [[3, 4]], [33],
     "import math\ndef surface_Area(b, s): return round(b*b + 2*b*math.sqrt((b/2)**2 + s*s))"),
    ("digit_distance_oracle", "mbpp", "digit_distance_nums", 0, [[123, 7]], [99],
     "def digit_distance_nums(a, b): return 1 + 2 + 4"),
    ("find_zero_quirk", "humaneval", "find_zero", 1e-6, [[[-6, 11, -6, 1]]], [1.0],
     "def find_zero(xs): return 1.0"),
    ("find_zero_wrong", "humaneval", "find_zero", 1e-6, [[[-6, 11, -6, 1]]], [1.0],
     "def find_zero(xs): return 0.0"),
    ("large_int", "humaneval", "f", 0, [[1]], [7 ** 100], "def f(x): return 7 ** 100"),
    # annotations are evaluated at def time (no `from __future__ import annotations` in the
    # sample): an unimported name in one is a NameError, as under EvalPlus, whatever the
    # executor's own modules import from __future__ (AgentCoder HumanEval/114 #0 did this)
    ("annotation_names_unimported_module", "humaneval", "f", 0, [[1]], [1],
     "def f(x: np.ndarray) -> int:\n    return 1"),
    ("bytes_and_complex", "humaneval", "f", 0, [[1]], [(b"ab", 1 + 2j, frozenset({1}))],
     "def f(x): return (b'ab', complex(1, 2), frozenset([1]))"),
    # EvalPlus's process has pandas loaded already, so this import succeeds under its guard
    ("imports_pandas_at_load", "humaneval", "f", 0, [[1]], [2],
     "def f(x): return x + 1\nimport pandas as pd"),
]


def _evalplus_status(dataset, entry_point, atol, inputs, expected, program):
    import evalplus.evaluate  # noqa: F401 - the modules an evalplus.evaluate process has loaded
    from evalplus.eval import untrusted_check

    stat, _details = untrusted_check(dataset, program, inputs, entry_point, expected=expected,
                                     atol=atol, ref_time=[0.0] * len(inputs), fast_check=True)
    return stat


@pytest.fixture(scope="module")
def ours():
    out = {}
    for dataset in ("humaneval", "mbpp"):
        cases = [c for c in CASES if c[1] == dataset]
        tasks = [{"task_id": name, "entry_point": ep, "atol": atol, "base_input": inputs,
                  "plus_input": [], "base_expected": exp, "plus_expected": [],
                  "not_none": ep in ("text_match_three", "check_str", "text_starta_endb")}
                 for name, _ds, ep, atol, inputs, exp, _p in cases]
        progs = [{"task_id": c[0], "solution": c[6]} for c in cases]
        for c, r in zip(cases, judge_programs(tasks, progs, dataset=dataset, workers=2)):
            out[c[0]] = r["base"]
    return out


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_agrees_with_evalplus(ours, case):
    name, dataset, ep, atol, inputs, expected, program = case
    theirs = _evalplus_status(dataset, ep, atol, inputs, expected, program)
    mine = ours[name]["status"]
    assert (mine == "pass") == (theirs == "pass"), (name, mine, theirs)


def test_cases_cover_both_outcomes(ours):
    statuses = {r["status"] for r in ours.values()}
    assert {"pass", "fail"} <= statuses


def test_known_outcomes(ours):
    # pin a few verdicts so that agreeing with a broken EvalPlus install cannot hide a regression
    assert ours["float_within_1e-6"]["status"] == "pass"
    assert ours["float_beyond_1e-6"]["status"] == "fail"
    assert ours["atol_persists_after_float"]["status"] == "pass"
    assert ours["atol_not_yet_switched"]["status"] == "fail"
    assert ours["find_zero_quirk"]["status"] == "fail"
    assert ours["second_input_fails"]["first_failed"] == 1
    assert ours["set_eq_task"]["status"] == "pass"
    assert ours["not_none_match"]["status"] == "pass"
    assert ours["imports_pandas_at_load"]["status"] == "pass"


def test_find_zero_without_quirk():
    j = Judge("humaneval", "find_zero", 1e-6, find_zero_quirk=False)
    assert j.check([[-6, 11, -6, 1]], 1.0, "builtins.float", 1.0, "builtins.float") == "ok"
    j = Judge("humaneval", "find_zero", 1e-6, find_zero_quirk=True)
    assert j.check([[-6, 11, -6, 1]], 1.0, "builtins.float", 1.0, "builtins.float") == "uncounted"


def test_is_floats_matches_evalplus():
    import evalplus.eval as ev

    for x in [1.0, [1.0, 2.0], (1.0,), [], [1, 2.0], "a", [[1.0]], math.inf]:
        assert is_floats(x) == ev.is_floats(x)


def test_type_name():
    assert type_name(1.0) == "builtins.float"
    assert type_name(1.0, "numpy.float64") == "numpy.float64"


def test_shortcut_for_identical_outputs():
    # byte-identical outputs skip decoding only where no special oracle applies
    assert Judge("humaneval", "f", 0).shortcut_allowed
    assert not Judge("humaneval", "find_zero", 1e-6).shortcut_allowed
    for ep in ("are_equivalent", "sum_div", "surface_Area", "digit_distance_nums",
               "similar_elements", "text_match_three"):
        assert not Judge("mbpp", ep, 0).shortcut_allowed, ep
    assert Judge("mbpp", "max_Abs_Diff", 0).shortcut_allowed
    j = Judge("humaneval", "f", 0)
    assert j.identical(0.5) == "ok" and j.atol == 1e-6  # the atol switch still happens
    j = Judge("humaneval", "f", 0)
    assert j.identical([1, 2]) == "ok" and j.atol == 0
