"""The project's statistics: bootstrap intervals from the right unit, t-intervals, Holm's correction.

One module for every interval the book reports, so that each names its resampling unit:

* :func:`bootstrap_mean`, :func:`bootstrap_ratio` - one model's per-task values; tasks are the unit.
* :func:`cluster_ratio_interval`, :func:`paired_mean_interval` - clustered samples (code quality):
  whole tasks are resampled, never single samples.
* :func:`bootstrap_lines` - a line through model points, resampling the points (models) only.
* :func:`two_level_draws` / :func:`two_level_line` - a line through model points whose coordinates
  are themselves per-task means over the *same* tasks: each replicate resamples the tasks once (the
  same draw for every model, since they share tasks), recomputes every model's point, then
  resamples the models, and refits. This carries both the task-level noise of each point and the
  between-model spread.
* :func:`t_interval_line` - the classical t-interval of an OLS slope and intercept.
* :func:`holm` - Holm-Bonferroni adjusted p-values for a family of tests.

Every function takes a seed (or a generator) and is deterministic for it.
"""

from __future__ import annotations

import inspect
from typing import Callable

import numpy as np
from scipy import stats as _st

__all__ = [
    "percentile_interval", "bootstrap_mean", "bootstrap_ratio", "cluster_ratio_interval",
    "paired_mean_interval", "bootstrap_lines", "ols", "t_interval_line", "two_level_draws",
    "two_level_line", "holm",
]


