"""OLS fit with bootstrap intervals."""

import numpy as np
import pytest

from flaws.correlation import fit_band, fit_line


def test_exact_line():
    x = np.array([0.1, 0.2, 0.4, 0.8])
    fit = fit_line(x, 0.7 + 0.25 * x, seed=0, n_resamples=500)
    assert fit["slope"] == pytest.approx(0.25) and fit["intercept"] == pytest.approx(0.7)
    assert fit["r_squared"] == pytest.approx(1.0) and fit["n"] == 4
    assert fit["slope_ci"][0] == pytest.approx(0.25) and fit["slope_ci"][1] == pytest.approx(0.25)


def test_hand_computed_fit():
    # x = 0,1,2,3; y = 0,1,1,3: slope = sxy/sxx = 4.5/5 = 0.9, intercept = 1.25 - 0.9*1.5 = -0.1
    fit = fit_line([0, 1, 2, 3], [0, 1, 1, 3], seed=0, n_resamples=2000)
    assert fit["slope"] == pytest.approx(0.9)
    assert fit["intercept"] == pytest.approx(-0.1)
    assert fit["r_squared"] == pytest.approx(0.9**2 * 5 / 4.75)
    assert 0 < fit["p_value"] < 0.2
    lo, hi = fit["slope_ci"]
    assert lo <= 0.9 <= hi


def test_noisy_fit_covers_and_is_seeded():
    rng = np.random.default_rng(0)
    x = rng.random(40)
    y = 0.72 + 0.22 * x + rng.normal(0, 0.02, 40)
    f1 = fit_line(x, y, seed=5, n_resamples=3000)
    assert f1 == fit_line(x, y, seed=5, n_resamples=3000)
    assert f1["slope_ci"][0] < 0.22 < f1["slope_ci"][1]
    assert f1["intercept_ci"][0] < 0.72 < f1["intercept_ci"][1]
    assert f1["p_value"] < 1e-6
    lo, hi = fit_band(x, y, [0.0, 0.5, 1.0], seed=5, n_resamples=3000)
    assert np.all(lo < hi)
    mid = f1["intercept"] + f1["slope"] * 0.5
    assert lo[1] < mid < hi[1]


