"""flaws.stats: intervals, Holm's correction and the two-level bootstrap on tiny hand-made inputs."""

import numpy as np
import pytest
from scipy import stats as st

from flaws import stats


def test_holm_matches_hand_computation():
    # sorted p: 0.01, 0.02, 0.03, 0.04 -> 4*0.01, 3*0.02, 2*0.03, 1*0.04, made monotone
    adj = stats.holm([0.03, 0.01, 0.04, 0.02])
    assert np.allclose(adj, [0.06, 0.04, 0.06, 0.06])
    assert np.isnan(stats.holm([np.nan, 0.5])[0]) and stats.holm([np.nan, 0.5])[1] == 0.5
    assert stats.holm([0.9, 0.8]).max() == 1.0


def test_holm_fails_a_single_small_p_among_eight():
    p = [0.008] + [0.5] * 7
    assert stats.holm(p)[0] == pytest.approx(0.064)  # not significant at 0.05 after correction


def test_t_interval_matches_scipy():
    x = np.array([0.1, 0.3, 0.4, 0.7, 0.9])
    y = np.array([0.5, 0.6, 0.7, 0.8, 0.95])
    res = st.linregress(x, y)
    t = st.t.ppf(0.975, 3)
    ci = stats.t_interval_line(x, y)["slope_ci"]
    assert ci == pytest.approx((res.slope - t * res.stderr, res.slope + t * res.stderr))


def test_two_level_line_is_wider_than_points_only_when_tasks_are_noisy():
    rng = np.random.default_rng(1)
    n_tasks, n_models = 40, 6
    quality = np.linspace(0.2, 0.8, n_models)
    # per-task accuracy of each model: noisy around its quality; y is a noisy function of x
    acc = np.clip(quality[None, :] + rng.normal(0, 0.3, (n_tasks, n_models)), 0, 1)
    ceil = np.clip(0.5 + 0.5 * acc + rng.normal(0, 0.3, (n_tasks, n_models)), 0, 1)

    def point(idx):
        return acc[idx].mean(axis=0), ceil[idx].mean(axis=0)

    x, y = point(np.arange(n_tasks))
    two = stats.two_level_line(point, n_tasks, n_models, seed=0, n_resamples=500)
    slopes, _ = stats.bootstrap_lines(x, y, seed=0, n_resamples=500)
    lo1, hi1 = stats.percentile_interval(slopes)
    lo2, hi2 = two["slope_ci"]
    assert lo2 < stats.ols(x, y)["slope"] < hi2
    assert hi2 - lo2 > 0
    assert two["n_dropped"] >= 0
    # same seed, same replicates
    again = stats.two_level_line(point, n_tasks, n_models, seed=0, n_resamples=500)
    assert np.array_equal(two["slopes"], again["slopes"])


def test_two_level_draws_share_the_task_draw_across_models():
    tasks, models = stats.two_level_draws(5, 3, 4, seed=2)
    assert tasks.shape == (4, 5) and models.shape == (4, 3)
    assert tasks.max() < 5 and models.max() < 3


def test_cluster_and_paired_intervals():
    rng = np.random.default_rng(0)
    lo, hi = stats.cluster_ratio_interval(np.array([1, 2, 3.0]), np.array([2, 2, 4.0]), rng)
    assert 0.25 <= lo <= 6 / 8 <= hi <= 1
    lo, hi, p = stats.paired_mean_interval(np.array([0.5, 0.6, 0.4, 0.55]), np.random.default_rng(0))
    assert lo > 0 and p < 0.05
    lo, hi, p = stats.paired_mean_interval(np.array([0.5, -0.6, 0.4, -0.35]), np.random.default_rng(0))
    assert lo < 0 < hi and p > 0.05
    assert all(np.isnan(v) for v in stats.paired_mean_interval(np.array([]), rng))


def test_paired_mean_p_value_is_never_zero():
    # every replicate mean is positive: the p-value is the bootstrap's floor 2 / (B + 1), not 0
    _lo, _hi, p = stats.paired_mean_interval(np.full(20, 0.3) + np.arange(20) * 0.01,
                                             np.random.default_rng(0), n_resamples=999)
    assert p == pytest.approx(2 / 1000)


def test_bootstrap_mean_degenerate_cases():
    rng = np.random.default_rng(0)
    assert stats.bootstrap_mean(np.array([0.3, 0.3]), rng) == (0.3, 0.3)
    assert all(np.isnan(v) for v in stats.bootstrap_mean(np.array([]), rng))


def test_task_weights_are_draw_counts():
    w = stats.task_weights(7, 50, seed=3)
    assert w.shape == (50, 7) and (w.sum(axis=1) == 7).all() and (w >= 0).all()
    assert np.array_equal(w, stats.task_weights(7, 50, seed=3))
    # the weighted mean equals the mean over the drawn tasks
    rng = np.random.default_rng(3)
    draws = rng.integers(0, 7, size=(50, 7))
    x = np.arange(7.0) ** 2
    assert np.allclose(w @ x / 7, x[draws].mean(axis=1))
    with pytest.raises(ValueError):
        stats.task_weights(0, 5)


def test_discrete_interval_takes_observed_values():
    v = np.array([1] * 10 + [7] * 80 + [200] * 10)
    assert stats.discrete_interval(v, 0.90) == (1.0, 200.0)
    assert stats.discrete_interval(v, 0.70) == (7.0, 7.0)
    lo, hi = stats.discrete_interval([3, 4, 5, 6], 0.5)
    assert lo in (3, 4, 5, 6) and hi in (3, 4, 5, 6)
    assert np.isnan(stats.discrete_interval([np.nan])[0])


def test_cluster_mean_interval_resamples_whole_clusters():
    # one value per cluster: the same replicates as the paired bootstrap (labels already sorted)
    d = np.array([0.5, -0.2, 0.4, 0.1, 0.3])
    assert stats.cluster_mean_interval(d, np.arange(5), np.random.default_rng(4)) == \
        stats.paired_mean_interval(d, np.random.default_rng(4))
    # two clusters of perfectly correlated values: as uncertain as two values, not eight
    vals = np.array([1.0] * 4 + [-1.0] * 4)
    lo, hi, p = stats.cluster_mean_interval(vals, ["a"] * 4 + ["b"] * 4, np.random.default_rng(0),
                                            n_resamples=999)
    assert lo == -1 and hi == 1 and p > 0.5
    lo8, hi8, _ = stats.paired_mean_interval(vals, np.random.default_rng(0), n_resamples=999)
    assert hi8 - lo8 < hi - lo
    with pytest.raises(ValueError):
        stats.cluster_mean_interval(vals, ["a"], np.random.default_rng(0))
