"""Tests for flaws.code_quality on small programs written here (nothing is executed)."""

import hashlib

import numpy as np
import pandas as pd
import pytest

from flaws.code_quality import (
    GENERAL_MEASURES,
    RULES,
    adherence_rates,
    check_rules,
    general_measures,
    join_programs,
    label_outcomes,
    measure_programs,
    pycodestyle_findings,
    within_task_difference,
)

PROMPT = '''from typing import List


def count_big(numbers: List[int], threshold: int) -> int:
    """Count the numbers above the threshold; this docstring line is deliberately much longer than seventy-nine characters."""
'''

GOOD = '''from typing import List


def count_big(numbers: List[int], threshold: int) -> int:
    """Count the numbers above the threshold; this docstring line is deliberately much longer than seventy-nine characters."""
    count = 0
    for number in numbers:
        if threshold < number:
            count += 1
    return count
'''


def test_good_program_adheres_to_every_rule():
    res = check_rules(GOOD, PROMPT)
    assert set(res) == set(RULES)
    assert all(res.values()), res


def test_given_lines_are_not_held_against_the_model():
    # without the prompt, the long docstring line breaks the 79-character rule
    assert check_rules(GOOD)["max_line_79"] is False
    assert check_rules(GOOD, PROMPT)["max_line_79"] is True


@pytest.mark.parametrize(
    "body, rule",
    [
        ("    count = 0\n    for number in numbers:\n        if number > threshold:\n            count += 1\n    return count\n", "lt_only"),
        ("    return sum(1 for x in numbers if threshold <= x)\n", "lt_only"),  # >= is not used: passes lt_only
        ("    count = 0\n    i = 0\n    while i < len(numbers):\n        i += 1\n    return count\n", "no_while"),
        ("    return len([x for x in numbers if threshold < x])\n", "no_comprehensions"),
        ("    return sum(1 for x in numbers if threshold < x)\n", "no_comprehensions"),
        ("    bigCount = 0\n    return bigCount\n", "snake_case"),
        ("    zeta = 0\n    alpha = 1\n    return zeta + alpha\n", "alphabetical_names"),
        ("    count = 0  \n    return count\n", "indentation"),
        ("    if numbers:\n      return 1\n    return 0\n", "indentation"),
        ("    import math\n    return math.floor(threshold)\n", "imports_at_top"),
        ("    return " + " + ".join(["threshold"] * 12) + "\n", "max_line_79"),
    ],
)
def test_single_rule_violations(body, rule):
    header = GOOD.split("    count = 0")[0]
    res = check_rules(header + body, PROMPT)
    if body.startswith("    return sum(1 for x in numbers if threshold <= x)"):
        assert res["lt_only"] is True and res["no_comprehensions"] is False
        return
    assert res[rule] is False, res
    others = {k: v for k, v in res.items() if k != rule and k != "alphabetical_names"}
    assert all(others.values()), others


def test_class_and_helper_naming():
    prog = "class Helper:\n    pass\n\n\ndef helper_fn(a_b):\n    return a_b\n"
    assert check_rules(prog)["snake_case"] is True
    assert check_rules("class helper:\n    pass\n")["snake_case"] is False
    assert check_rules("def helperFn():\n    return 1\n")["snake_case"] is False
    # module-level constants in capitals are conventional
    assert check_rules("LIMIT = 3\n\n\ndef f():\n    return LIMIT\n")["snake_case"] is True


def test_given_names_are_exempt():
    prompt = "def minSubArraySum(nums):\n    pass\n"
    prog = "def minSubArraySum(nums):\n    best_sum = 0\n    return best_sum\n"
    assert check_rules(prog, prompt)["snake_case"] is True
    assert check_rules(prog)["snake_case"] is False


def test_import_after_code_at_module_level():
    prog = "def f():\n    return 1\n\n\nimport os\n"
    assert check_rules(prog)["imports_at_top"] is False
    assert check_rules('"""doc"""\nimport os\n\n\ndef f():\n    return os.sep\n')["imports_at_top"] is True


def test_unparseable_program():
    res = check_rules("def f(:\n    return 1\n")
    assert res["max_line_79"] is True
    assert all(res[r] is None for r in RULES if r != "max_line_79")
    g = general_measures("def f(:\n    return 1\n")
    assert g["function_30"] is None and g["snake_case"] is None


