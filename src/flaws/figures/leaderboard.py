"""Figure of the external-validity chapter (notebook 07): Fig. 1a on the EvalPlus leaderboard."""

from __future__ import annotations

import numpy as np

from .style import CUTOFF_STYLE, ROLE_COLORS



BENCHMARK_TITLES = {"humaneval+": "HumanEval+", "mbpp+": "MBPP+"}


def leaderboard_fits(ceilings: dict, fits: dict, paper_points, paper_fit: dict, seed: int = 0):
    """One panel per benchmark: the leaderboard's models (accuracy against conditional accuracy),
    their OLS line with its 95% bootstrap band, the strongest single-sample accuracy, and on
    HumanEval+ the paper's 17 models and line. ``ceilings``/``fits``: per benchmark,
    :func:`flaws.leaderboard.ceiling_table` and :func:`flaws.leaderboard.fit_ceiling`;
    ``paper_points``: the paper's models (accuracy, conditional_accuracy); ``paper_fit``: its
    line (slope, intercept). Returns the figure."""
    import matplotlib.pyplot as plt

    from flaws.correlation import fit_band

    fig, axes = plt.subplots(1, len(ceilings), figsize=(11, 4.6), sharey=True, squeeze=False)
    axes = axes[0]
    grid = np.linspace(0, 1, 101)
    for ax, (b, c) in zip(axes, ceilings.items()):
        f = fits[b]
        lo, hi = fit_band(c["accuracy"], c["conditional_accuracy"], grid, seed=seed)
        ax.fill_between(grid, lo, hi, color=ROLE_COLORS["ours"], alpha=0.15, lw=0)
        ax.plot(grid, f["intercept"] + f["slope"] * grid, color=ROLE_COLORS["ours"],
                label=f"leaderboard fit: slope {f['slope']:.2f}, R² {f['r_squared']:.2f}")
        ax.scatter(c["accuracy"], c["conditional_accuracy"], s=18, color=ROLE_COLORS["ours"], alpha=0.8,
                   label=f"leaderboard models, greedy (n = {len(c)})")
        if b == "humaneval+":
            ax.scatter(paper_points["accuracy"], paper_points["conditional_accuracy"], s=22, marker="s",
                       color=ROLE_COLORS["paper"], alpha=0.9, label="paper's 17 models, T = 0.8")
            ax.plot(grid, paper_fit["intercept"] + paper_fit["slope"] * grid, color=ROLE_COLORS["paper"], ls="--",
                    label=f"paper's fit: slope {paper_fit['slope']:.2f}")
        ax.axhline(f["strongest_accuracy"], **CUTOFF_STYLE,
                   label="strongest single-sample accuracy")
        ax.set_xlim(0, 1)
        ax.set_ylim(0.55, 1.01)
        ax.set_xlabel("accuracy (plus pass@1)")
        ax.set_title(BENCHMARK_TITLES.get(b, b))
        ax.legend(fontsize=7.5, loc="lower right")
    axes[0].set_ylabel("conditional accuracy (resampling ceiling)")
    fig.tight_layout()
    return fig
