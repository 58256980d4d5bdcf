"""Figures of the code-quality chapter (notebook 06): adherence by outcome, and the within-task
differences beside the pooled ones."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from .style import ROLE_COLORS

#: colour and legend label of each compared group of programs (the book's role colours)
CONDITION_COLORS = {"false_positive": ROLE_COLORS["false positive"], "correct": ROLE_COLORS["correct"],
                    "passes_base": ROLE_COLORS["base"]}
CONDITION_LABELS = {"false_positive": "false positives", "correct": "correct programs",
                    "passes_base": "all programs passing the original tests"}
#: the 95% interval's bars and the pooled difference's mark
INTERVAL_COLOR = "0.15"


def _label(measure: str) -> str:
    return measure.replace("_", " ")


def adherence_by_outcome(rates: pd.DataFrame, rules, width: float = 0.27):
    """One panel per model: for each rule, the share of false positives, correct programs and
    base-passing programs that follow it, with their 95% intervals (``rates`` is
    :func:`flaws.code_quality.adherence_rates` output: model, measure, condition, rate, low, high).
    The legend, above the panels, names the three groups and the interval bars."""
    from matplotlib.lines import Line2D

    order = list(rules)
    models = sorted(rates["model"].unique())
    fig, axes = plt.subplots(len(models), 1, figsize=(7.5, 2.2 * len(models) + 1.8), sharex=True, squeeze=False)
    for ax, m in zip(axes[:, 0], models):
        sub = rates[rates["model"] == m]
        for j, cond in enumerate(CONDITION_COLORS):
            s = sub[sub["condition"] == cond].set_index("measure").loc[order]
            x = np.arange(len(order)) + (j - 1) * width
            ax.bar(x, s["rate"], width, color=CONDITION_COLORS[cond], label=CONDITION_LABELS[cond])
            ax.errorbar(x, s["rate"], yerr=[s["rate"] - s["low"], s["high"] - s["rate"]], fmt="none",
                        ecolor=INTERVAL_COLOR, lw=0.9)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("P(adheres)")
        ax.set_title(m)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    handles.append(Line2D([], [], color=INTERVAL_COLOR, lw=0.9, marker="|", ms=10))
    labels.append("95% interval (bootstrap over tasks)")
    axes[-1, 0].set_xticks(np.arange(len(order)))
    axes[-1, 0].set_xticklabels([_label(r) for r in order], rotation=30, ha="right", rotation_mode="anchor")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.65 / fig.get_figheight()))
    fig.legend(handles, labels, ncol=2, loc="upper center", bbox_to_anchor=(0.5, 1.0))
    return fig


def _model_labels(within: pd.DataFrame, models: list[str]) -> list[str]:
    """Model names, each with its number of tasks when that is the same for every measure."""
    n = within.groupby("model")["n_tasks"].nunique()
    first = within.groupby("model")["n_tasks"].first()
    if all(n.get(m, 0) == 1 for m in models):
        return [f"{m} ({int(first[m])} tasks)" for m in models]
    return list(models)


def within_task_differences(within: pd.DataFrame, ncols: int = 2):
    """One panel per measure (rule), one row per model: the within-task difference (false
    positives minus correct programs of the same task) with its paired 95% interval, and the
    pooled difference beside it (``within`` is :func:`flaws.code_quality.within_task_difference`
    output; panels in the order of its measures). The legend sits below the panels."""
    measures = list(dict.fromkeys(within["measure"]))
    models = sorted(within["model"].unique())
    ncols = min(ncols, len(measures))
    nrows = -(-len(measures) // ncols)
    height = nrows * (0.32 * len(models) + 0.75) + 1.4
    fig, axes = plt.subplots(nrows, ncols, figsize=(7.5, height), sharex=True, sharey=True, squeeze=False)
    y = np.arange(len(models))
    for ax, measure in zip(axes.flat, measures):
        sub = within[within["measure"] == measure].set_index("model").reindex(models)
        d = sub["mean_difference"]
        ax.axvline(0, color="0.6", lw=1)
        ax.errorbar(d, y, xerr=[d - sub["low"], sub["high"] - d], fmt="o", ms=5, color=ROLE_COLORS["ours"],
                    label="within task: mean difference, paired bootstrap 95% interval")
        ax.scatter(sub["pooled_difference"], y, marker="|", color=INTERVAL_COLOR, s=110, lw=2,
                   label="pooled over tasks: difference of the shares")
        ax.set_title(_label(measure))
    for ax in axes.flat[len(measures):]:
        ax.set_visible(False)
    axes[0, 0].set_yticks(y)
    axes[0, 0].set_yticklabels(_model_labels(within, models))
    axes[0, 0].invert_yaxis()
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.tight_layout(rect=(0, 1.0 / height, 1, 1))
    fig.text(0.5, 0.8 / height, "P(adheres | false positive) − P(adheres | correct)", ha="center", va="center",
             fontsize=plt.rcParams["axes.labelsize"])
    fig.legend(handles, labels, loc="lower center", ncol=1, bbox_to_anchor=(0.5, 0.0))
    return fig