def percentile_interval(values, confidence: float = 0.95) -> tuple[float, float]:
    """Equal-tailed percentile interval of bootstrap replicates (NaNs dropped)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan")
    a = (1 - confidence) / 2 * 100
    return float(np.percentile(v, a)), float(np.percentile(v, 100 - a))


def _rng_kwarg(rng: np.random.Generator) -> dict:
    """``scipy.stats.bootstrap`` takes ``rng`` from SciPy 1.15 on, ``random_state`` before."""
    params = inspect.signature(_st.bootstrap).parameters
    return {"rng": rng} if "rng" in params else {"random_state": rng}


def bootstrap_mean(x: np.ndarray, rng: np.random.Generator, confidence: float = 0.95,
                   n_resamples: int = 9999) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of per-task values ``x`` (tasks resampled)."""
    x = np.asarray(x, dtype=float)
    if len(x) < 2 or np.all(x == x[0]):
        v = float(x[0]) if len(x) else float("nan")
        return (v, v) if len(x) else (float("nan"), float("nan"))
    res = _st.bootstrap(
        (x,), np.mean, confidence_level=confidence, n_resamples=n_resamples,
        method="percentile", vectorized=True, **_rng_kwarg(rng),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def bootstrap_ratio(num: np.ndarray, den: np.ndarray, rng: np.random.Generator,
                    confidence: float = 0.95, n_resamples: int = 9999) -> tuple[float, float]:
    """Percentile bootstrap interval of sum(num)/sum(den), tasks resampled in pairs.

    Tasks with ``den == 0`` add nothing to either sum; resampling only the others keeps every
    replicate defined."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    keep = den > 0
    num, den = num[keep], den[keep]
    if len(num) < 2:
        v = float(num.sum() / den.sum()) if len(num) and den.sum() > 0 else float("nan")
        return v, v

    def ratio(a, b, axis=-1):
        return a.sum(axis=axis) / b.sum(axis=axis)

    ratios = num / den
    if np.all(ratios == ratios[0]):
        return float(ratios[0]), float(ratios[0])
    res = _st.bootstrap(
        (num, den), ratio, paired=True, confidence_level=confidence, n_resamples=n_resamples,
        method="percentile", vectorized=True, **_rng_kwarg(rng),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def cluster_ratio_interval(num: np.ndarray, den: np.ndarray, rng: np.random.Generator,
                           confidence: float = 0.95, n_resamples: int = 2000) -> tuple[float, float]:
    """Percentile interval of sum(num)/sum(den) over clusters (tasks) resampled with replacement.

    ``num[i]`` and ``den[i]`` are cluster ``i``'s totals (e.g. adherent samples and samples of a
    task); replicates whose denominator is 0 are dropped."""
    num, den = np.asarray(num, dtype=float), np.asarray(den, dtype=float)
    if len(num) == 0 or den.sum() == 0:
        return float("nan"), float("nan")
    idx = rng.integers(0, len(num), size=(n_resamples, len(num)))
    d = den[idx].sum(axis=1)
    ok = d > 0
    return percentile_interval(num[idx].sum(axis=1)[ok] / d[ok], confidence)


def paired_mean_interval(diffs: np.ndarray, rng: np.random.Generator, confidence: float = 0.95,
                         n_resamples: int = 2000) -> tuple[float, float, float]:
    """Mean of per-cluster differences: (low, high, two-sided bootstrap p-value of mean = 0).

    The p-value is twice the smaller share of replicate means on either side of 0, counted as
    (k + 1) / (B + 1) so that a finite bootstrap never claims p = 0 (its smallest value is
    2 / (B + 1)); capped at 1."""
    diffs = np.asarray(diffs, dtype=float)
    if diffs.size == 0:
        return float("nan"), float("nan"), float("nan")
    idx = rng.integers(0, len(diffs), size=(n_resamples, len(diffs)))
    means = diffs[idx].mean(axis=1)
    lo, hi = percentile_interval(means, confidence)
    k = min(int((means <= 0).sum()), int((means >= 0).sum()))
    p = 2 * (k + 1) / (n_resamples + 1)
    return lo, hi, float(min(1.0, p))


def cluster_mean_interval(values: np.ndarray, clusters, rng: np.random.Generator,
                          confidence: float = 0.95, n_resamples: int = 2000) -> tuple[float, float, float]:
    """Mean of ``values`` with clusters resampled: (low, high, two-sided bootstrap p of mean = 0).

    Values in one cluster (e.g. the per-model differences of one task, when models share tasks)
    are not independent, so whole clusters are drawn with replacement and each replicate is the
    mean over all values of the drawn clusters. The p-value is counted as in
    :func:`paired_mean_interval`; with one value per cluster this is that function's bootstrap
    (clusters taken in sorted label order)."""
    values = np.asarray(values, dtype=float).reshape(-1)
    clusters = np.asarray(clusters).reshape(-1)
    if clusters.shape != values.shape:
        raise ValueError("one cluster label per value")
    if values.size == 0:
        return float("nan"), float("nan"), float("nan")
    _, g = np.unique(clusters, return_inverse=True)
    sums = np.bincount(g, weights=values)
    counts = np.bincount(g).astype(float)
    idx = rng.integers(0, len(sums), size=(n_resamples, len(sums)))
    means = sums[idx].sum(axis=1) / counts[idx].sum(axis=1)
    lo, hi = percentile_interval(means, confidence)
    k = min(int((means <= 0).sum()), int((means >= 0).sum()))
    return lo, hi, float(min(1.0, 2 * (k + 1) / (n_resamples + 1)))


def _clean_xy(x, y):
    x = np.asarray(x, dtype=float).reshape(-1)
    y = np.asarray(y, dtype=float).reshape(-1)
    if x.shape != y.shape:
        raise ValueError(f"x and y differ in length ({x.size} vs {y.size})")
    if x.size < 3:
        raise ValueError(f"need at least 3 points for a line with a p-value, got {x.size}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise ValueError("x and y must be finite")
    if np.all(x == x[0]):
        raise ValueError("all x values are equal: the slope is undefined")
    return x, y


def _rowwise_ols(xs: np.ndarray, ys: np.ndarray, scale: float):
    """Slope, intercept and R² of an OLS fit per row; rows with constant x come back NaN."""
    xm = xs.mean(axis=1, keepdims=True)
    ym = ys.mean(axis=1, keepdims=True)
    sxx = ((xs - xm) ** 2).sum(axis=1)
    sxy = ((xs - xm) * (ys - ym)).sum(axis=1)
    syy = ((ys - ym) ** 2).sum(axis=1)
    ok = sxx > 1e-15 * max(1.0, scale) ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        slope = np.where(ok, sxy / np.where(ok, sxx, 1.0), np.nan)
        r2 = np.where(ok & (syy > 0), sxy**2 / np.where(ok, sxx, 1.0) / np.where(syy > 0, syy, 1.0), np.nan)
    intercept = ym[:, 0] - slope * xm[:, 0]
    return slope, intercept, r2


def bootstrap_lines(x, y, seed: int = 0, n_resamples: int = 9999) -> tuple[np.ndarray, np.ndarray]:
    """Slopes and intercepts of OLS fits to ``n_resamples`` case resamples of the points
    (degenerate ones, where every x is equal, dropped)."""
    x, y = _clean_xy(x, y)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(n_resamples, x.size))
    slope, intercept, _ = _rowwise_ols(x[idx], y[idx], float(np.abs(x).max()))
    ok = np.isfinite(slope)
    return slope[ok], intercept[ok]


def ols(x, y) -> dict:
    """OLS of y on x: slope, intercept, r_squared, p_value (two-sided, slope = 0), standard errors, n."""
    x, y = _clean_xy(x, y)
    res = _st.linregress(x, y)
    return {"slope": float(res.slope), "intercept": float(res.intercept),
            "r_squared": float(res.rvalue**2), "p_value": float(res.pvalue),
            "slope_stderr": float(res.stderr), "intercept_stderr": float(res.intercept_stderr),
            "n": int(x.size)}


def t_interval_line(x, y, confidence: float = 0.95) -> dict:
    """Classical t-intervals (n - 2 degrees of freedom) of the OLS slope and intercept."""
    fit = ols(x, y)
    t = float(_st.t.ppf(0.5 + confidence / 2, fit["n"] - 2))
    return {"slope_ci": (fit["slope"] - t * fit["slope_stderr"], fit["slope"] + t * fit["slope_stderr"]),
            "intercept_ci": (fit["intercept"] - t * fit["intercept_stderr"],
                             fit["intercept"] + t * fit["intercept_stderr"])}


def two_level_draws(n_tasks: int, n_models: int, n_resamples: int, seed: int = 0):
    """Index arrays of the two-level bootstrap: ``(tasks, models)`` of shapes
    ``(n_resamples, n_tasks)`` and ``(n_resamples, n_models)``; replicate ``r`` uses task draw
    ``tasks[r]`` for every model and then the models ``models[r]``."""
    rng = np.random.default_rng(seed)
    tasks = rng.integers(0, n_tasks, size=(n_resamples, n_tasks))
    models = rng.integers(0, n_models, size=(n_resamples, n_models))
    return tasks, models


def two_level_line(point: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]], n_tasks: int,
                   n_models: int, seed: int = 0, n_resamples: int = 2000,
                   confidence: float = 0.95) -> dict:
    """Two-level (task x model) bootstrap of an OLS line through model points.

    ``point(task_index)`` returns the arrays ``(x, y)`` of all ``n_models`` points computed on the
    tasks ``task_index`` (a draw with replacement; ``np.arange(n_tasks)`` gives the estimate).
    Each replicate draws the tasks once for all models, recomputes the points, resamples the
    models and refits. Replicates with a constant x or an undefined point are dropped (counted in
    ``n_dropped``). Returns the replicate arrays and the percentile intervals of slope, intercept
    and R²."""
    tasks, models = two_level_draws(n_tasks, n_models, n_resamples, seed)
    xs = np.empty((n_resamples, n_models))
    ys = np.empty((n_resamples, n_models))
    for r in range(n_resamples):
        x, y = point(tasks[r])
        x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
        xs[r], ys[r] = x[models[r]], y[models[r]]
    finite = np.isfinite(xs).all(axis=1) & np.isfinite(ys).all(axis=1)
    xs, ys = np.where(finite[:, None], xs, 0.0), np.where(finite[:, None], ys, 0.0)
    slope, intercept, r2 = _rowwise_ols(xs, ys, float(np.nanmax(np.abs(xs))) if xs.size else 1.0)
    ok = finite & np.isfinite(slope)
    return {"slopes": slope[ok], "intercepts": intercept[ok], "r_squared": r2[ok],
            "slope_ci": percentile_interval(slope[ok], confidence),
            "intercept_ci": percentile_interval(intercept[ok], confidence),
            "r_squared_ci": percentile_interval(r2[ok], confidence),
            "n_dropped": int((~ok).sum())}


def holm(p_values) -> np.ndarray:
    """Holm-Bonferroni adjusted p-values (same order as given; NaNs stay NaN and do not count)."""
    p = np.asarray(p_values, dtype=float).reshape(-1)
    out = np.full(p.shape, np.nan)
    valid = np.flatnonzero(np.isfinite(p))
    m = valid.size
    if m == 0:
        return out
    order = valid[np.argsort(p[valid], kind="stable")]
    adj = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out[order] = adj
    return out


def cluster_robust_line(x, y, clusters, confidence: float = 0.95) -> dict:
    """OLS line with a cluster-robust (sandwich, CR1) standard error of the slope and intercept.

    Points in one cluster (e.g. the prompt variants of one model) are not independent; the
    covariance ``(X'X)^-1 (sum_g X_g' u_g u_g' X_g) (X'X)^-1`` is scaled by
    ``G/(G-1) * (N-1)/(N-2)`` and intervals use a t distribution with G - 1 degrees of freedom
    (G clusters, N points). Returns slope, intercept, their standard errors, intervals and the
    two-sided p-value of slope = 0, n and n_clusters."""
    x, y = _clean_xy(x, y)
    clusters = np.asarray(clusters).reshape(-1)
    if clusters.shape != x.shape:
        raise ValueError("one cluster label per point")
    labels, g = np.unique(clusters, return_inverse=True)
    n_g, n = len(labels), x.size
    if n_g < 3:
        raise ValueError(f"need at least 3 clusters, got {n_g}")
    X = np.column_stack([np.ones(n), x])
    bread = np.linalg.inv(X.T @ X)
    beta = bread @ X.T @ y
    u = y - X @ beta
    scores = np.zeros((n_g, 2))
    np.add.at(scores, g, X * u[:, None])
    cov = bread @ (scores.T @ scores) @ bread * n_g / (n_g - 1) * (n - 1) / (n - 2)
    se = np.sqrt(np.diag(cov))
    t = float(_st.t.ppf(0.5 + confidence / 2, n_g - 1))
    p = float(2 * _st.t.sf(abs(beta[1] / se[1]), n_g - 1)) if se[1] > 0 else 0.0
    return {"slope": float(beta[1]), "intercept": float(beta[0]), "slope_stderr": float(se[1]),
            "intercept_stderr": float(se[0]),
            "slope_ci": (float(beta[1] - t * se[1]), float(beta[1] + t * se[1])),
            "intercept_ci": (float(beta[0] - t * se[0]), float(beta[0] + t * se[0])),
            "p_value": p, "n": int(n), "n_clusters": int(n_g)}


__all__ += ["cluster_robust_line"]


def task_weights(n_tasks: int, n_resamples: int, seed: int = 0) -> np.ndarray:
    """Task bootstrap as weights: how often each task is drawn in each replicate.

    Shape ``(n_resamples, n_tasks)``; row ``r`` counts task ``t`` as often as a draw of
    ``n_tasks`` tasks with replacement picks it. A statistic that is a sum over tasks (a mean
    reward curve, expected counts of accepted programs) is then recomputed exactly for every
    replicate by one matrix product ``weights @ per_task_values``."""
    if n_tasks < 1 or n_resamples < 1:
        raise ValueError("need at least one task and one replicate")
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_tasks, size=(n_resamples, n_tasks))
    out = np.zeros((n_resamples, n_tasks), dtype=np.int64)
    np.add.at(out, (np.repeat(np.arange(n_resamples), n_tasks), draws.ravel()), 1)
    return out


def discrete_interval(values, confidence: float = 0.90) -> tuple[float, float]:
    """Equal-tailed percentile interval of replicates of an integer-valued statistic (an optimal
    budget): both ends are values some replicate took (no interpolation between budgets)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan")
    a = (1 - confidence) / 2
    return (float(np.quantile(v, a, method="inverted_cdf")),
            float(np.quantile(v, 1 - a, method="inverted_cdf")))


__all__ += ["task_weights", "discrete_interval"]
