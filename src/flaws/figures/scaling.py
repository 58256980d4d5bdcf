"""Figures of the scaling and two-type chapters (notebooks 04, 05, 08, 09): the K_opt heatmap, the
false-positive share by attempt, the panels of reward curves and the curves marked at their K_opt."""

from __future__ import annotations

from .style import ROLE_COLORS


def k_opt_heatmap(k, censored, labels, ax, title: str = "", xlabel: str = "cost ratio r", vmax: float | None = None):
    """Heatmap of optimal budgets: cells coloured by log10(K_opt + 1) and annotated with
    ``labels``; *censored* cells (the optimum is the cap or more, "≥ n") are greyed and hatched,
    since their colour would show a value we do not know. ``k``, ``censored`` and ``labels`` are
    DataFrames of the same shape (rows: configurations, columns: cost ratios). Pass the same
    ``vmax`` to heatmaps shown side by side so that colours mean the same budgets."""
    import matplotlib.patches as mpatches
    import numpy as np
    import seaborn as sns

    shade = np.log10(k.astype(float) + 1).mask(censored.astype(bool))
    sns.heatmap(shade, annot=labels, fmt="", cmap="viridis", cbar_kws={"label": "log10(K_opt + 1)"},
                linewidths=0.5, annot_kws={"size": 7}, ax=ax, vmin=0, vmax=vmax)
    for i, j in zip(*np.nonzero(censored.to_numpy(dtype=bool))):
        ax.add_patch(mpatches.Rectangle((j, i), 1, 1, facecolor="0.85", edgecolor="0.55", hatch="///", lw=0))
        ax.text(j + 0.5, i + 0.5, labels.iat[i, j], ha="center", va="center", fontsize=7, color="0.1")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    ax.set_title(title, fontsize=10)
    return ax


def fp_share_by_attempt(tables: dict, ax, reference: dict | None = None, reference_label: str = "paper"):
    """False-positive share among programs accepted at each attempt bucket, one line per model
    (``tables``: label -> :func:`flaws.resampling.fp_share_by_attempt` output, with 95% bands);
    ``reference`` (bucket label such as "64-127" -> share) is drawn as crosses. Buckets are placed
    by their first attempt (1, 2, 4, ...), labelled with the widest one; a set's last bucket stops
    at its number of samples."""
    import numpy as np

    widest = {}
    for t in tables.values():
        for first, last, name in zip(t["first"], t["last"], t["attempts"]):
            if last >= widest.get(first, (0, ""))[0]:
                widest[first] = (last, name)
    firsts = sorted(widest)
    for j, (lab, t) in enumerate(tables.items()):
        x = np.array([firsts.index(f) for f in t["first"]]) + (j - (len(tables) - 1) / 2) * 0.08
        ax.errorbar(x, t["fp_share"], yerr=[t["fp_share"] - t["ci_low"], t["ci_high"] - t["fp_share"]],
                    marker="o", ms=4, capsize=2, lw=1.2, label=lab)
    if reference:
        pts = [(firsts.index(int(b.split("-")[0])), v) for b, v in reference.items()
               if int(b.split("-")[0]) in widest]
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "x", color=ROLE_COLORS["paper"], ms=9, mew=2,
                label=reference_label, ls="none")
    ax.set_xticks(range(len(firsts)), [widest[f][1].replace("-", "–") for f in firsts])
    ax.set_xlabel("attempt at which the accepted program was drawn")
    ax.set_ylabel("share of false positives")
    ax.set_ylim(0, None)
    ax.legend(fontsize=8)
    return ax


