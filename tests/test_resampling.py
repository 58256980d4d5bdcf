"""Exact resampling reward vs brute-force enumeration, Monte Carlo convergence, K_opt."""

import itertools
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from flaws import resampling as rs


def brute_force_reward(labels, k, r):
    """Average reward over all orders of the samples; labels: 0 fails base, 1 false positive, 2 correct."""
    r = Fraction(r).limit_denominator(1000)
    total, count = Fraction(0), 0
    for order in itertools.permutations(labels):
        reward = Fraction(0)
        for lab in order[: min(k, len(order))]:
            if lab:
                reward = Fraction(1) if lab == 2 else -r
                break
        total += reward
        count += 1
    return total / count


TINY = [
    [0, 1, 2],
    [0, 0, 0, 1, 2],
    [0, 0, 2, 2, 1, 0],
    [1, 1, 0],
    [2, 2, 2, 2],
    [0, 0, 0],
    [1],
    [0, 1, 1, 2, 0, 0],
]


@pytest.mark.parametrize("labels", TINY)
@pytest.mark.parametrize("r", [0.0, 0.5, 1.0, 4.0])
def test_exact_matches_brute_force(labels, r):
    lab = np.array(labels)
    n, b, c = len(lab), int((lab > 0).sum()), int((lab == 2).sum())
    ks = np.arange(0, n + 3)  # includes budgets beyond n
    got = rs.expected_reward([n], [b], [c], ks, [r])[0, 0]
    want = [float(brute_force_reward(labels, int(k), r)) for k in ks]
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_hand_computed_case():
    # n=4, b=2, c=1: P(found within 1) = 1/2, within 2 = 1 - C(2,2)/C(4,2) = 5/6, within 3 = 1
    p = rs.prob_found([4], [2], [0, 1, 2, 3, 4])[0]
    np.testing.assert_allclose(p, [0, 0.5, 5 / 6, 1, 1])
    # value = 1/2 - r/2; r = 1 -> 0, r = 0 -> 1/2
    np.testing.assert_allclose(rs.value_if_found([2], [1], [0, 1, 3])[:, 0], [0.5, 0.0, -1.0])


def test_mean_curve_is_task_average_and_vectorized():
    n, b, c = [5, 3, 10, 4], [2, 0, 7, 4], [1, 0, 3, 4]
    ks, r = np.arange(1, 12), [0, 0.3, 2]
    per_task = rs.expected_reward(n, b, c, ks, r)
    np.testing.assert_allclose(rs.mean_reward_curve(n, b, c, ks, r), per_task.mean(axis=1))
    for t in range(4):
        one = rs.mean_reward_curve([n[t]], [b[t]], [c[t]], ks, r)
        np.testing.assert_allclose(one, per_task[:, t, :])


def test_no_base_pass_gives_zero_reward():
    np.testing.assert_array_equal(rs.expected_reward([5], [0], [0], [1, 3, 9], [0, 2]), 0.0)


def test_input_validation():
    with pytest.raises(ValueError, match="c <= b"):
        rs.mean_reward_curve([5], [2], [3], [1], [0])
    with pytest.raises(ValueError, match="b <= n"):
        rs.prob_found([3], [4], [1])


def test_with_replacement_limit():
    # huge n at the same rates approaches the with-replacement curve
    ks, r = np.arange(1, 30), [0, 1, 3]
    big = rs.mean_reward_curve([100000], [30000], [20000], ks, r)
    lim = rs.mean_reward_curve_with_replacement([10], [3], [2], ks, r)
    np.testing.assert_allclose(big, lim, atol=1e-3)
    np.testing.assert_allclose(rs.prob_found_with_replacement([4], [1], [2])[0, 0], 1 - 0.75**2)


def test_monte_carlo_converges_to_exact():
    rng = np.random.default_rng(1)
    tasks, n, b, c = [], [], [], []
    for size in [5, 8, 12, 20]:
        base = rng.random(size) < 0.4
        correct = base & (rng.random(size) < 0.6)
        tasks.append((base, correct))
        n.append(size), b.append(base.sum()), c.append(correct.sum())
    ks, ratios = np.arange(0, 25), [0, 1, 4]
    exact = rs.mean_reward_curve(n, b, c, ks, ratios)
    mc = rs.monte_carlo_curve(tasks, ks, ratios, n_sims=1000, seed=0)
    mc_big = rs.monte_carlo_curve(tasks, ks, ratios, n_sims=40000, seed=0)
    err, err_big = np.abs(mc - exact).max(), np.abs(mc_big - exact).max()
    assert err < 0.1
    assert err_big < 0.02
    assert err_big < err
    # seeded: identical on re-run
    np.testing.assert_array_equal(mc, rs.monte_carlo_curve(tasks, ks, ratios, n_sims=1000, seed=0))


