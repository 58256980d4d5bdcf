"""Ordinary least-squares line with a case-resampling bootstrap (accuracy vs conditional accuracy).

The paper fits conditional accuracy (the resampling ceiling) against single-sample accuracy over
its 17 models; :func:`fit_line` gives the same OLS statistics (slope, intercept, R², two-sided
p-value of the slope from :func:`scipy.stats.linregress`) plus percentile bootstrap intervals:
points (x_i, y_i) are resampled with replacement (seeded), the line refitted each time, and
resamples where every x is equal (slope undefined) are skipped. :func:`fit_band` gives the
pointwise bootstrap band of the fitted line for plotting.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

__all__ = ["fit_line", "fit_band", "bootstrap_lines"]


def _clean(x, y):
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


def bootstrap_lines(x, y, seed: int = 0, n_resamples: int = 9999) -> tuple[np.ndarray, np.ndarray]:
    """Slopes and intercepts of OLS fits to ``n_resamples`` case resamples (degenerate ones dropped)."""
    x, y = _clean(x, y)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(n_resamples, x.size))
    xs, ys = x[idx], y[idx]
    xm = xs.mean(axis=1, keepdims=True)
    ym = ys.mean(axis=1, keepdims=True)
    sxx = ((xs - xm) ** 2).sum(axis=1)
    sxy = ((xs - xm) * (ys - ym)).sum(axis=1)
    ok = sxx > 1e-15 * max(1.0, float(np.abs(x).max()) ** 2)
    slope = sxy[ok] / sxx[ok]
    intercept = ym[ok, 0] - slope * xm[ok, 0]
    return slope, intercept


def fit_line(x, y, seed: int = 0, confidence: float = 0.95, n_resamples: int = 9999) -> dict:
    """OLS fit of y on x with bootstrap intervals.

    Returns a dict with slope, intercept, r_squared, p_value (slope != 0, two-sided t-test),
    slope_ci and intercept_ci (percentile bootstrap over points, ``confidence`` level, seeded),
    slope_stderr, intercept_stderr (OLS standard errors) and n.
    """
    x, y = _clean(x, y)
    res = stats.linregress(x, y)
    slopes, intercepts = bootstrap_lines(x, y, seed=seed, n_resamples=n_resamples)
    a = (1 - confidence) / 2 * 100
    return {
        "slope": float(res.slope),
        "intercept": float(res.intercept),
        "r_squared": float(res.rvalue**2),
        "p_value": float(res.pvalue),
        "slope_ci": (float(np.percentile(slopes, a)), float(np.percentile(slopes, 100 - a))),
        "intercept_ci": (float(np.percentile(intercepts, a)), float(np.percentile(intercepts, 100 - a))),
        "slope_stderr": float(res.stderr),
        "intercept_stderr": float(res.intercept_stderr),
        "n": int(x.size),
    }


def fit_band(x, y, grid, seed: int = 0, confidence: float = 0.95, n_resamples: int = 9999):
    """Pointwise percentile bootstrap band of the fitted line at ``grid``: (low, high) arrays."""
    slopes, intercepts = bootstrap_lines(x, y, seed=seed, n_resamples=n_resamples)
    grid = np.asarray(grid, dtype=float).reshape(-1)
    lines = intercepts[:, None] + slopes[:, None] * grid[None, :]
    a = (1 - confidence) / 2 * 100
    return np.percentile(lines, a, axis=0), np.percentile(lines, 100 - a, axis=0)