def curve_panels(curves, ncols: int = 4, ylabel: str = "mean expected reward per task",
                 panel_size=(3.2, 2.5), xlabel: str = "budget K", logx: bool = True, sharey: bool = True,
                 marks=None):
    """Small multiples of curves: ``curves`` is a long DataFrame with columns panel, series, x, y
    and optionally style ("solid" / "dashed" / "dotted") and colour (a key: series with the same key share a
    colour; default the series); one panel per ``panel`` value in order of appearance, the same
    series colour in every panel. ``marks`` (optional) is a DataFrame of points to mark on the
    curves, with columns panel, x, y, colour (the key of the series they belong to) and censored:
    a filled circle for an optimum, an open right-pointing triangle for a censored one (the
    optimum is x or more). Returns the figure."""
    import matplotlib.pyplot as plt
    import numpy as np

    panels = list(dict.fromkeys(curves["panel"]))
    series = list(dict.fromkeys(curves["series"]))
    keys = curves["colour"] if "colour" in curves else curves["series"]
    colour = {k: f"C{i}" for i, k in enumerate(dict.fromkeys(keys))}
    ncols = min(ncols, len(panels))
    nrows = int(np.ceil(len(panels) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size[0] * ncols, panel_size[1] * nrows),
                             sharey=sharey, squeeze=False)
    for ax, p in zip(axes.ravel(), panels):
        for s in series:
            d = curves[(curves["panel"] == p) & (curves["series"] == s)]
            if len(d):
                ls = {"dashed": "--", "dotted": ":"}.get(d["style"].iloc[0] if "style" in d else "solid", "-")
                key = d["colour"].iloc[0] if "colour" in d else s
                ax.plot(d["x"], d["y"], ls, color=colour[key], lw=1.3, label=s)
        if marks is not None:
            for m in marks[marks["panel"] == p].itertuples(index=False):
                c = colour.get(m.colour, "0.2")
                ax.plot([m.x], [m.y], ">" if m.censored else "o", ms=7, mec=c, mew=1.4, zorder=3,
                        mfc="white" if m.censored else c, label="_nolegend_")
        ax.axhline(0, color="0.6", lw=0.6)
        if logx:
            ax.set_xscale("log")
        ax.set_title(p, fontsize=8)
        ax.set_xlabel(xlabel, fontsize=8)
    for ax in axes.ravel()[len(panels):]:
        ax.axis("off")
    for ax in axes[:, 0] if sharey else axes.ravel()[:len(panels)]:
        ax.set_ylabel(ylabel, fontsize=8)
    seen = {}
    for ax in axes.ravel():
        for h, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab, h)
    if marks is not None and len(marks):
        from matplotlib.lines import Line2D

        for cens, marker, text in ((False, "o", "K_opt (the optimal budget)"),
                                   (True, ">", "K_opt censored (the optimum is n or more)")):
            if (marks["censored"].astype(bool) == cens).any():
                seen[text] = Line2D([], [], ls="none", marker=marker, ms=7, mec="0.2", mew=1.4,
                                    mfc="white" if cens else "0.2")
    handles, labels = list(seen.values()), list(seen)
    ncol = min(len(labels), 4)
    height = fig.get_size_inches()[1]
    bottom = min(0.4, (0.22 * int(np.ceil(len(labels) / ncol)) + 0.1) / height)
    fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize=8, bbox_to_anchor=(0.5, 0))
    fig.tight_layout(rect=(0, bottom, 1, 1))
    return fig


def k_opt_curve_data(curves, table, by: str = "model", ratios=(0.0, 1.0, 2.0, 4.0)):
    """The two long tables behind :func:`k_opt_curves`, from :func:`flaws.resampling.scaling_curves`
    (``curves``) and :func:`flaws.resampling.k_opt_table` (``table``) grouped by the same ``by``.
    ``lines``: panel (the value of ``by``), series ("r = 0 (reachable accuracy)", "r = 1", ...),
    colour (the cost ratio), x (budget K), y (exact mean reward). ``marks``: panel, colour, x
    (K_opt), y (the maximum mean reward), censored, one per panel and cost ratio with K_opt >= 1
    (K_opt = 0, not answering, is no point on the curve)."""
    import pandas as pd

    ratios = [float(r) for r in ratios]
    c = curves[curves["cost_ratio"].isin(ratios)]
    name = {r: f"r = {r:g}" + (" (reachable accuracy)" if r == 0 else "") for r in ratios}
    lines = pd.DataFrame({"panel": c[by].to_numpy(), "series": c["cost_ratio"].map(name).to_numpy(),
                          "colour": c["cost_ratio"].to_numpy(), "x": c["k"].to_numpy(),
                          "y": c["reward"].to_numpy()})
    lines = lines.sort_values(["panel", "colour", "x"], kind="stable").reset_index(drop=True)
    t = table[table["cost_ratio"].isin(ratios) & (table["k_opt"] >= 1)]
    marks = pd.DataFrame({"panel": t[by].to_numpy(), "colour": t["cost_ratio"].to_numpy(),
                          "x": t["k_opt"].to_numpy(), "y": t["max_reward"].to_numpy(),
                          "censored": t["censored"].astype(bool).to_numpy()})
    return lines, marks.reset_index(drop=True)


def k_opt_curves(curves, table, by: str = "model", ratios=(0.0, 1.0, 2.0, 4.0), ncols: int = 3,
                 panel_size=(4.2, 3.6), logx: bool = False):
    """Exact reward curves at a few cost ratios, one panel per group, each curve marked at its
    K_opt (:func:`k_opt_curve_data`, drawn by :func:`curve_panels`); the r = 0 curve is the
    reachable accuracy. Returns the figure."""
    lines, marks = k_opt_curve_data(curves, table, by=by, ratios=ratios)
    return curve_panels(lines, ncols=ncols, panel_size=panel_size, logx=logx, marks=marks,
                        ylabel="mean expected reward per task (r = 0: accuracy)")