def test_general_measures_by_hand():
    long_fn = "def f(x):\n" + "".join(f"    x = x + {i}  # step\n" for i in range(30)) + "    return x\n"
    g = general_measures(long_fn)
    assert set(g) == set(GENERAL_MEASURES)
    assert g["max_function_lines"] == 32.0 and g["function_30"] is False
    assert g["comment_density"] == pytest.approx(30 / 32)
    assert g["max_line_70"] is True
    g2 = general_measures("def f():\n    return '" + "x" * 70 + "'\n")
    assert g2["max_line_70"] is False and g2["function_30"] is True and g2["comment_density"] == 0


def test_pycodestyle_findings_counts_codes():
    found = pycodestyle_findings("def f( x ):\n    y=1\n    return x\n")
    assert found.get("E201") == 1 and found.get("E202") == 1 and found.get("E225") == 1
    assert pycodestyle_findings("def f(x):\n    return x\n") == {}
    g = general_measures("def f( x ):\n    y=1\n    return x\n")
    assert g["pycodestyle_per_line"] == pytest.approx(3 / 3)


def _sha(t):
    return hashlib.sha256(t.encode()).hexdigest()


def _outcomes(rows):
    cols = ["source_id", "model", "prompt_style", "task_id", "sample_index", "solution_sha256", "base_status", "plus_status"]
    return pd.DataFrame(rows, columns=cols)


def test_join_programs_checks_hashes():
    samples = pd.DataFrame(
        {"source_id": ["s", "s"], "model": ["m", "m"], "prompt_style": ["rule", "rule"], "task_id": ["T/0", "T/0"],
         "sample_index": [0, 1], "solution": ["a = 1\n", "b = 2\n"]}
    )
    out = _outcomes([("s", "m", "rule", "T/0", 1, _sha("b = 2\n"), "pass", "fail"), ("s", "m", "rule", "T/0", 0, _sha("a = 1\n"), "pass", "pass")])
    joined = join_programs(out, samples)
    assert list(joined["solution"]) == ["b = 2\n", "a = 1\n"]
    bad = out.copy()
    bad.loc[0, "solution_sha256"] = _sha("other")
    with pytest.raises(ValueError, match="solution_sha256 mismatch.*sample_index=1"):
        join_programs(bad, samples)
    missing = _outcomes([("s", "m", "rule", "T/9", 0, _sha("x"), "pass", "pass")])
    with pytest.raises(ValueError, match="no program text.*task_id=T/9"):
        join_programs(missing, samples)


def _features(rows):
    """rows: (model, task, base, plus, adheres)."""
    df = pd.DataFrame(rows, columns=["model", "task_id", "base_status", "plus_status", "lt_only"])
    return label_outcomes(df)


def test_label_outcomes():
    f = _features([("m", "T/0", "pass", "pass", True), ("m", "T/0", "pass", "fail", True), ("m", "T/0", "fail", "pass", True)])
    assert list(f["correct"]) == [True, False, False]
    assert list(f["false_positive"]) == [False, True, False]
    assert list(f["passes_base"]) == [True, True, False]


def test_adherence_rates_by_hand():
    f = _features(
        [
            ("m", "T/0", "pass", "pass", True),
            ("m", "T/0", "pass", "pass", False),
            ("m", "T/0", "pass", "fail", False),
            ("m", "T/1", "pass", "pass", True),
            ("m", "T/1", "pass", "fail", True),
            ("m", "T/1", "fail", "fail", False),
            ("m", "T/2", "pass", "fail", None),  # unparseable: left out
        ]
    )
    r = adherence_rates(f, ["lt_only"], seed=3, n_resamples=500).set_index("condition")
    assert r.loc["correct", "rate"] == pytest.approx(2 / 3) and r.loc["correct", "n"] == 3
    assert r.loc["false_positive", "rate"] == pytest.approx(1 / 2) and r.loc["false_positive", "n"] == 2
    assert r.loc["passes_base", "rate"] == pytest.approx(3 / 5) and r.loc["passes_base", "n_tasks"] == 2
    assert (r["low"] <= r["rate"]).all() and (r["rate"] <= r["high"]).all()
    again = adherence_rates(f, ["lt_only"], seed=3, n_resamples=500).set_index("condition")
    assert again.equals(r)