def test_monte_carlo_rejects_inconsistent_task():
    with pytest.raises(ValueError):
        rs.monte_carlo_curve([(np.array([False]), np.array([True]))], [1], [0])


def test_k_opt_rules():
    ks = np.array([1, 2, 3, 4])
    curves = np.array(
        [
            [0.1, 0.3, 0.3, 0.3],  # tie: smallest K reaching the maximum
            [0.5, 0.2, 0.1, 0.0],
            [-0.1, -0.2, -0.3, -0.05],  # maximum negative -> 0
            [0.0, 0.0, 0.0, 0.0],  # maximum exactly 0 is not negative -> K = 1
        ]
    )
    kopt, best, censored = rs.k_opt(curves, ks)
    assert kopt.tolist() == [2, 1, 0, 1]
    np.testing.assert_allclose(best, [0.3, 0.5, -0.05, 0.0])
    assert censored.tolist() == [False, False, False, False]


def test_k_opt_zero_cost_saturates_at_largest_gap():
    # r = 0: reward grows until every task is sure to find a base pass: K = max(n - b + 1)
    n, b, c = [10, 10], [1, 5], [1, 2]
    ks = np.arange(1, 11)
    kopt, _, censored = rs.k_opt(rs.mean_reward_curve(n, b, c, ks, [0.0]), ks)
    assert kopt.tolist() == [10] and censored.tolist() == [True]


def _counts():
    return pd.DataFrame(
        {
            "benchmark": ["b"] * 4,
            "model": ["m1", "m1", "m2", "m2"],
            "prompt_style": ["base"] * 4,
            "task_id": ["T/0", "T/1", "T/0", "T/1"],
            "n": [4, 4, 3, 3],
            "base_passes": [2, 0, 3, 1],
            "plus_passes": [1, 0, 3, 0],
            "correct": [1, 0, 3, 0],
        }
    )


def test_tables():
    counts = _counts()
    tab = rs.k_opt_table(counts, rs=[0, 1, 10])
    assert list(tab.columns) == ["benchmark", "model", "prompt_style", "cost_ratio", "k_opt", "max_reward", "k_max",
                                 "censored", "label"]
    m1 = tab[tab.model == "m1"].set_index("cost_ratio")
    # m1: task 0 value (1/2 - r/2) * P(found); task 1 nothing. r=0 -> K=3, reward 1/4
    assert m1.loc[0.0, "k_opt"] == 3 and m1.loc[0.0, "max_reward"] == pytest.approx(0.25)
    # K_opt 3 < n = 4: an optimum inside the budgets we can evaluate
    assert not m1.loc[0.0, "censored"] and m1.loc[0.0, "label"] == "3"
    # one correct sample among 3: at r = 0 every draw helps up to K = n = 3: censored, "≥ 3"
    one = counts[counts.model == "m2"].assign(base_passes=[3, 1], correct=[3, 1])
    t2 = rs.k_opt_table(one, rs=[0]).iloc[0]
    assert t2["k_opt"] == 3 and t2["censored"] and t2["label"] == "≥ 3"
    assert not m1.loc[10.0, "censored"]  # K_opt 0 (do not answer) is never censored
    assert m1.loc[1.0, "k_opt"] == 1 and m1.loc[1.0, "max_reward"] == pytest.approx(0.0)
    assert m1.loc[10.0, "k_opt"] == 0 and m1.loc[10.0, "max_reward"] == pytest.approx(-4.5 * 0.5 / 2)
    curves = rs.scaling_curves(counts, rs=[0, 1])
    assert len(curves) == 2 * 4 + 2 * 3
    assert set(curves.columns) >= {"cost_ratio", "k", "reward", "reward_with_replacement"}



def test_budget_free_tasks_are_exactly_those_with_a_flat_reward():
    n, b, c = [4, 4, 4, 4, 1], [0, 4, 2, 1, 1], [0, 3, 1, 1, 0]
    assert rs.budget_free(n, b).tolist() == [True, True, False, False, True]
    reward = rs.expected_reward(n, b, c, [1, 2, 3, 4], [0.0, 2.0])  # (ratios, tasks, budgets)
    flat = np.all(np.isclose(reward, reward[:, :, :1]), axis=(0, 2))
    assert flat.tolist() == [True, True, False, False, True]

