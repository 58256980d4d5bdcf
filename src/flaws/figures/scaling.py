"""Figures of the scaling and two-type chapters (notebooks 04, 05, 08): the K_opt heatmap, the
false-positive share by attempt and the panels of reward curves."""

from __future__ import annotations

from .style import ROLE_COLORS


#: budgets marked on the colour bar of a K_opt heatmap (the colour is log10(K_opt + 1)); every third
#: of them on a heatmap of fewer than six rows
K_TICKS = (0, 1, 2, 5, 10, 20, 50, 100, 200)


def k_opt_heatmap(k, censored, labels, ax, title: str = "", xlabel: str = "cost ratio r", vmax: float | None = None,
                  annot_size: float = 10, colorbar: bool = True, wrap_labels: bool = False):
    """Heatmap of optimal budgets: the colour is K_opt itself on a log scale (log10(K_opt + 1), the
    colour bar labelled in budgets), each cell annotated with ``labels``. *Censored* cells (the
    optimum is the cap n or more, labels "≥ n") are not coloured, since their colour would show a
    value we do not know: they are light grey, hatched, and marked "≥" (the row label should give
    n); other labels ("∞", numbers) are written as they are. ``k``, ``censored`` and ``labels``
    are DataFrames of the same shape (rows: configurations, columns: cost ratios). Pass the same
    ``vmax`` to heatmaps shown side by side so that colours mean the same budgets; ``annot_size``
    is the cells' font size in points (size the figure so it stays readable at the book's column
    width); ``wrap_labels`` puts a row label's bracket ("[n = 20]") on a second line."""
    import matplotlib.patches as mpatches
    import numpy as np
    import seaborn as sns

    cens = censored.to_numpy(dtype=bool)
    shade = np.log10(k.astype(float) + 1).mask(censored.astype(bool))
    lab = labels.astype(str)
    text = lab.mask(censored.astype(bool) & lab.apply(lambda col: col.str.startswith("≥")), "≥")
    top = vmax if vmax is not None else float(np.nanmax(shade.to_numpy())) if np.isfinite(shade.to_numpy()).any() else 1.0
    sns.heatmap(shade, annot=text.mask(censored.astype(bool), ""), fmt="", cmap="viridis", cbar=colorbar,
                cbar_kws={"label": "K_opt (colour: log scale)" if len(k) >= 6 else "K_opt (log)", "fraction": 0.06,
                          "pad": 0.02} if colorbar else None,
                linewidths=0.5, annot_kws={"size": annot_size}, ax=ax, vmin=0, vmax=top)
    if colorbar:
        ticks = [t for t in (K_TICKS if len(k) >= 6 else K_TICKS[::3]) if np.log10(t + 1) <= top + 1e-9]
        cbar = ax.collections[0].colorbar
        cbar.set_ticks([np.log10(t + 1) for t in ticks], labels=[str(t) for t in ticks])
    for i, j in zip(*np.nonzero(cens)):
        ax.add_patch(mpatches.Rectangle((j, i), 1, 1, facecolor="0.88", edgecolor="0.6", hatch="///", lw=0))
        ax.text(j + 0.5, i + 0.5, text.iat[i, j], ha="center", va="center", fontsize=annot_size, color="0.1",
                bbox={"boxstyle": "square,pad=0.1", "fc": "0.88", "ec": "none"})
    if wrap_labels:
        ax.set_yticks(ax.get_yticks(), [str(r).replace(" [", "\n[") for r in k.index], rotation=0)
    ax.tick_params(labelsize=annot_size)
    ax.set_xlabel(xlabel, fontsize=annot_size)
    ax.set_ylabel("")
    ax.set_title(title, fontsize=annot_size + 1)
    return ax


