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

from .stats import bootstrap_lines, ols, percentile_interval

__all__ = ["fit_line", "fit_band", "bootstrap_lines"]


def fit_line(x, y, seed: int = 0, confidence: float = 0.95, n_resamples: int = 9999) -> dict:
    """OLS fit of y on x with bootstrap intervals.

    Returns a dict with slope, intercept, r_squared, p_value (slope != 0, two-sided t-test),
    slope_ci and intercept_ci (percentile bootstrap over points, ``confidence`` level, seeded),
    slope_stderr, intercept_stderr (OLS standard errors) and n.
    """
    fit = ols(x, y)
    slopes, intercepts = bootstrap_lines(x, y, seed=seed, n_resamples=n_resamples)
    return {
        "slope": fit["slope"],
        "intercept": fit["intercept"],
        "r_squared": fit["r_squared"],
        "p_value": fit["p_value"],
        "slope_ci": percentile_interval(slopes, confidence),
        "intercept_ci": percentile_interval(intercepts, confidence),
        "slope_stderr": fit["slope_stderr"],
        "intercept_stderr": fit["intercept_stderr"],
        "n": fit["n"],
    }


def fit_band(x, y, grid, seed: int = 0, confidence: float = 0.95, n_resamples: int = 9999):
    """Pointwise percentile bootstrap band of the fitted line at ``grid``: (low, high) arrays."""
    slopes, intercepts = bootstrap_lines(x, y, seed=seed, n_resamples=n_resamples)
    grid = np.asarray(grid, dtype=float).reshape(-1)
    lines = intercepts[:, None] + slopes[:, None] * grid[None, :]
    a = (1 - confidence) / 2 * 100
    return np.percentile(lines, a, axis=0), np.percentile(lines, 100 - a, axis=0)