def test_within_task_difference_by_hand():
    f = _features(
        [
            # T/0: FP adherence 0, correct 1 -> d = -1
            ("m", "T/0", "pass", "fail", False),
            ("m", "T/0", "pass", "pass", True),
            # T/1: FP 1, correct mean 0.5 -> d = +0.5
            ("m", "T/1", "pass", "fail", True),
            ("m", "T/1", "pass", "pass", True),
            ("m", "T/1", "pass", "pass", False),
            # T/2: only correct samples -> not a within-task pair
            ("m", "T/2", "pass", "pass", True),
            ("m", "T/2", "pass", "pass", True),
        ]
    )
    w = within_task_difference(f, ["lt_only"], seed=1, n_resamples=1000, min_tasks=2).iloc[0]
    assert w["n_tasks"] == 2 and w["status"] == "tested"
    assert w["mean_difference"] == pytest.approx(-0.25)
    assert w["low"] >= -1 and w["high"] <= 0.5 and w["low"] < w["mean_difference"] < w["high"]
    # pooled: FP mean 0.5, correct mean 4/5
    assert w["pooled_difference"] == pytest.approx(0.5 - 0.8)
    assert 0 <= w["p_two_sided"] <= 1


def test_within_task_no_pairs():
    f = _features([("m", "T/0", "pass", "pass", True), ("m", "T/1", "pass", "fail", False)])
    w = within_task_difference(f, ["lt_only"]).iloc[0]
    assert w["n_tasks"] == 0 and np.isnan(w["mean_difference"])


def test_measure_programs_uses_prompts():
    table = pd.DataFrame({"model": ["m", "m"], "task_id": ["T/0", "T/0"], "solution": [GOOD, GOOD.replace("threshold < number", "number > threshold")]})
    res = measure_programs(table, {"T/0": PROMPT}, kind="rules", progress=False)
    assert "solution" not in res.columns
    assert list(res["lt_only"]) == [True, False]
    assert list(res["max_line_79"]) == [True, True]
    gen = measure_programs(table, {"T/0": PROMPT}, kind="general", progress=False)
    assert list(gen.columns[-len(GENERAL_MEASURES):]) == list(GENERAL_MEASURES)
    with pytest.raises(ValueError):
        measure_programs(table, kind="other")


def _pairs(diff_signs, model="m"):
    """One task per entry: a false positive adhering (1) or not (0) and a correct sample
    adhering or not, so that d_t = fp - correct is -1, 0 or +1."""
    rows = []
    for t, (fp, ok) in enumerate(diff_signs):
        rows += [(model, f"T/{t}", "pass", "fail", bool(fp)), (model, f"T/{t}", "pass", "pass", bool(ok))]
    return rows


def test_within_task_marks_too_few_tasks_and_no_variation():
    few = within_task_difference(_features(_pairs([(0, 1)] * 9)), ["lt_only"]).iloc[0]
    assert few["status"] == "too few tasks" and few["n_tasks"] == 9
    assert few["mean_difference"] == -1 and np.isnan(few["low"]) and np.isnan(few["p_two_sided"])
    flat = within_task_difference(_features(_pairs([(1, 1)] * 12)), ["lt_only"]).iloc[0]
    assert flat["status"] == "no variation" and np.isnan(flat["p_two_sided"])
    ok = within_task_difference(_features(_pairs([(0, 1)] * 8 + [(1, 1)] * 4)), ["lt_only"]).iloc[0]
    assert ok["status"] == "tested" and ok["high"] < 0 and ok["p_two_sided"] < 0.05


def test_holm_family_summary_and_verdict():
    from flaws.code_quality import difference_table, family_summary, holm_family

    rows = (_pairs([(0, 1)] * 10 + [(1, 1)] * 2, model="a")       # clearly lower: significant
            + _pairs([(0, 1), (1, 0)] * 6, model="b")               # mean 0: not significant
            + _pairs([(0, 1)] * 3, model="c"))                      # too few tasks
    w = holm_family(within_task_difference(_features(rows), ["lt_only"], seed=0, n_resamples=999))
    by = w.set_index("model")
    assert np.isnan(by.loc["c", "p_holm"])
    # two tests in the family: the smaller p is doubled by Holm
    assert by.loc["a", "p_holm"] == pytest.approx(min(1, 2 * by.loc["a", "p_two_sided"]))
    s = family_summary(w)
    assert (s["n_cells"], s["n_tests"], s["n_too_few"], s["n_claimed"], s["n_opposite"]) == (3, 2, 1, 1, 0)
    assert s["verdict"] == "reproduced"  # 1 of 2 tests (the majority threshold is one half)
    assert family_summary(w, claimed_sign=1)["verdict"] == "not reproduced"
    table = difference_table(w)
    assert list(table.columns) == ["a", "b", "c"] and list(table.index) == ["lt only"]
    assert table.loc["lt only", "c"] == "too few tasks (3)"
    assert "Holm p" in table.loc["lt only", "a"] and "[" in table.loc["lt only", "a"]