def k_opt_legend(fig, y: float = 0.0, fontsize: float = 9, notes=(), censored: bool = True, zero: bool = True):
    """A legend under a figure of K_opt heatmaps, its top at height ``y`` (figure fraction): what a
    hatched "≥" cell means (``censored``), what a 0 means (``zero``), then each of ``notes``."""
    import matplotlib.patches as mpatches

    blank = {"facecolor": "none", "edgecolor": "none"}
    handles = [mpatches.Patch(facecolor="0.88", edgecolor="0.6", hatch="///",
                              label="≥ (hatched): censored, K_opt is the row's n samples per task or more")] if censored else []
    handles += [mpatches.Patch(**blank, label="0: not answering is best")] if zero else []
    handles += [mpatches.Patch(**blank, label=note) for note in notes]
    return fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, y), ncol=1, fontsize=fontsize,
                      frameon=False)


def k_opt_heatmaps(panels: dict, xlabel: str = "cost ratio r", notes=(), width: float = 8.5,
                   row_height: float = 0.42, annot_size: float = 10.5):
    """One or more K_opt heatmaps stacked (one above the other, so each keeps the column's width),
    colours on one scale, and a legend under them saying what "≥" (hatched), 0 and each of
    ``notes`` (extra legend lines, e.g. what "∞" means) stand for. ``panels``: title -> (k,
    censored, labels) as for :func:`k_opt_heatmap`; row labels are wrapped before a bracket.
    Returns the figure."""
    import matplotlib.pyplot as plt
    import numpy as np

    rows = [len(k) for k, _, _ in panels.values()]
    heights = [max(row_height * r + 0.9, 2.1) for r in rows]  # a short heatmap still has room for its colour bar
    any_ge = any((c.to_numpy(dtype=bool) & lab.astype(str).apply(lambda col: col.str.startswith("≥")).to_numpy()).any()
                 for _, c, lab in panels.values())
    any_zero = any(((k.to_numpy() == 0) & ~c.to_numpy(dtype=bool)).any() for k, c, _ in panels.values())
    legend_h = 0.25 * (any_ge + any_zero + len(notes)) + 0.3
    fig, axes = plt.subplots(len(panels), 1, figsize=(width, sum(heights) + legend_h), squeeze=False,
                             gridspec_kw={"height_ratios": heights})
    vmax = max(float(np.log10(k.astype(float).to_numpy().max() + 1)) for k, _, _ in panels.values())
    for ax, (title, (k, cens, lab)) in zip(axes[:, 0], panels.items()):
        k_opt_heatmap(k, cens, lab, ax, title=title, xlabel=xlabel, vmax=vmax, annot_size=annot_size, wrap_labels=True)
    bottom = legend_h / fig.get_size_inches()[1]
    k_opt_legend(fig, y=bottom, fontsize=annot_size - 1, notes=notes, censored=any_ge, zero=any_zero)
    fig.tight_layout(rect=(0, bottom, 1, 1))
    return fig


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
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)  # under the axes, off the data
    return ax


def _legend_entries(axes, order):
    """Each label once (first handle drawn for it), grouped by colour key in ``order`` so that a
    legend with one column per key reads as one column per key."""
    seen = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(lab, h)
    labels = sorted(seen, key=lambda lab: order.get(lab, len(order)))
    return [seen[lab] for lab in labels], labels