def test_cost_ratios_and_format():
    assert rs.COST_RATIOS[:3] == (0.0, 0.1, 0.2) and rs.COST_RATIOS[-4:] == (2.0, 4.0, 8.0, 10.0)
    assert [rs.format_ratio(r) for r in (0.0, 0.1, 1.0, 10.0)] == ["0", "0.1", "1", "10"]


def test_task_samples_order_matches_counts():
    from flaws import metrics

    rows = []
    for model, task, base, plus in [("m", "T/10", "pass", "pass"), ("m", "T/2", "fail", "fail"),
                                    ("m", "T/2", "pass", "fail"), ("m", "T/10", "fail", "pass")]:
        rows.append({"benchmark": "b", "model": model, "prompt_style": "s", "temperature": 0.8, "source_id": "x",
                     "task_id": task, "solution_sha256": "", "base_status": base, "plus_status": plus,
                     "first_failed_base": "", "first_failed_plus": ""})
    o = pd.DataFrame(rows)
    o["sample_index"] = [0, 0, 1, 1]
    counts = metrics.task_counts(o)
    assert counts.task_id.tolist() == ["T/2", "T/10"]
    tasks = rs.task_samples(o, counts)
    assert [t[0].tolist() for t in tasks] == [[False, True], [True, False]]
    assert [t[1].tolist() for t in tasks] == [[False, False], [True, False]]


def test_grouped_curves_match_single_group():
    rng = np.random.default_rng(2)
    n = rng.choice([5, 10, 20], size=40)
    b = rng.integers(0, n + 1)
    c = rng.integers(0, b + 1)
    groups = rng.integers(0, 3, size=40)
    ks, ratios = np.arange(1, 25), [0, 0.5, 8]
    together = rs.mean_reward_curves(n, b, c, groups, ks, ratios)
    assert together.shape == (3, 3, 24)
    for g in range(3):
        sel = groups == g
        alone = rs.expected_reward(n[sel], b[sel], c[sel], ks, ratios).mean(axis=1)
        np.testing.assert_allclose(together[g], alone, atol=1e-12)


