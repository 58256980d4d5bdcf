"""Tests for flaws.two_type: the paper's printed values, hand-computed cases, brute force."""

import itertools

import numpy as np
import pandas as pd
import pytest

from flaws.two_type import (
    HEATMAP_COST_RATIOS,
    TwoTypeModel,
    beliefs,
    estimate_all,
    estimate_parameters,
    expected_reward,
    expected_reward_notebook,
    k_opt,
    k_opt_table,
    marginal_reward,
    model_from_estimates,
)

# Printed by the first cell of the authors' notebook
# (github.com/benediktstroebl/inference-scaling-limits @ 11a8f6e,
# notebooks/limits_to_inference_scaling_model.ipynb) for the illustrative parameters.
NOTEBOOK_PRINTOUT = {
    "beta_1": 0.0975,
    "beta_2": 0.6525,
    "p_correct_1": 0.87,
    "p_correct_2": 0.13,
    "p_fluke_1": 0.0325,
    "p_fluke_2": 0.2175,
}


def _reported_two_type():
    from flaws.paper import reported

    return reported()["two_type_model"]


def test_illustrative_parameters_reproduce_printout():
    par = _reported_two_type()["illustrative_parameters"]
    m = TwoTypeModel(r1=par["r1"], r2=par["r2"], p1=par["p1"], s=par["s"], c=par["c"])
    assert m.p2 == pytest.approx(par["p2"])
    d = m.derived()
    for key, value in NOTEBOOK_PRINTOUT.items():
        assert d[key] == pytest.approx(value, abs=1e-12), key


def test_fitted_llama_values_are_reproduced_by_one_parameter_set():
    """The six printed fitted values are consistent with exactly these definitions.

    r_i = p_correct_i (c = 1) and s from p_fluke_1; then beta_1, beta_2 and p_fluke_2 must come
    out equal to the printed ones to rounding error.
    """
    fitted = _reported_two_type()["fitted_to_llama_3_1_8b"]
    r1, r2 = fitted["p_correct_1"], fitted["p_correct_2"]
    s = 1 - fitted["p_fluke_1"] / (1 - r1)
    d = TwoTypeModel(r1=r1, r2=r2, p1=0.5, s=s).derived()
    for key in ("beta_1", "beta_2", "p_correct_1", "p_correct_2", "p_fluke_1", "p_fluke_2"):
        assert d[key] == pytest.approx(fitted[key], rel=1e-12, abs=1e-15), key
    # an acceptance-probability reading of beta, r + (1 - r)(1 - s), does not match the print
    acceptance_1 = r1 + (1 - r1) * (1 - s)
    assert abs(acceptance_1 - fitted["beta_1"]) > 0.5


def test_outcomes_partition():
    m = TwoTypeModel(r1=0.7, r2=0.2, p1=0.3, s=0.6, c=0.9)
    assert np.allclose(m.beta + m.p_correct + m.p_fluke, 1.0)


def test_invalid_parameters():
    with pytest.raises(ValueError, match="r1"):
        TwoTypeModel(r1=1.2, r2=0.1, p1=0.5, s=0.5)
    with pytest.raises(ValueError, match="s = "):
        TwoTypeModel(r1=0.5, r2=0.1, p1=0.5, s=-0.1)


def test_beliefs_hand_computed():
    m = TwoTypeModel(r1=0.87, r2=0.13, p1=0.58, s=0.75)
    b = beliefs(m, [1, 3])
    assert np.allclose(b[0], [0.58, 0.42])
    w1, w2 = 0.58 * 0.0975**2, 0.42 * 0.6525**2
    assert np.allclose(b[1], [w1 / (w1 + w2), w2 / (w1 + w2)])
    # far out the belief in the hard type goes to 1 without underflow trouble
    assert beliefs(m, [2000])[0, 1] == pytest.approx(1.0)
    with pytest.raises(ValueError):
        beliefs(m, [0])


def test_beliefs_undefined():
    m = TwoTypeModel(r1=1.0, r2=1.0, p1=0.5, s=0.5)  # beta = 0 for both types
    assert np.allclose(beliefs(m, [1]), [[0.5, 0.5]])
    with pytest.raises(ValueError, match="undefined"):
        beliefs(m, [2])


