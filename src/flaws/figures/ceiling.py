"""Figures of the resampling-ceiling chapter (notebook 03): Fig. 1a and the ceilings against n.

Each function draws one figure from numbers computed elsewhere (:mod:`flaws.correlation`,
:mod:`flaws.resampling`) and returns it; the notebook calls it once.
"""

from __future__ import annotations

import numpy as np

from .style import CUTOFF_STYLE, ROLE_COLORS

__all__ = ["accuracy_vs_ceiling", "ceilings_by_samples", "separate_labels", "spread_labels"]


def _band(replicates, grid, confidence: float = 0.95):
    slopes, intercepts = replicates
    lines = intercepts[:, None] + slopes[:, None] * grid[None, :]
    a = (1 - confidence) / 2 * 100
    return np.percentile(lines, a, axis=0), np.percentile(lines, 100 - a, axis=0)


def spread_labels(y, gap: float) -> np.ndarray:
    """Label heights for points at heights ``y``: each label starts at its point and is pushed up
    just enough to sit at least ``gap`` above the label below it (in order of height), then the
    whole column is shifted down by half the largest push so labels stay near their points.
    Deterministic; ties keep input order."""
    y = np.asarray(y, dtype=float)
    order = np.argsort(y, kind="stable")
    placed = y[order].copy()
    for i in range(1, len(placed)):
        placed[i] = max(placed[i], placed[i - 1] + gap)
    placed -= (placed - y[order]).max() / 2 if len(placed) else 0.0
    out = np.empty_like(placed)
    out[order] = placed
    return out


def separate_labels(ax, labels, pad: float = 2.0, rounds: int = 200) -> int:
    """Move boxed labels (annotations of ``ax``) until no two boxes overlap, as drawn: of each
    overlapping pair, the lower box moves down by the overlap plus ``pad`` pixels (its arrow
    follows). :func:`spread_labels` keeps a column apart; this also parts labels of two columns
    whose boxes reach into each other. Deterministic (pairs in order of height, then input
    order); returns the number of moves."""
    fig = ax.figure
    moves = 0
    for _ in range(rounds):
        fig.canvas.draw()
        boxes = [a.get_bbox_patch().get_window_extent() for a in labels]
        order = sorted(range(len(labels)), key=lambda i: (-boxes[i].y1, i))
        pair = next(((i, j) for n, i in enumerate(order) for j in order[n + 1:]
                     if boxes[i].overlaps(boxes[j])), None)
        if pair is None:
            return moves
        upper, lower = pair
        drop = boxes[lower].y1 - boxes[upper].y0 + pad
        x, y = labels[lower].xyann
        y_px = ax.transData.transform((x, y))[1] - drop
        labels[lower].xyann = (x, ax.transData.inverted().transform((0.0, y_px))[1])
        moves += 1
    raise RuntimeError(f"separate_labels(): boxes still overlap after {rounds} moves")