def _load_bench():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_resampling.py"
    spec = importlib.util.spec_from_file_location("bench_resampling", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_script_runs_on_an_outcomes_file(tmp_path, capsys):
    from flaws import metrics

    rng = np.random.default_rng(0)
    rows = []
    for model in ("m1", "m2"):
        for t in range(6):
            for i in range(8):
                base = rng.random() < 0.5
                rows.append({"benchmark": "humaneval+", "model": model, "prompt_style": "base", "temperature": 0.8,
                             "source_id": "x", "task_id": f"HumanEval/{t}", "sample_index": i, "solution_sha256": "",
                             "base_status": "pass" if base else "fail",
                             "plus_status": "pass" if base and rng.random() < 0.7 else "fail",
                             "first_failed_base": "", "first_failed_plus": ""})
    path = tmp_path / "outcomes.csv.gz"
    pd.DataFrame(rows, columns=list(metrics.OUTCOME_COLUMNS)).to_csv(path, index=False)
    bench = _load_bench()
    assert bench.main(["--outcomes", str(path), "--sims", "50", "--repeat", "2"]) == 0
    out = capsys.readouterr().out
    assert "speed ratio" in out and "2 model/prompt configurations" in out
    assert bench.main(["--outcomes", str(tmp_path / "missing.csv.gz")]) == 2
    assert "not found" in capsys.readouterr().err


# --- reachable accuracy -------------------------------------------------------------------------

def brute_force_reachable(labels, k):
    """Share of all orders in which the first base-passing sample among the first K is correct."""
    hits = total = 0
    for order in itertools.permutations(labels):
        first = next((lab for lab in order[: min(k, len(order))] if lab), 0)
        hits += first == 2
        total += 1
    return Fraction(hits, total)


@pytest.mark.parametrize("labels", TINY)
def test_reachable_accuracy_matches_brute_force(labels):
    lab = np.array(labels)
    n, b, c = len(lab), int((lab > 0).sum()), int((lab == 2).sum())
    ks = np.arange(0, n + 2)
    got = rs.reachable_accuracy([n], [b], [c], ks)[0]
    np.testing.assert_allclose(got, [float(brute_force_reachable(labels, int(k))) for k in ks], atol=1e-12)
    assert got[1] == pytest.approx(c / n)  # K = 1: single-sample accuracy
    assert got[n] == pytest.approx(rs.reachable_accuracy_limit([b], [c])[0])  # K = n: c/b, or 0


def test_reachable_accuracy_mean_limit_and_bound():
    n, b, c = [4, 4, 6], [2, 0, 3], [1, 0, 3]
    ks = [1, 2, 6]
    per_task = rs.reachable_accuracy(n, b, c, ks)
    np.testing.assert_allclose(rs.mean_reachable_accuracy(n, b, c, ks), per_task.mean(axis=0))
    np.testing.assert_allclose(rs.reachable_accuracy_limit(b, c), [0.5, 0.0, 1.0])
    assert per_task[:, -1].mean() == pytest.approx(0.5)  # below the conditional accuracy 0.75
    assert np.all(np.diff(per_task, axis=1) >= -1e-15)  # never falls with K


def test_reachable_accuracy_equals_average_over_equal_n_subsets():
    # K draws from a random m-subset (m >= K) are K draws from the whole set
    labels = [0, 1, 2, 2, 0, 1]
    n, b, c = 6, 4, 2
    for m in (3, 4):
        subsets = list(itertools.combinations(labels, m))
        for k in range(1, m + 1):
            avg = np.mean([rs.reachable_accuracy([m], [sum(x > 0 for x in s)], [sum(x == 2 for x in s)], [k])[0, 0]
                           for s in subsets])
            assert avg == pytest.approx(rs.reachable_accuracy([n], [b], [c], [k])[0, 0])


def test_reachable_accuracy_budgets_and_table():
    assert rs.reachable_accuracy_budgets(20) == [1, 2, 5, 10, 20]
    assert rs.reachable_accuracy_budgets(7) == [1, 2, 5, 7]
    counts = pd.DataFrame({"benchmark": "b", "model": ["m"] * 3 + ["w"] * 2, "prompt_style": "base",
                           "n": [4, 4, 4, 2, 2], "base_passes": [2, 0, 4, 1, 2], "correct": [1, 0, 4, 1, 0]})
    t = rs.reachable_accuracy_table(counts, [1, "n"], n_resamples=200)
    assert list(t.k_label) == ["1", "n", "1", "n"] and list(t.k) == [1, 4, 1, 2]
    m = t[t.model == "m"].set_index("k_label")
    assert m.loc["1", "reachable_accuracy"] == pytest.approx((1 / 4 + 0 + 1) / 3)
    assert m.loc["n", "reachable_accuracy"] == pytest.approx((1 / 2 + 0 + 1) / 3)
    assert (t.low <= t.reachable_accuracy).all() and (t.reachable_accuracy <= t.high).all()


def test_ceiling_by_samples():
    n, b, c = [20, 20, 20], [1, 10, 20], [0, 10, 18]
    t = rs.ceiling_by_samples(n, b, c, [2, 20], draws=500, n_resamples=200)
    assert list(t.m) == [2, 20]
    full = t.set_index("m").loc[20]
    assert full.conditional_accuracy == pytest.approx((0 + 1 + 0.9) / 3)
    assert full.reachable_accuracy == pytest.approx((0 + 1 + 0.9) / 3)  # every task passes base at K = n
    few = t.set_index("m").loc[2]
    # with 2 samples the hard task mostly drops out: the conditional accuracy rises, reachable falls
    assert few.conditional_accuracy > full.conditional_accuracy > few.reachable_accuracy
    assert few.reachable_low <= few.reachable_accuracy <= few.reachable_high


def test_k_opt_censored_at_the_limit_and_labels():
    ks = np.arange(1, 6)
    rising = np.array([[0.1, 0.2, 0.3, 0.4, 0.5], [0.5, 0.4, 0.3, 0.2, 0.1]])
    res = rs.k_opt(rising, ks)
    assert res.k_opt.tolist() == [5, 1] and res.censored.tolist() == [True, False]
    # budgets past the samples we have: the cap is the number of samples, not the last budget
    assert rs.k_opt(rising[:, :3], ks[:3], k_limit=3).censored.tolist() == [True, False]
    assert rs.k_opt(rising, ks, k_limit=10).censored.tolist() == [False, False]
    assert rs.k_opt_label(20, True) == "≥ 20" and rs.k_opt_label(7, False) == "7"


def test_censored_median():
    assert rs.censored_median([3, 5, 7], [False, False, False]) == (5.0, False)
    # the middle value is censored: the median is only known to be >= 20
    assert rs.censored_median([2, 20, 20], [False, True, True]) == (20.0, True)
    # censored values above an uncensored median do not matter
    assert rs.censored_median([1, 2, 20], [False, False, True]) == (2.0, False)


def test_k_opt_bootstrap_recomputes_curves_per_task_draw():
    n = np.array([6, 6, 6, 6, 6, 6])
    b = np.array([6, 3, 1, 2, 0, 5])
    c = np.array([5, 1, 0, 2, 0, 5])
    tab = rs.k_opt_bootstrap(n, b, c, rs=[0.0, 1.0, 50.0], n_resamples=300, seed=1)
    ks = np.arange(1, 7)
    est = rs.k_opt(rs.mean_reward_curve(n, b, c, ks, [0.0, 1.0, 50.0]), ks)
    assert tab.k_opt.tolist() == est.k_opt.tolist() and tab.censored.tolist() == est.censored.tolist()
    assert (tab.ci_low <= tab.ci_high).all() and (tab.ci_high <= 6).all()
    assert tab.loc[2, "ci_high"] == 0 and tab.loc[2, "share_censored"] == 0  # huge cost: never answer
    # replicate by replicate the same as recomputing the curve on the drawn tasks
    from flaws.stats import task_weights

    w = task_weights(6, 300, seed=1)
    idx = np.repeat(np.arange(6), w[7])
    again = rs.k_opt(rs.mean_reward_curve(n[idx], b[idx], c[idx], ks, [1.0]), ks).k_opt[0]
    good, bad = rs._per_task_terms(n, b, c, ks)
    assert rs.k_opt((w[7] @ good - w[7] @ bad)[None, :] / 6, ks).k_opt[0] == again
    pd.testing.assert_frame_equal(tab, rs.k_opt_bootstrap(n, b, c, rs=[0.0, 1.0, 50.0], n_resamples=300, seed=1))


def _brute_force_by_attempt(labels):
    """P(accepted at attempt k) and P(accepted at k and a false positive), over every order."""
    n = len(labels)
    acc, fp = np.zeros(n), np.zeros(n)
    orders = list(itertools.permutations(labels))
    for order in orders:
        for k, lab in enumerate(order):
            if lab:
                acc[k] += 1
                fp[k] += lab == 1
                break
    return acc / len(orders), fp / len(orders)


def test_accepted_by_attempt_matches_brute_force():
    for labels in TINY:
        lab = np.array(labels)
        n, b, c = len(lab), int((lab > 0).sum()), int((lab == 2).sum())
        acc, fp = rs.accepted_by_attempt([n], [b], [c])
        want_acc, want_fp = _brute_force_by_attempt(labels)
        np.testing.assert_allclose(acc[0], want_acc, atol=1e-12)
        np.testing.assert_allclose(fp[0], want_fp, atol=1e-12)


def test_fp_share_by_attempt_buckets_and_composition():
    assert rs.attempt_buckets(20) == [(1, 1), (2, 3), (4, 7), (8, 15), (16, 20)]
    assert rs.attempt_buckets(1) == [(1, 1)]
    # an easy task with few false positives and a hard one with many: within each task the share
    # is constant, but late attempts come from the hard task, so the pooled share rises with k
    tasks = [[2, 2, 2, 1, 0, 0, 0, 0], [1, 2, 0, 0, 0, 0, 0, 0]]
    n = [8, 8]
    b = [sum(x > 0 for x in t) for t in tasks]
    c = [sum(x == 2 for x in t) for t in tasks]
    tab = rs.fp_share_by_attempt(n, b, c, n_resamples=200, seed=0)
    assert tab.attempts.tolist() == ["1", "2-3", "4-7"]
    acc, fp = np.zeros(8), np.zeros(8)
    for t in tasks:
        a, f = _brute_force_by_attempt(t)
        acc, fp = acc + a, fp + f
    assert tab.fp_share.iloc[0] == pytest.approx(fp[0] / acc[0])
    assert tab.fp_share.iloc[2] == pytest.approx(fp[3:7].sum() / acc[3:7].sum())
    assert tab.fp_share.is_monotonic_increasing and tab.mean_base_rate.is_monotonic_decreasing
    assert tab.accepted.sum() == pytest.approx(2.0)  # each task accepts exactly one program


def test_k_opt_interval_label_marks_censored_ends():
    assert rs.k_opt_interval_label(7, 38, 200) == "[7, 38]"
    assert rs.k_opt_interval_label(7, 200, 200) == "[7, ≥ 200]"
    # both ends at the cap: only the bound is known, never "[100, ≥ 100]"
    assert rs.k_opt_interval_label(100, 100, 100) == "whole interval ≥ 100"
    # a bootstrap where every task passes base at every sample and is correct: reward rises to n
    n = np.array([4, 4, 4, 4, 4])
    tab = rs.k_opt_bootstrap(n, np.array([1, 1, 2, 1, 1]), np.array([1, 1, 2, 1, 1]), rs=[0.0],
                             n_resamples=50, seed=0)
    assert tab.loc[0, "ci_low_censored"] and tab.loc[0, "interval"] == "whole interval ≥ 4"