def test_expected_reward_single_type_by_hand():
    m = TwoTypeModel(r1=0.5, r2=0.5, p1=1.0, s=0.5)  # beta 0.25, p_correct 0.5, p_fluke 0.25
    e = expected_reward(m, [0, 1, 2], [0.0, 2.0])
    assert np.allclose(e[0], [0, 0])
    assert np.allclose(e[1], [0.5, 0.5 - 0.5])
    assert np.allclose(e[2], [0.5 * 1.25, 0.0])
    # with one type, beliefs equal the priors and the notebook curve is the exact one
    assert np.allclose(expected_reward_notebook(m, [0, 1, 2, 7], [0.0, 2.0]), expected_reward(m, [0, 1, 2, 7], [0.0, 2.0]))


def _brute_force(m: TwoTypeModel, K: int, r: float) -> float:
    """Sum over every sequence of K attempt outcomes (reject / correct / fluke) per type."""
    total = 0.0
    for i in range(2):
        probs = {"rej": m.beta[i], "ok": m.p_correct[i], "fp": m.p_fluke[i]}
        for seq in itertools.product(probs, repeat=K):
            p = m.priors[i] * np.prod([probs[o] for o in seq])
            first = next((o for o in seq if o != "rej"), None)
            total += p * {None: 0.0, "ok": 1.0, "fp": -r}[first]
    return total


@pytest.mark.parametrize("K", [1, 2, 3, 5])
def test_expected_reward_brute_force(K):
    m = TwoTypeModel(r1=0.8, r2=0.25, p1=0.4, s=0.7, c=0.9)
    e = expected_reward(m, [K], [0.5, 3.0])
    assert e[0, 0] == pytest.approx(_brute_force(m, K, 0.5))
    assert e[0, 1] == pytest.approx(_brute_force(m, K, 3.0))


def test_expected_reward_monte_carlo():
    m = TwoTypeModel(r1=0.87, r2=0.13, p1=0.58, s=0.75)
    rng = np.random.default_rng(7)
    n, K, r = 200_000, 4, 1.0
    hard = rng.random(n) >= m.p1
    reward = np.zeros(n)
    done = np.zeros(n, bool)
    for _ in range(K):
        u = rng.random(n)
        pc = np.where(hard, m.p_correct[1], m.p_correct[0])
        pf = np.where(hard, m.p_fluke[1], m.p_fluke[0])
        ok = ~done & (u < pc)
        fp = ~done & (u >= pc) & (u < pc + pf)
        reward[ok], reward[fp] = 1.0, -r
        done |= ok | fp
    assert reward.mean() == pytest.approx(expected_reward(m, [K], [r])[0, 0], abs=0.006)


def test_notebook_curve_matches_the_notebook_loop():
    """Literal re-implementation of the notebook's loop for V_fluke = -0.7, -1, -2 and k = 1..15."""
    m = TwoTypeModel(r1=0.87, r2=0.13, p1=0.58, s=0.75)
    b1, b2 = m.beta
    pc1, pc2 = m.p_correct
    pf1, pf2 = m.p_fluke
    for v_fluke in (-0.7, -1, -2):
        vals, cum = [], []
        for k in range(1, 16):
            t1 = b1 ** (k - 1) * 0.58 / (b1 ** (k - 1) * 0.58 + b2 ** (k - 1) * 0.42)
            t2 = 1 - t1
            vals.append((pc1 * t1 + pc2 * t2 + v_fluke * (pf1 * t1 + pf2 * t2)) * (b1 ** (k - 1) * t1 + b2 ** (k - 1) * t2))
            cum.append(sum(vals))
        ours = expected_reward_notebook(m, range(1, 16), [-v_fluke])[:, 0]
        assert np.allclose(ours, cum)
    # and it is not the exact expected reward
    assert not np.allclose(expected_reward_notebook(m, [5], [1.0]), expected_reward(m, [5], [1.0]))


def test_marginal_reward_is_the_increment():
    m = TwoTypeModel(r1=0.8, r2=0.25, p1=0.4, s=0.7, c=0.9)
    for notebook, fn in ((False, expected_reward), (True, expected_reward_notebook)):
        e = fn(m, [3, 4], [0.0, 1.5])
        assert np.allclose(marginal_reward(m, 4, [0.0, 1.5], notebook=notebook), e[1] - e[0])


