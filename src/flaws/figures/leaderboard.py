"""Figure of the external-validity chapter (notebook 07): Fig. 1a on the EvalPlus leaderboard."""

from __future__ import annotations

import numpy as np

from .style import CUTOFF_STYLE, ROLE_COLORS

BENCHMARK_TITLES = {"humaneval+": "HumanEval+", "mbpp+": "MBPP+"}


def _fit_handle(color, ls="-"):
    """A legend entry for a line with its shaded band."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    return (Patch(facecolor=color, alpha=0.15, lw=0), Line2D([], [], color=color, ls=ls))


def leaderboard_fits(ceilings: dict, fits: dict, paper_points, paper_fit: dict, seed: int = 0):
    """One panel per benchmark: the leaderboard's models (accuracy against conditional accuracy),
    their OLS line with its 95% bootstrap band, the strongest single-sample accuracy, and on
    HumanEval+ the paper's 17 models and line. ``ceilings``/``fits``: per benchmark,
    :func:`flaws.leaderboard.ceiling_table` and :func:`flaws.leaderboard.fit_ceiling`;
    ``paper_points``: the paper's models (accuracy, conditional_accuracy); ``paper_fit``: its
    line (slope, intercept). Each panel states its models and fit in its lower right corner; one
    legend below the panels explains every mark. Returns the figure."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    from flaws.correlation import fit_band

    fig, axes = plt.subplots(1, len(ceilings), figsize=(7.5, 5.2), sharey=True, squeeze=False)
    axes = axes[0]
    grid = np.linspace(0, 1, 101)
    ours, paper = ROLE_COLORS["ours"], ROLE_COLORS["paper"]
    for ax, (b, c) in zip(axes, ceilings.items()):
        f = fits[b]
        lo, hi = fit_band(c["accuracy"], c["conditional_accuracy"], grid, seed=seed)
        ax.fill_between(grid, lo, hi, color=ours, alpha=0.15, lw=0)
        ax.plot(grid, f["intercept"] + f["slope"] * grid, color=ours)
        ax.scatter(c["accuracy"], c["conditional_accuracy"], s=14, color=ours, alpha=0.75, lw=0)
        note = f"{len(c)} models\nslope {f['slope']:.2f}, R² {f['r_squared']:.2f}"
        if b == "humaneval+":
            ax.scatter(paper_points["accuracy"], paper_points["conditional_accuracy"], s=22, marker="s",
                       color=paper, alpha=0.9, lw=0)
            ax.plot(grid, paper_fit["intercept"] + paper_fit["slope"] * grid, color=paper, ls="--")
            note += f"\npaper: slope {paper_fit['slope']:.2f}"
        ax.axhline(f["strongest_accuracy"], **CUTOFF_STYLE)
        ax.text(0.97, 0.03, note, transform=ax.transAxes, ha="right", va="bottom", fontsize=10,
                bbox={"facecolor": "white", "edgecolor": "0.8", "boxstyle": "round,pad=0.3"})
        ax.set_xlim(0, 1)
        ax.set_ylim(0.55, 1.01)
        ax.set_xlabel("accuracy (plus pass@1)")
        ax.set_title(BENCHMARK_TITLES.get(b, b))
    axes[0].set_ylabel("conditional accuracy\n(resampling ceiling)")
    handles = [
        Line2D([], [], ls="", marker="o", ms=5, color=ours, alpha=0.75),
        _fit_handle(ours),
        Line2D([], [], ls="", marker="s", ms=5, color=paper),
        Line2D([], [], color=paper, ls="--"),
        Line2D([], [], **CUTOFF_STYLE),
    ]
    labels = ["leaderboard models (greedy decoding)", "leaderboard fit with 95% band",
              "paper's 17 models (T = 0.8; HumanEval+)", "paper's fit of its 17 models",
              "strongest leaderboard model's accuracy"]
    fig.tight_layout(rect=(0, 0.17, 1, 1))
    fig.legend(handles, labels, loc="lower center", ncol=2, bbox_to_anchor=(0.5, 0.0))
    return fig