def accuracy_vs_ceiling(summary, fit, paper_points, paper_fit, cutoff: float, strongest: str):
    """Paper Fig. 1a on our data.

    ``summary``: one row per configuration (:func:`flaws.metrics.summarize` columns) with a
    boolean ``in_fit`` (filled points; others hollow); ``fit``: :func:`flaws.correlation.
    line_with_intervals` of the filled points (its two-level replicates give the band);
    ``paper_points`` / ``paper_fit``: the paper's 17 models and its line (slope, intercept,
    r_squared); ``cutoff``: the strongest model's single-sample accuracy."""
    import matplotlib.pyplot as plt

    ours, paper = ROLE_COLORS["ours"], ROLE_COLORS["paper"]
    fig, ax = plt.subplots(figsize=(7.5, 5.5))
    grid = np.linspace(0, 1, 101)
    lo, hi = _band(fit["replicates"], grid)
    ax.fill_between(grid, lo, hi, color=ours, alpha=0.12, lw=0, label="95% band (tasks x models bootstrap)")
    ax.plot(grid, fit["intercept"] + fit["slope"] * grid, color=ours,
            label=f"ours: y = {fit['intercept']:.2f} + {fit['slope']:.2f}x, R² = {fit['r_squared']:.2f}")
    ax.plot(grid, paper_fit["intercept"] + paper_fit["slope"] * grid, color=paper, ls="--",
            label=f"paper: y = {paper_fit['intercept']:.2f} + {paper_fit['slope']:.2f}x, "
                  f"R² = {paper_fit['r_squared']:.2f}")
    ax.scatter(paper_points.accuracy, paper_points.conditional_accuracy, color=paper, marker="s", s=18,
               label="paper's 17 models")
    for filled, sub in ((True, summary[summary.in_fit]), (False, summary[~summary.in_fit])):
        yerr = np.vstack([sub.conditional_accuracy - sub.conditional_accuracy_low,
                          sub.conditional_accuracy_high - sub.conditional_accuracy])
        ax.errorbar(sub.accuracy, sub.conditional_accuracy, yerr=yerr, fmt="o", ms=6, capsize=2,
                    color=ours, mfc=ours if filled else "white", elinewidth=0.8,
                    label="our models (base prompt; in the fit)" if filled else "other prompt styles (hollow)")
    named = summary[summary.in_fit]
    boxed = []
    # labels to the right of their points, or up-left for the most accurate models (the right
    # edge is near), each side spread apart vertically, on a white box over the grid
    for left in (False, True):
        side = named[(named.accuracy > 0.6) == left]
        # the most accurate models' names go up-left, clear of the names to their left
        heights = spread_labels(side.conditional_accuracy.to_numpy() + (0.035 if left else 0.0), gap=0.028)
        for x, y, y_text, name in zip(side.accuracy, side.conditional_accuracy, heights, side.model):
            # an opaque box drawn above the lines, so no line runs through a name
            boxed.append(ax.annotate(
                name, (x, y), xytext=(x - 0.045 if left else x + 0.045, y_text), fontsize=8,
                va="center", ha="right" if left else "left", zorder=6,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "0.8", "lw": 0.5},
                arrowprops={"arrowstyle": "-", "color": "0.5", "lw": 0.6}))
    ax.axhline(cutoff, **CUTOFF_STYLE, label=f"cutoff: single-sample accuracy of {strongest}")
    ax.set_xlim(0, 1)
    ax.set_ylim(0.4, 1.0)
    ax.set_xlabel("accuracy: P(sample is correct)")
    ax.set_ylabel("conditional accuracy: P(correct | passes base tests)")
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False)
    fig.tight_layout()
    separate_labels(ax, boxed)  # the two columns' names can reach into each other
    return fig


def ceilings_by_samples(tables: dict, cutoff: float, strongest: str):
    """Conditional accuracy (subsampled) and reachable accuracy at K = m against the samples per
    task m, one panel per configuration; ``tables``: name -> :func:`flaws.resampling.
    ceiling_by_samples` table."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(tables), figsize=(4.2 * len(tables), 4.0), sharey=True, squeeze=False)
    for ax, (name, t) in zip(axes[0], tables.items()):
        ax.plot(t.m, t.conditional_accuracy, "o-", color=ROLE_COLORS["ours"],
                label="conditional accuracy (upper bound)")
        ax.plot(t.m, t.reachable_accuracy, "s-", color=ROLE_COLORS["correct"], label="reachable accuracy, K = m")
        ax.fill_between(t.m, t.reachable_low, t.reachable_high, color=ROLE_COLORS["correct"], alpha=0.15, lw=0)
        ax.axhline(cutoff, **CUTOFF_STYLE, label=f"cutoff: single-sample accuracy of {strongest}")
        ax.set_xscale("log")
        ax.set_xticks(list(t.m))
        ax.set_xticklabels([str(m) for m in t.m])
        ax.set_title(name, fontsize=10)
        ax.set_xlabel("samples per task m")
    axes[0][0].set_ylabel("accuracy of resampling")
    # one legend under the panels, off the data (band: 95% task bootstrap of the reachable accuracy)
    handles, labels = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=2, fontsize=9, bbox_to_anchor=(0.5, 0))
    fig.tight_layout(rect=(0, 0.7 / fig.get_size_inches()[1], 1, 1))
    return fig