def test_k_opt_rules():
    budgets = [1, 2, 3, 4]
    rewards = np.array([[0.1, -0.5, 0.3], [0.2, -0.6, 0.3], [0.2, -0.7, 0.1], [0.15, -0.9, 0.0]])
    k, best = k_opt(rewards, budgets)
    assert list(k) == [2, 0, 1]
    assert np.allclose(best, [0.2, -0.5, 0.3])


def test_k_opt_table_and_cost_ratios():
    assert HEATMAP_COST_RATIOS == tuple(_reported_two_type()["cost_ratios_of_the_heatmap"])
    m = TwoTypeModel(r1=0.87, r2=0.13, p1=0.58, s=0.75)
    t = k_opt_table({"illustrative": m}, cost_ratios=(0.0, 1.0, 100.0), k_max=50)
    assert list(t.columns) == ["model", "cost_ratio", "k_opt", "max_reward", "unbounded", "censored"]
    k = dict(zip(t["cost_ratio"], t["k_opt"]))
    assert k[0.0] == 50  # no false-positive cost: more attempts never hurt
    assert list(t["unbounded"]) == [True, False, False]
    assert list(t["censored"]) == [True, False, False]  # at the cap: "≥ 50"
    assert k[100.0] == 0  # huge cost: any attempt loses on average
    assert t["max_reward"].iloc[2] < 0
    # K_opt weakly decreases with the cost ratio
    t2 = k_opt_table({"m": m}, cost_ratios=HEATMAP_COST_RATIOS, k_max=100)
    assert (np.diff(t2["k_opt"].to_numpy()) <= 0).all()


def _counts(rows):
    return pd.DataFrame(rows, columns=["benchmark", "model", "prompt_style", "task_id", "n", "base_passes", "correct"])


def test_estimate_parameters_by_hand():
    counts = _counts(
        [
            ("b", "m", "base", "T/0", 10, 10, 9),  # acc 0.9 easy, q 0.9
            ("b", "m", "base", "T/1", 10, 8, 6),  # acc 0.6 easy, q 0.75
            ("b", "m", "base", "T/2", 10, 5, 2),  # acc 0.2 hard, q 0.4
            ("b", "m", "base", "T/3", 10, 0, 0),  # acc 0.0 hard, q undefined
        ]
    )
    est = estimate_parameters(counts)
    assert est["r1"] == pytest.approx(0.75)
    assert est["r2"] == pytest.approx(0.1)
    assert est["p1"] == pytest.approx(0.5) and est["p2"] == pytest.approx(0.5)
    a, b, q = 0.425, 0.575, (0.9 + 0.75 + 0.4) / 3
    assert est["mean_accuracy"] == pytest.approx(a)
    assert est["mean_base_rate"] == pytest.approx(b)
    assert est["mean_conditional_accuracy"] == pytest.approx(q)
    assert est["s"] == pytest.approx((1 - b - a + q * b) / (1 - a))
    assert est["n_easy"] == 2 and est["n_tasks"] == 4
    # exactly 0.5 is hard ("above 0.5" is easy)
    assert estimate_parameters(_counts([("b", "m", "x", "T/0", 2, 2, 1)]))["p1"] == 0.0


def test_estimate_parameters_perfect_verifier_gives_s_one():
    # every base pass is correct: soundness is 1 when P(correct|base) = 1 on every task
    counts = _counts([("b", "m", "x", "T/0", 10, 4, 4), ("b", "m", "x", "T/1", 10, 9, 9)])
    assert estimate_parameters(counts)["s"] == pytest.approx(1.0)


def test_estimate_parameters_bad_input():
    with pytest.raises(ValueError, match="lacks column 'correct'"):
        estimate_parameters(pd.DataFrame({"n": [1], "base_passes": [1]}))
    with pytest.raises(ValueError, match="inconsistent"):
        estimate_parameters(_counts([("b", "m", "x", "T/0", 10, 4, 5)]))
    with pytest.raises(ValueError, match="no tasks"):
        estimate_parameters(_counts([]))