def test_bad_input():
    with pytest.raises(ValueError, match="differ in length"):
        fit_line([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="at least 3"):
        fit_line([1, 2], [1, 2])
    with pytest.raises(ValueError, match="undefined"):
        fit_line([1, 1, 1], [1, 2, 3])


def test_reproduces_the_paper_fit_of_its_17_points():
    from flaws import paper

    he = paper.reported()["humaneval_plus"]
    x = [m["accuracy"] for m in he["models"]]
    y = [m["conditional_accuracy"] for m in he["models"]]
    fit = fit_line(x, y, seed=0, n_resamples=2000)
    want = he["linear_fit_of_the_17_points"]
    assert fit["n"] == 17
    assert fit["slope"] == pytest.approx(want["slope"], abs=5e-5)
    assert fit["intercept"] == pytest.approx(want["intercept"], abs=5e-5)
    assert fit["r_squared"] == pytest.approx(want["r_squared"], abs=5e-5)
    assert fit["p_value"] == pytest.approx(want["p_value"], rel=0.05)


# --- Fig. 1a from per-task counts ---------------------------------------------------------------

import pandas as pd  # noqa: E402

from flaws import correlation, metrics, stats  # noqa: E402


def small_counts():
    rows = []
    # model a: tasks t0..t2; model b lacks t2; c has every task
    for model, per_task in {
        "a": {"t0": (10, 8, 8), "t1": (10, 4, 2), "t2": (10, 0, 0)},
        "b": {"t0": (10, 5, 4), "t1": (10, 2, 0)},
        "c": {"t0": (10, 10, 9), "t1": (10, 6, 6), "t2": (10, 3, 1)},
    }.items():
        for t, (n, b, c) in per_task.items():
            rows.append({"benchmark": "h", "model": model, "prompt_style": "base", "task_id": t,
                         "n": n, "base_passes": b, "plus_passes": c, "correct": c})
    return pd.DataFrame(rows)


def test_task_matrices_and_points_match_summaries():
    counts = small_counts()
    cfg = [("a", "base"), ("b", "base"), ("c", "base")]
    m = correlation.task_matrices(counts, cfg)
    assert m["task_ids"] == ["t0", "t1", "t2"] and m["N"][2, 1] == 0
    x, y = correlation.model_points(m["N"], m["B"], m["C"])
    s = metrics.summarize(counts, n_resamples=50).set_index("model")
    np.testing.assert_allclose(x, s.loc[["a", "b", "c"], "accuracy"])
    np.testing.assert_allclose(y, s.loc[["a", "b", "c"], "conditional_accuracy"])
    # weight 2 on t1 = the same task twice
    dup = pd.concat([counts, counts[counts.task_id == "t1"].assign(task_id="t1b")])
    s2 = metrics.summarize(dup, n_resamples=50).set_index("model")
    x2, y2 = correlation.model_points(m["N"], m["B"], m["C"], weights=[1, 2, 1])
    np.testing.assert_allclose(x2, s2.loc[["a", "b", "c"], "accuracy"])
    np.testing.assert_allclose(y2, s2.loc[["a", "b", "c"], "conditional_accuracy"])
    # a leading axis of draws averages the points of each draw
    xd, yd = correlation.model_points(np.stack([m["N"]] * 2), np.stack([m["B"], m["C"]]), np.stack([m["C"]] * 2))
    _, y_bc = correlation.model_points(m["N"], m["C"], m["C"])
    np.testing.assert_allclose(yd, (y + y_bc) / 2)


def simulated_counts(seed, n_tasks, n_models):
    """Counts (tasks x models) of 10 samples; base and correct rates rise with a model's skill."""
    rng = np.random.default_rng(seed)
    skill = np.linspace(0.2, 0.9, n_models)
    N = np.full((n_tasks, n_models), 10)
    B = rng.binomial(10, np.clip(skill + 0.05, 0, 1), size=(n_tasks, n_models))
    return N, B, rng.binomial(B, 0.7 + 0.25 * skill)


def test_line_with_intervals_orders_the_intervals():
    n_tasks, n_models = 60, 8
    N, B, C = simulated_counts(0, n_tasks, n_models)
    fit = correlation.line_with_intervals(N, B, C, seed=0, n_resamples=400, n_resamples_points=400)
    assert fit["n"] == n_models and fit["n_tasks"] == n_tasks and fit["n_dropped"] == 0
    for key in ("slope_ci", "slope_ci_t", "slope_ci_points"):
        lo, hi = fit[key]
        assert lo < fit["slope"] < hi
    # the two-level interval adds the task noise of every point: wider than the points-only one
    width = lambda ci: ci[1] - ci[0]  # noqa: E731
    assert width(fit["slope_ci"]) > width(fit["slope_ci_points"])
    assert 0 < fit["p_two_level"] <= 1
    again = correlation.line_with_intervals(N, B, C, seed=0, n_resamples=400, n_resamples_points=400)
    assert again["slope_ci"] == fit["slope_ci"]


def test_bootstrap_p_value():
    assert correlation.bootstrap_p_value([1, 2, 3, 4]) == 0.25  # floor 1/R
    assert correlation.bootstrap_p_value([-1, 1, 2, 3]) == 0.5
    assert correlation.bootstrap_p_value([-1, -2, 1, 2]) == 1.0


def test_hard_tasks_and_top_false_positive_tasks():
    B = np.array([[10, 10], [4, 0], [5, 5], [0, 0]])
    C = np.array([[10, 9], [2, 0], [5, 3], [0, 0]])
    # per-task mean of c/b over configurations where defined: 0.95, 0.5, 0.8, undefined
    np.testing.assert_array_equal(correlation.hard_tasks(B, C), [False, True, True, False])
    np.testing.assert_array_equal(correlation.hard_tasks(B, C, threshold=0.96), [True, True, True, False])
    # false positives per task: 1, 2, 2, 0 -> ties keep row order
    np.testing.assert_array_equal(correlation.top_false_positive_tasks(B, C, 3), [1, 2, 0])


def test_cluster_robust_line():
    rng = np.random.default_rng(3)
    x = rng.random(12)
    y = 0.3 + 0.2 * x + rng.normal(0, 0.02, 12)
    single = stats.cluster_robust_line(x, y, np.arange(12))
    assert single["slope"] == pytest.approx(stats.ols(x, y)["slope"])
    assert single["slope_ci"][0] < single["slope"] < single["slope_ci"][1]
    # every point twice in its own cluster: same line, the sandwich differs only by the
    # small-sample factor (N-1)/(N-2), N = 24 instead of 12
    dup = stats.cluster_robust_line(np.r_[x, x], np.r_[y, y], np.r_[np.arange(12), np.arange(12)])
    assert dup["slope"] == pytest.approx(single["slope"])
    assert dup["slope_stderr"] / single["slope_stderr"] == pytest.approx(np.sqrt((23 / 22) / (11 / 10)))
    # a cluster of near-copies counts once: the interval is far wider than the naive OLS one
    xs, ys = np.repeat(x[:4], 5), np.repeat(y[:4], 5) + rng.normal(0, 1e-4, 20)
    cr = stats.cluster_robust_line(xs, ys, np.repeat(np.arange(4), 5))
    naive = stats.t_interval_line(xs, ys)["slope_ci"]
    assert cr["slope_ci"][1] - cr["slope_ci"][0] > 3 * (naive[1] - naive[0])
    with pytest.raises(ValueError):
        stats.cluster_robust_line(x, y, np.arange(12) % 2)


def test_group_lines_leave_out_robustness_and_cutoff():
    n_tasks = 40
    N, B, C = simulated_counts(1, n_tasks, 6)
    g = correlation.group_lines(N, B, C, ["a", "a", "a", "a", "b", "b"], n_resamples=200)
    a, b = g.set_index("group").loc["a"], g.set_index("group").loc["b"]
    assert a.points == 4 and a.slope_low < a.slope < a.slope_high
    assert b.points == 2 and b.r_squared == 1.0 and np.isnan(b.slope_low)
    x, y = correlation.model_points(N[:, 4:], B[:, 4:], C[:, 4:])
    assert b.slope == pytest.approx((y[1] - y[0]) / (x[1] - x[0]))
    ids = [f"t{i}" for i in range(n_tasks)]
    lo = correlation.leave_out_lines(N, B, C, ids, ks=(0, 3), n_resamples=200)
    assert lo.removed.iloc[0] == [] and len(lo.removed.iloc[1]) == 3
    full = correlation.line_with_intervals(N, B, C, n_resamples=200, n_resamples_points=200)
    assert lo.slope.iloc[0] == pytest.approx(full["slope"])
    top = correlation.top_false_positive_tasks(B, C, 3)
    keep = np.setdiff1d(np.arange(n_tasks), top)
    assert lo.slope.iloc[1] == pytest.approx(stats.ols(*correlation.model_points(N[keep], B[keep], C[keep]))["slope"])
    rob = correlation.slope_robustness({"x": (0.2, (0.1, 0.3)), "y": (0.1, (-0.05, 0.15))}, 0.22)
    assert rob.paper_inside.tolist() == [True, False] and rob.significant.tolist() == [True, False]
    reach = pd.DataFrame({"reachable_accuracy": [0.5, 0.7, 0.9], "high": [0.6, 0.85, 0.95]})
    cut = correlation.cutoff_table(reach, 0.8)
    assert cut.below.tolist() == [True, True, False] and cut.below_whole_interval.tolist() == [True, False, False]


def test_cutoff_gap_table_pairs_the_cutoff_with_the_model():
    from flaws.correlation import cutoff_gap_table

    rows = []
    for t in range(6):
        rows.append(("strong", f"T/{t}", 10, 8, 7 if t % 2 else 6))
        rows.append(("weak", f"T/{t}", 10, 3, 1 + t % 2))
    rows.append(("weak", "T/9", 10, 9, 9))  # a task the strong model lacks: not compared
    counts = pd.DataFrame(rows, columns=["model", "task_id", "n", "base_passes", "correct"]).assign(prompt_style="base")
    tab = cutoff_gap_table(counts, ("strong", "base"), [1, "n"], seed=0, n_resamples=500).set_index("k_label")
    assert (tab.n_tasks == 6).all()
    w = counts[(counts.model == "weak") & (counts.task_id != "T/9")]
    s = counts[counts.model == "strong"]
    target = (s.correct / s.n).to_numpy()
    assert tab.loc["1", "gap"] == pytest.approx((w.correct / w.n).mean() - target.mean())
    reach_n = (w.correct / w.base_passes).to_numpy()
    assert tab.loc["n", "gap"] == pytest.approx((reach_n - target).mean())
    assert all(tab.low <= tab.gap) and all(tab.gap <= tab.high)
    assert tab.loc["1", "below_whole_interval"] == (tab.loc["1", "high"] < 0)
    with pytest.raises(ValueError):
        cutoff_gap_table(counts, ("absent", "base"), [1])