def test_within_task_difference_clusters_shared_tasks():
    # two models on the same 10 tasks, identical differences: pooling them as 20 independent
    # model-task units would halve the variance; clustering by task keeps 10 units
    rows = _pairs([(0, 1)] * 6 + [(1, 0)] * 4, model="a") + _pairs([(0, 1)] * 6 + [(1, 0)] * 4, model="b")
    f = _features(rows)
    f = f.assign(task=f["task_id"], task_id=f["model"] + " | " + f["task_id"], models="all")
    naive = within_task_difference(f, ["lt_only"], by=("models",), seed=0, n_resamples=2000).iloc[0]
    clustered = within_task_difference(f, ["lt_only"], by=("models",), seed=0, n_resamples=2000,
                                       cluster="task").iloc[0]
    assert naive["n_tasks"] == clustered["n_tasks"] == 20 and clustered["n_clusters"] == 10
    assert naive["mean_difference"] == clustered["mean_difference"] == pytest.approx(-0.2)
    assert clustered["high"] - clustered["low"] > naive["high"] - naive["low"]
    # too few clusters: 9 tasks shared by two models are 9 units, not 18
    few = _features(_pairs([(0, 1)] * 9, "a") + _pairs([(0, 1)] * 9, "b"))
    few = few.assign(task=few["task_id"], task_id=few["model"] + " | " + few["task_id"], models="all")
    assert within_task_difference(few, ["lt_only"], by=("models",), cluster="task").iloc[0]["status"] == "too few tasks"


def test_rule_and_base_prompt_sets_keep_base_passes_with_their_programs():
    from flaws.code_quality import RULE_SOURCE, base_prompt_set, outcome_counts, rule_prompt_set

    texts = {i: f"x = {i}\n" for i in range(8)}
    samples = pd.DataFrame({"source_id": [RULE_SOURCE] * 4 + ["other"] * 4, "model": ["m"] * 8,
                            "prompt_style": ["rule", "rule", "rule", "base", "base", "base", "base", "rule"],
                            "task_id": ["T/0"] * 8, "sample_index": list(range(8)), "solution": list(texts.values())})
    status = [("pass", "pass"), ("pass", "fail"), ("fail", "fail"), ("pass", "pass"), ("pass", "fail"),
              ("pass", "pass"), ("fail", "pass"), ("pass", "pass")]
    out = _outcomes([(s, "m", p, "T/0", i, _sha(texts[i]), b, q)
                     for (s, p, i), (b, q) in zip(zip(samples.source_id, samples.prompt_style, range(8)), status)])
    rules = rule_prompt_set(out, samples)
    assert list(rules["sample_index"]) == [0, 1]  # the rule source only (not sample 7), base passes only
    assert list(rules["solution"]) == ["x = 0\n", "x = 1\n"] and list(rules["false_positive"]) == [False, True]
    base = base_prompt_set(out, samples, max_per_task=2)
    assert list(base["sample_index"]) == [3, 4]  # every source, base passes, the lowest two indices
    counts = outcome_counts(rules)
    assert counts.loc["m"].tolist() == [1, 1, 2]
    assert list(counts.columns) == ["false positives", "correct", "base passes"]


def test_pool_models_makes_one_unit_per_model_task_and_keeps_the_cluster():
    from flaws.code_quality import pool_models

    f = _features([("a", "T/0", "pass", "fail", True), ("b", "T/0", "pass", "pass", False)])
    pooled = pool_models(f, "models", "all")
    assert list(pooled["task_id"]) == ["a | T/0", "b | T/0"] and list(pooled["task"]) == ["T/0", "T/0"]
    assert set(pooled["models"]) == {"all"} and list(f["task_id"]) == ["T/0", "T/0"]  # input unchanged


def test_significant_cells_names_only_what_survives_holm():
    from flaws.code_quality import significant_cells

    within = pd.DataFrame({"measure": ["lt_only", "no_while"], "model": ["a", "b"], "mean_difference": [-0.2, 0.1],
                           "low": [-0.3, 0.0], "high": [-0.1, 0.2], "p_holm": [0.0004, 0.2]})
    assert significant_cells(within) == "lt only, a: -0.200 [-0.300, -0.100], Holm p < 0.001"
    assert significant_cells(within.assign(p_holm=0.5)) == "none"
