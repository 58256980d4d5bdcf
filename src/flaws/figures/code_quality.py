"""Figures of the code-quality chapter (notebook 06): adherence by outcome, and the within-task
differences beside the pooled ones."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

#: colour of each compared group of programs
CONDITION_COLORS = {"false_positive": "C3", "correct": "C2", "passes_base": "C0"}


def adherence_by_outcome(rates: pd.DataFrame, rules, width: float = 0.27):
    """One panel per model: for each rule, the share of false positives, correct programs and
    base-passing programs that follow it, with their 95% intervals (``rates`` is
    :func:`flaws.code_quality.adherence_rates` output: model, measure, condition, rate, low, high)."""
    order = list(rules)
    models = sorted(rates["model"].unique())
    fig, axes = plt.subplots(len(models), 1, figsize=(11, 2.6 * len(models)), sharex=True, squeeze=False)
    for ax, m in zip(axes[:, 0], models):
        sub = rates[rates["model"] == m]
        for j, cond in enumerate(CONDITION_COLORS):
            s = sub[sub["condition"] == cond].set_index("measure").loc[order]
            x = np.arange(len(order)) + (j - 1) * width
            ax.bar(x, s["rate"], width, color=CONDITION_COLORS[cond], label=cond.replace("_", " "))
            ax.errorbar(x, s["rate"], yerr=[s["rate"] - s["low"], s["high"] - s["rate"]], fmt="none",
                        ecolor="k", lw=0.8)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("P(adheres)")
        ax.set_title(m, fontsize=10)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, ncol=3, fontsize=9, loc="upper center", bbox_to_anchor=(0.5, 1.02))
    axes[-1, 0].set_xticks(np.arange(len(order)))
    axes[-1, 0].set_xticklabels([r.replace("_", " ") for r in order], rotation=20)
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    return fig


def within_task_differences(within: pd.DataFrame):
    """Each model-rule within-task difference (false positives minus correct programs of the same
    task) with its paired 95% interval, and the pooled difference beside it (``within`` is
    :func:`flaws.code_quality.within_task_difference` output, in the order to draw)."""
    fig, ax = plt.subplots(figsize=(9, 0.32 * len(within) + 1))
    y = np.arange(len(within))
    d = within["mean_difference"]
    ax.errorbar(d, y, xerr=[d - within["low"], within["high"] - d], fmt="o", color="C0",
                label="within task (paired bootstrap 95% CI)")
    ax.scatter(within["pooled_difference"], y, marker="|", color="C3", s=80, label="pooled difference")
    ax.axvline(0, color="0.5", lw=1)
    ax.set_yticks(y)
    ax.set_yticklabels([f"{r.measure} · {r.model} (n={r.n_tasks})" for r in within.itertuples()], fontsize=7)
    ax.set_xlabel("P(adheres | false positive) - P(adheres | correct)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