def curve_panels(curves, ncols: int = 4, ylabel: str = "mean expected reward per task",
                 panel_size=(3.2, 2.5), xlabel: str = "budget K", logx: bool = True, sharey: bool = True,
                 legend: str = "figure", fontsize: float = 9, marks=None):
    """Small multiples of curves: ``curves`` is a long DataFrame with columns panel, series, x, y
    and optionally style ("solid" / "dashed" / "dotted", or "dots": markers only, drawn above the
    lines with a white edge so they stay visible where they sit on a line) and colour (a key:
    series with the same key share a colour; default the series); one panel per ``panel`` value in
    order of appearance, the same series colour in every panel. Legends never cover the curves:
    ``legend="figure"`` puts one legend under all panels, one column per colour key when there
    are at most five; ``legend="panels"`` puts each panel's own legend under it. ``marks``
    (optional) is a DataFrame of points to mark on the curves, with columns panel, x, y, colour
    (the key of the series they belong to) and censored: a filled circle for an optimum, an open
    right-pointing triangle for a censored one (the optimum is x or more). Returns the figure."""
    import matplotlib.pyplot as plt
    import numpy as np

    panels = list(dict.fromkeys(curves["panel"]))
    series = list(dict.fromkeys(curves["series"]))
    keys = curves["colour"] if "colour" in curves else curves["series"]
    colour = {k: f"C{i}" for i, k in enumerate(dict.fromkeys(keys))}
    key_of = dict(zip(curves["series"], keys))
    order = {s: (list(colour).index(key_of[s]), i) for i, s in enumerate(series)}
    ncols = min(ncols, len(panels))
    nrows = int(np.ceil(len(panels) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_size[0] * ncols, panel_size[1] * nrows),
                             sharey=sharey, squeeze=False)
    for ax, p in zip(axes.ravel(), panels):
        for s in series:
            d = curves[(curves["panel"] == p) & (curves["series"] == s)]
            if len(d):
                style = d["style"].iloc[0] if "style" in d else "solid"
                c = colour[d["colour"].iloc[0] if "colour" in d else s]
                if style == "dots":
                    ax.plot(d["x"], d["y"], "o", color=c, ms=5.5, mec="white", mew=0.8, zorder=3, label=s)
                else:
                    ls = {"dashed": "--", "dotted": ":"}.get(style, "-")
                    ax.plot(d["x"], d["y"], ls, color=c, lw=1.4, zorder=2, label=s)
        if marks is not None:
            for m in marks[marks["panel"] == p].itertuples(index=False):
                c = colour.get(m.colour, "0.2")
                ax.plot([m.x], [m.y], ">" if m.censored else "o", ms=7, mec=c, mew=1.4, zorder=4,
                        mfc="white" if m.censored else c, label="_nolegend_")
        ax.axhline(0, color="0.6", lw=0.6, zorder=1)
        if logx:
            ax.set_xscale("log")
        ax.set_title(p, fontsize=fontsize)
        ax.set_xlabel(xlabel, fontsize=fontsize)
        ax.tick_params(labelsize=fontsize)
    for ax in axes.ravel()[len(panels):]:
        ax.axis("off")
    if sharey and nrows > 1:
        fig.supylabel(ylabel, fontsize=fontsize)  # once, not repeated (and overlapping) on every row
    else:
        for ax in axes[:, 0] if sharey else axes.ravel()[:len(panels)]:
            ax.set_ylabel(ylabel, fontsize=fontsize)
    if legend == "panels":
        for ax in axes.ravel()[:len(panels)]:
            handles, labels = _legend_entries([ax], order)
            n_keys = len({key_of[lab] for lab in labels})
            drop = 0.75 / ax.get_position().height / fig.get_size_inches()[1]  # 0.75 in: under the x label
            ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, -drop), fontsize=fontsize,
                      ncol=n_keys if n_keys <= 3 and len(labels) % n_keys == 0 else 2)
        fig.tight_layout()
        return fig
    handles, labels = _legend_entries(axes.ravel(), order)
    n_keys = len({key_of[lab] for lab in labels})
    ncol = n_keys if n_keys <= 5 and len(labels) % n_keys == 0 else min(len(labels), 3)
    if marks is not None and len(marks):
        from matplotlib.lines import Line2D

        for cens, marker, text in ((False, "o", "K_opt (the optimal budget)"),
                                   (True, ">", "K_opt censored (the optimum is n or more)")):
            if (marks["censored"].astype(bool) == cens).any():
                labels.append(text)
                handles.append(Line2D([], [], ls="none", marker=marker, ms=7, mec="0.2", mew=1.4,
                                      mfc="white" if cens else "0.2"))
        ncol = min(len(labels), 4)
    height = fig.get_size_inches()[1]
    bottom = min(0.45, (0.24 * int(np.ceil(len(labels) / ncol)) + 0.15) / height)
    fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize=fontsize, bbox_to_anchor=(0.5, 0))
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