def test_estimate_all_groups_and_model():
    counts = _counts(
        [
            ("b", "m1", "x", "T/0", 10, 10, 9),
            ("b", "m1", "x", "T/1", 10, 5, 1),
            ("b", "m2", "x", "T/0", 10, 10, 10),
            ("b", "m2", "x", "T/1", 10, 10, 10),
        ]
    )
    t = estimate_all(counts)
    assert list(t["model"]) == ["m1", "m2"]
    m2 = t.set_index("model").loc["m2"]
    assert np.isnan(m2["r2"]) and m2["p1"] == 1.0
    mod = model_from_estimates(t.set_index("model").loc["m1"].to_dict())
    assert mod.r1 == pytest.approx(0.9) and mod.r2 == pytest.approx(0.1)
    assert t.set_index("model").loc["m1", "beta_1"] == pytest.approx(mod.beta[0])


def test_moment_soundness_matches_the_mean_base_rate():
    # two tasks whose base pass rate and conditional accuracy are correlated: the paper's product
    # of means b (1 - q) is not the mean false-positive rate b - a, the moment estimate is
    counts = _counts([("b", "m", "x", "T/0", 10, 10, 9), ("b", "m", "x", "T/1", 10, 2, 0)])
    est = estimate_parameters(counts)
    a, b = 0.45, 0.6
    assert est["s_moment"] == pytest.approx((1 - b) / (1 - a))
    assert abs(est["s"] - est["s_moment"]) > 0.05
    # the moment-fitted model reproduces the observed first-attempt false-positive share exactly
    from flaws.two_type import accepted_by_attempt, fp_share_diagnostics

    m = model_from_estimates(est, soundness="moment")
    acc, fp = accepted_by_attempt(m, 1)
    assert acc[0] == pytest.approx(b) and fp[0] == pytest.approx(b - a)
    d = fp_share_diagnostics(counts).iloc[0]
    assert d["observed_k1"] == pytest.approx((b - a) / b) and d["moment_k1"] == pytest.approx(d["observed_k1"])
    assert d["paper_k1"] != pytest.approx(d["observed_k1"])
    with pytest.raises(ValueError, match="soundness"):
        model_from_estimates(est, soundness="other")


def test_accepted_by_attempt_sums_to_the_reward():
    from flaws.two_type import accepted_by_attempt

    m = TwoTypeModel(r1=0.8, r2=0.25, p1=0.4, s=0.7)
    acc, fp = accepted_by_attempt(m, 6)
    e = expected_reward(m, [6], [0.0, 1.0])[0]
    assert (acc - fp).sum() == pytest.approx(e[0]) and (acc - 2 * fp).sum() == pytest.approx(e[1])


def test_compare_k_opt_categories():
    from flaws.two_type import compare_k_opt

    got = compare_k_opt([20, 5, 5, 20, 3], [True, False, False, True, False], [20, 5, 7, 4, 20],
                        [True, False, False, False, True])
    assert list(got) == ["both censored", "agree", "differ", "one censored", "one censored"]


def test_formula_check_same_signs_and_ties_only():
    from flaws.two_type import k_opt_formula_check

    res = k_opt_formula_check(n_draws=400, seed=1, k_max=60, chunk=150)
    assert res["n_cells"] == 400 * len(HEATMAP_COST_RATIOS)
    assert res["n_same_sign"] == res["n_cells"]
    assert res["n_same"] + res["n_differ_below_tolerance"] == res["n_cells"]
    assert len(res["differ"]) == res["n_cells"] - res["n_same"]
    # the vectorized rule is k_opt_table's rule, on both formulas
    row = np.random.default_rng(1).random((1, 4))[0]
    m = TwoTypeModel(r1=row[0], r2=row[1], p1=row[2], s=row[3])
    assert res["n_draws"] == 400
    from flaws.two_type import _increments, _k_opt_rule

    exact, nb = _increments(row[None, :], np.array(HEATMAP_COST_RATIOS), 60)
    assert list(_k_opt_rule(exact, 60)[0]) == list(k_opt_table({"m": m}, k_max=60)["k_opt"])
    assert list(_k_opt_rule(nb, 60)[0]) == list(k_opt_table({"m": m}, k_max=60, notebook=True)["k_opt"])
