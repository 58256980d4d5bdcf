"""Figures of the verifier-strength chapter (notebook 08): each draws what it is given."""

from __future__ import annotations

import numpy as np

from .style import CUTOFF_STYLE, ROLE_COLORS

__all__ = ["ceiling_vs_m", "slope_vs_m", "ceiling_vs_false_positive_rate"]

_STYLES = {"base": "-", "instruction": "--", "rule": ":"}


def _positions(ms):
    return np.arange(len(ms)), [str(m) for m in ms]


def ceiling_vs_m(first, random, cutoff: float, strongest: str, value: str = "reachable",
                 ylabel: str = "reachable accuracy, K = n"):
    """One panel per model: ``value`` of each of its configurations (prompt styles) against the
    verifier strength m (first m plus inputs: solid markers; m random inputs: hollow), with the
    strongest model's single-sample accuracy as a dotted line. ``first``/``random``: tables of
    :func:`flaws.verifiers.ceiling_table` (columns m, model, prompt_style, ``value``)."""
    import matplotlib.pyplot as plt

    models = sorted(first.model.unique())
    ms = list(dict.fromkeys(first.m))
    x, labels = _positions(ms)
    cols = 3
    rows = int(np.ceil(len(models) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.7 * rows), sharex=True, sharey=True,
                             squeeze=False)
    for ax, model in zip(axes.flat, models):
        for style, g in first[first.model == model].groupby("prompt_style", sort=True):
            ls = _STYLES.get(style, "-")
            ax.plot(x, g.set_index("m").loc[ms, value], ls=ls, marker="o", ms=3,
                    color=ROLE_COLORS["plus"], label=f"{style}: first m")
            r = random[(random.model == model) & (random.prompt_style == style)]
            if len(r):
                ax.plot(x, r.set_index("m").loc[ms, value], ls=ls, marker="o", ms=3, mfc="white",
                        color=ROLE_COLORS["ours"], label=f"{style}: m at random")
        ax.axhline(cutoff, **CUTOFF_STYLE)
        ax.set_title(model, fontsize=9)
        ax.legend(fontsize=6, loc="lower right")
    for ax in axes.flat[len(models):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xticks(x)
        ax.set_xticklabels(labels, fontsize=7)
        ax.set_xlabel("plus inputs added to the base tests, m")
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel, fontsize=8)
    fig.suptitle(f"dash-dotted: single-sample accuracy of {strongest} ({cutoff:.3f})", fontsize=9)
    fig.tight_layout()
    return fig


def slope_vs_m(slopes):
    """The Fig. 1a slope with its interval against m, one line per family. ``slopes``: columns
    family, m, slope, low, high (m in the same order for every family)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    colors = {"first": ROLE_COLORS["plus"], "random": ROLE_COLORS["ours"]}
    for k, (fam, g) in enumerate(slopes.groupby("family", sort=True)):
        x, labels = _positions(list(g.m))
        x = x + (k - 0.5) * 0.12
        ax.errorbar(x, g.slope, yerr=[g.slope - g.low, g.high - g.slope], fmt="o-", ms=4, capsize=2,
                    color=colors.get(fam, "grey"), label={"first": "first m plus inputs",
                                                          "random": "m plus inputs at random"}.get(fam, fam))
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_xticks(np.arange(len(labels)))
    ax.set_xticklabels(labels)
    ax.set_xlabel("plus inputs added to the base tests, m")
    ax.set_ylabel("slope of conditional accuracy\non accuracy (Fig. 1a)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


#: marker of each model-written suite (hollow: only the tests the canonical solution passes)
SUITE_MARKERS = {"codet": "v", "agentcoder": "s", "reflexion": "D"}
SUITE_LABELS = {"codet": "CodeT tests", "agentcoder": "AgentCoder tests", "reflexion": "Reflexion tests"}


def ceiling_vs_false_positive_rate(first, suites, cutoff: float, strongest: str,
                                   value: str = "reachable", ylabel: str = "reachable accuracy, K = n"):
    """One panel per configuration: ``value`` under each verifier against that verifier's own
    false-positive rate on the configuration (x reversed: stronger verifiers to the right). The
    base tests plus the first m plus inputs form a line (m = 0 is the base tests, the leftmost
    point); each model-written suite (added to the base tests) is a marker of its own, filled
    for all its tests and hollow for the tests the canonical solution passes. The strongest
    model's single-sample accuracy is the cutoff line. ``first``/``suites``: tables of
    :func:`flaws.verifiers.ceiling_table` (columns m, model, prompt_style, ``value``,
    false_positive_rate; in ``suites`` m is a suite name, ``NAME:filtered`` for the filtered)."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    configs = list(dict.fromkeys(zip(first.model, first.prompt_style)))
    cols = 4
    rows = int(np.ceil(len(configs) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.0 * cols, 2.4 * rows + 0.8), sharex=True,
                             sharey=True, squeeze=False)
    for ax, (model, style) in zip(axes.flat, configs):
        g = first[(first.model == model) & (first.prompt_style == style)]
        ax.plot(g.false_positive_rate, g[value], "o-", ms=3, lw=1, color=ROLE_COLORS["plus"], zorder=2)
        s = suites[(suites.model == model) & (suites.prompt_style == style)]
        for r in s.itertuples():
            name, _, how = str(r.m).partition(":")
            ax.plot(r.false_positive_rate, getattr(r, value), SUITE_MARKERS.get(name, "o"), ms=5,
                    color=ROLE_COLORS["ours"], mfc="white" if how else ROLE_COLORS["ours"], zorder=3)
        ax.axhline(cutoff, **CUTOFF_STYLE)
        ax.set_title(f"{model}, {style} prompt", fontsize=8)
    for k, ax in enumerate(axes.flat):
        if k >= len(configs):
            ax.set_visible(False)
        if k >= len(configs) - cols:  # the lowest panel of each column carries the x axis
            shown = ax if k < len(configs) else axes.flat[k - cols]
            shown.xaxis.set_tick_params(labelbottom=True)
            shown.set_xlabel("verifier's false-positive rate", fontsize=8)
    axes[0, 0].invert_xaxis()  # shared: stronger verifiers (fewer false positives) to the right
    for ax in axes[:, 0]:
        ax.set_ylabel(ylabel, fontsize=8)
    handles = [Line2D([], [], marker="o", ms=3, color=ROLE_COLORS["plus"],
                      label="base tests + first m plus inputs (m = 0 leftmost)")]
    for name, mk in SUITE_MARKERS.items():
        handles.append(Line2D([], [], ls="", marker=mk, ms=5, color=ROLE_COLORS["ours"],
                              label=f"base + {SUITE_LABELS[name]}"))
    handles.append(Line2D([], [], ls="", marker="o", ms=5, color=ROLE_COLORS["ours"], mfc="white",
                          label="hollow: only tests the canonical solution passes"))
    handles.append(Line2D([], [], **CUTOFF_STYLE, label=f"single-sample accuracy of {strongest} ({cutoff:.3f})"))
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=7, frameon=False)
    fig.tight_layout(rect=(0, 0.6 / (2.4 * rows + 0.8), 1, 1))
    return fig
