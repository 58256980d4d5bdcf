"""Ordinary least-squares line with a case-resampling bootstrap (accuracy vs conditional accuracy).

The paper fits conditional accuracy (the resampling ceiling) against single-sample accuracy over
its 17 models; :func:`fit_line` gives the same OLS statistics (slope, intercept, R², two-sided
p-value of the slope from :func:`scipy.stats.linregress`) plus percentile bootstrap intervals:
points (x_i, y_i) are resampled with replacement (seeded), the line refitted each time, and
resamples where every x is equal (slope undefined) are skipped. :func:`fit_band` gives the
pointwise bootstrap band of the fitted line for plotting.

The second half builds the points from per-task counts (:func:`task_matrices`,
:func:`point_function`), so that a line can carry the two-level (task x model) interval of
:func:`flaws.stats.two_level_line` beside the points-only and t-intervals
(:func:`line_with_intervals`), be refitted at equal samples per task, within groups
(:func:`group_lines`), without the tasks holding the most false positives (:func:`leave_out_lines`)
or on the harder tasks (:func:`hard_tasks`); :func:`cutoff_table` marks configurations whose
reachable accuracy lies below the strongest model's single-sample accuracy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .stats import bootstrap_lines, ols, percentile_interval, t_interval_line, two_level_line

__all__ = ["fit_line", "fit_band", "bootstrap_lines", "task_matrices", "model_points", "point_function",
           "line_with_intervals", "bootstrap_p_value", "hard_tasks", "top_false_positive_tasks"]


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


# ----------------------------------------------------------------------------------------------
# Fig. 1a from per-task counts: model points recomputed on any weighting of the tasks
# ----------------------------------------------------------------------------------------------
#
# The points of Fig. 1a are per-task means over the same tasks, so an honest interval of the line
# resamples the tasks (recomputing every point on the same draw) as well as the models
# (:func:`flaws.stats.two_level_line`). The functions below hold the counts of several
# configurations as (tasks x configurations) matrices, optionally with a leading axis of equal-n
# subsamples (:func:`flaws.metrics.subsample_counts`), and compute the points for a vector of task
# weights (the multiplicity of each task in a bootstrap draw).


def task_matrices(counts, configs, keys=("model", "prompt_style")) -> dict:
    """Counts of ``configs`` (a list of tuples of ``keys`` values) as matrices (tasks x configs).

    Returns task_ids (the union of the configurations' tasks, in the order of ``counts``) and N,
    B, C (samples, base passes, correct); a task a configuration lacks has N = B = C = 0."""
    keys = list(keys)
    tasks = pd.unique(counts["task_id"])
    pos = {t: i for i, t in enumerate(tasks)}
    mats = {k: np.zeros((len(tasks), len(configs)), dtype=np.int64) for k in ("N", "B", "C")}
    groups = counts.groupby(keys, sort=False)
    for j, cfg in enumerate(configs):
        g = groups.get_group(tuple(cfg) if len(keys) > 1 else cfg)
        rows = g["task_id"].map(pos).to_numpy()
        mats["N"][rows, j] = g["n"].to_numpy()
        mats["B"][rows, j] = g["base_passes"].to_numpy()
        mats["C"][rows, j] = g["correct"].to_numpy()
    return {"task_ids": list(tasks), **mats}


def point_function(N, B, C):
    """``f(weights) -> (accuracy, conditional_accuracy)`` per configuration for task weights.

    N, B, C: (tasks x configs) or (draws x tasks x configs); with draws, each point is the mean
    over draws of the point of each draw. Accuracy is the weighted mean of c/n over the tasks a
    configuration has; conditional accuracy the weighted mean of c/b over its tasks with b > 0."""
    N, B, C = (np.asarray(a, dtype=float) for a in (N, B, C))
    if N.ndim == 2:
        N, B, C = N[None], B[None], C[None]
    have, defined = N > 0, B > 0
    acc = np.where(have, C / np.where(have, N, 1), 0.0)
    ca = np.where(defined, C / np.where(defined, B, 1), 0.0)
    have, defined = have.astype(float), defined.astype(float)

    def f(weights):
        w = np.asarray(weights, dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            x = np.einsum("dtm,t->dm", acc, w) / np.einsum("dtm,t->dm", have, w)
            y = np.einsum("dtm,t->dm", ca, w) / np.einsum("dtm,t->dm", defined, w)
        return x.mean(axis=0), y.mean(axis=0)

    return f


def model_points(N, B, C, weights=None):
    """(accuracy, conditional accuracy) per configuration on all tasks (or ``weights``)."""
    n_tasks = np.shape(N)[-2]
    return point_function(N, B, C)(np.ones(n_tasks) if weights is None else weights)


def bootstrap_p_value(replicates) -> float:
    """Two-sided bootstrap p-value of "the statistic is 0": twice the smaller share of replicates
    on either side of 0, at least 1/(number of replicates), at most 1."""
    r = np.asarray(replicates, dtype=float)
    r = r[np.isfinite(r)]
    if r.size == 0:
        return float("nan")
    p = 2 * min((r <= 0).mean(), (r >= 0).mean())
    return float(min(1.0, max(p, 1 / r.size)))


def line_with_intervals(N, B, C, seed: int = 0, n_resamples: int = 2000, confidence: float = 0.95,
                        n_resamples_points: int = 9999) -> dict:
    """The Fig. 1a line through the configurations' points with three slope intervals.

    Keys: x, y (the points), slope, intercept, r_squared, p_value (OLS t-test over the points);
    slope_ci_points (bootstrap of the points only), slope_ci_t (t-interval), slope_ci,
    intercept_ci, r_squared_ci and p_two_level (two-level task x model bootstrap, the headline),
    n (points), n_tasks, n_dropped (degenerate two-level replicates), replicates (the two-level
    slopes and intercepts, for a band)."""
    f = point_function(N, B, C)
    n_tasks = np.shape(N)[-2]
    x, y = f(np.ones(n_tasks))
    fit = ols(x, y)
    slopes, _ = bootstrap_lines(x, y, seed=seed, n_resamples=n_resamples_points)
    t = t_interval_line(x, y, confidence)
    two = two_level_line(lambda idx: f(np.bincount(idx, minlength=n_tasks)), n_tasks, len(x),
                         seed=seed, n_resamples=n_resamples, confidence=confidence)
    return {"x": x, "y": y, "slope": fit["slope"], "intercept": fit["intercept"],
            "r_squared": fit["r_squared"], "p_value": fit["p_value"],
            "slope_ci_points": percentile_interval(slopes, confidence), "slope_ci_t": t["slope_ci"],
            "slope_ci": two["slope_ci"], "intercept_ci": two["intercept_ci"],
            "r_squared_ci": two["r_squared_ci"], "p_two_level": bootstrap_p_value(two["slopes"]),
            "n": fit["n"], "n_tasks": int(n_tasks), "n_dropped": two["n_dropped"],
            "replicates": (two["slopes"], two["intercepts"])}


def hard_tasks(B, C, threshold: float = 0.9) -> np.ndarray:
    """Tasks (rows) whose conditional accuracy, averaged over the configurations where it is
    defined, is below ``threshold`` (the paper's "harder tasks"); boolean mask. Tasks defined for
    no configuration are not hard by this rule (no evidence)."""
    B, C = np.asarray(B, dtype=float), np.asarray(C, dtype=float)
    defined = B > 0
    ratio = np.where(defined, C / np.where(defined, B, 1), 0.0)
    k = defined.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(k > 0, ratio.sum(axis=1) / np.maximum(k, 1), np.nan)
    return np.nan_to_num(mean, nan=np.inf) < threshold


def top_false_positive_tasks(B, C, k: int) -> np.ndarray:
    """Row indices of the ``k`` tasks with the most false positives (b - c summed over the
    configurations); ties keep the row order."""
    fp = (np.asarray(B) - np.asarray(C)).sum(axis=1)
    return np.argsort(-fp, kind="stable")[:k]


def group_lines(N, B, C, groups, seed: int = 0, n_resamples: int = 2000) -> pd.DataFrame:
    """One Fig. 1a line per group of configurations (columns), e.g. sampling temperatures.

    ``groups``: one label per column. Groups of 3 or more points get the two-level interval; a
    group of 2 points gives the line through them (no interval, R² 1); 1 point gives no line.
    Columns: group, points, slope, intercept, r_squared, slope_low, slope_high."""
    groups = np.asarray(groups, dtype=object)
    rows = []
    for label in pd.unique(groups):
        cols = np.flatnonzero(groups == label)
        row = {"group": label, "points": len(cols), "slope": np.nan, "intercept": np.nan,
               "r_squared": np.nan, "slope_low": np.nan, "slope_high": np.nan}
        if len(cols) >= 3:
            fit = line_with_intervals(N[..., cols], B[..., cols], C[..., cols], seed=seed,
                                      n_resamples=n_resamples, n_resamples_points=n_resamples)
            row.update(slope=fit["slope"], intercept=fit["intercept"], r_squared=fit["r_squared"],
                       slope_low=fit["slope_ci"][0], slope_high=fit["slope_ci"][1])
        elif len(cols) == 2:
            (x0, x1), (y0, y1) = model_points(N[..., cols], B[..., cols], C[..., cols])
            if x1 != x0:
                slope = (y1 - y0) / (x1 - x0)
                row.update(slope=slope, intercept=y0 - slope * x0, r_squared=1.0)
        rows.append(row)
    return pd.DataFrame(rows)


def leave_out_lines(N, B, C, task_ids, ks=(0, 5, 11, 20), seed: int = 0, n_resamples: int = 2000,
                    rank=None) -> pd.DataFrame:
    """The Fig. 1a line without the ``k`` tasks holding the most false positives, for each k.

    ``rank``: task rows in the order they are removed (default: :func:`top_false_positive_tasks`
    of ``B``, ``C``; pass the ranking over more configurations to rank by all of them).
    Columns: k, removed (task ids, most false positives first), slope, slope_low, slope_high
    (two-level interval), r_squared."""
    order = top_false_positive_tasks(B, C, max(ks)) if rank is None else np.asarray(rank)
    rows = []
    for k in ks:
        keep = np.setdiff1d(np.arange(np.shape(N)[-2]), order[:k])
        fit = line_with_intervals(N[..., keep, :], B[..., keep, :], C[..., keep, :], seed=seed,
                                  n_resamples=n_resamples, n_resamples_points=n_resamples)
        rows.append({"k": k, "removed": [task_ids[i] for i in order[:k]], "slope": fit["slope"],
                     "slope_low": fit["slope_ci"][0], "slope_high": fit["slope_ci"][1],
                     "r_squared": fit["r_squared"]})
    return pd.DataFrame(rows)


def slope_robustness(variants: dict, paper_slope: float) -> pd.DataFrame:
    """Does each variant of the fit keep the paper's slope inside its interval, and keep the slope
    significantly positive (the whole interval above 0)? ``variants``: name -> (slope, (low, high))."""
    return pd.DataFrame([{"variant": name, "slope": s, "low": lo, "high": hi,
                          "paper_inside": bool(lo <= paper_slope <= hi), "significant": bool(lo > 0)}
                         for name, (s, (lo, hi)) in variants.items()])


def cutoff_table(reachable: pd.DataFrame, cutoff: float) -> pd.DataFrame:
    """Which configurations' reachable accuracy lies below ``cutoff`` (the strongest model's
    single-sample accuracy): ``reachable`` is :func:`flaws.resampling.reachable_accuracy_table`;
    adds below (the estimate) and below_whole_interval (the upper end of the 95% interval)."""
    return reachable.assign(below=reachable["reachable_accuracy"] < cutoff,
                            below_whole_interval=reachable["high"] < cutoff)


def cutoff_gap_table(counts: pd.DataFrame, strongest, ks, by=("model", "prompt_style"), seed: int = 0,
                     confidence: float = 0.95, n_resamples: int = 2000) -> pd.DataFrame:
    """Reachable accuracy of each group at budget K minus the strongest group's single-sample
    accuracy, with the cutoff's own noise carried along.

    Per task shared by the group and ``strongest`` (a key tuple of ``by``), the difference
    d_t = reachable accuracy of the group at K (:func:`flaws.resampling.reachable_accuracy`;
    ``"n"``: the K = n limit) minus c/n of the strongest group; the gap is the mean of d_t and its
    interval a task bootstrap of that mean, so the group's and the cutoff's estimates are redrawn
    together (paired). ``below_whole_interval``: the upper end is below 0. Columns: ``by``, k_label,
    n_tasks, gap, low, high, below_whole_interval."""
    from .resampling import reachable_accuracy, reachable_accuracy_limit
    from .stats import bootstrap_mean

    keys = list(by)
    strongest = tuple(strongest) if isinstance(strongest, (tuple, list)) else (strongest,)
    groups = {(k if isinstance(k, tuple) else (k,)): g.set_index("task_id")
              for k, g in counts.groupby(keys, sort=True)}
    if strongest not in groups:
        raise ValueError(f"strongest group {strongest} is not in the counts")
    top = groups[strongest]
    rows = []
    for key, g in groups.items():
        if key == strongest:
            continue
        shared = g.index.intersection(top.index).sort_values()
        n, b, c = (g.loc[shared, col].to_numpy(int) for col in ("n", "base_passes", "correct"))
        target = top.loc[shared, "correct"].to_numpy(float) / top.loc[shared, "n"].to_numpy(float)
        for k in ks:
            reach = reachable_accuracy_limit(b, c) if k == "n" else reachable_accuracy(n, b, c, [int(k)])[:, 0]
            d = reach - target
            lo, hi = bootstrap_mean(d, np.random.default_rng(seed), confidence, n_resamples)
            rows.append({**dict(zip(keys, key)), "k_label": str(k), "n_tasks": int(len(d)),
                         "gap": float(d.mean()), "low": lo, "high": hi, "below_whole_interval": bool(hi < 0)})
    return pd.DataFrame(rows, columns=keys + ["k_label", "n_tasks", "gap", "low", "high", "below_whole_interval"])


__all__ += ["group_lines", "leave_out_lines", "slope_robustness", "cutoff_table", "cutoff_gap_table"]
