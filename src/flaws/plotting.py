"""One figure style for the whole book: readable at page width, colour-blind safe, deterministic.

:func:`save_figure_data` writes the data behind a figure as CSV into the book's static files and
returns a download link for the figure's page.
"""

from __future__ import annotations

import html
import re
from pathlib import Path, PurePosixPath

from ._io import write_if_changed

#: colours by role, used across chapters so a reader learns them once
ROLE_COLORS = {
    "ours": "#0072B2",
    "paper": "#D55E00",
    "correct": "#009E73",
    "false positive": "#CC79A7",
    "base": "#56B4E9",
    "plus": "#E69F00",
}


def use_style() -> None:
    """Set the seaborn/matplotlib style every notebook uses (call once at the top)."""
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", palette="colorblind")
    mpl.rcParams.update(
        {
            "figure.figsize": (7.0, 4.3),
            "figure.dpi": 110,
            "savefig.dpi": 150,
            "savefig.bbox": "tight",
            "axes.titleweight": "bold",
            "axes.titlesize": 12,
            "axes.labelsize": 11,
            "legend.fontsize": 9,
            "legend.frameon": False,
            "svg.hashsalt": "flaws",  # deterministic SVG ids
            "path.simplify": True,
        }
    )


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
                 panel_size=(3.2, 2.5), xlabel: str = "budget K", logx: bool = True, sharey: bool = True):
    """Small multiples of curves: ``curves`` is a long DataFrame with columns panel, series, x, y
    and optionally style ("solid" / "dashed" / "dotted") and colour (a key: series with the same key share a
    colour; default the series); one panel per ``panel`` value in order of appearance, the same
    series colour in every panel. Returns the figure."""
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
    handles, labels = list(seen.values()), list(seen)
    ncol = min(len(labels), 4)
    height = fig.get_size_inches()[1]
    bottom = min(0.4, (0.22 * int(np.ceil(len(labels) / ncol)) + 0.1) / height)
    fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize=8, bbox_to_anchor=(0.5, 0))
    fig.tight_layout(rect=(0, bottom, 1, 1))
    return fig


# --------------------------------------------------------------------------- data behind a figure

#: Where the data behind the book's figures goes: a folder of the book's static files, which
#: Jupyter Book copies to ``_build/html/_static/figure-data/``.
FIGURE_DATA_DIR = "_static/figure-data"
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")


class FigureData:
    """A link to the CSV of a figure's data; a notebook shows it under the figure.

    Renders as HTML (a download link) in the book and in Jupyter, as plain text elsewhere.
    """

    def __init__(self, path: Path, href: str, rows: int) -> None:
        self.path, self.href, self.rows = path, href, rows

    def __repr__(self) -> str:  # noqa: D105
        return f"Data behind this figure: {self.href} ({self.rows} rows, CSV)"

    def _repr_html_(self) -> str:
        return (
            f'<p class="figure-data"><a href="{html.escape(self.href)}" download>'
            f"Download the data behind this figure</a> ({self.rows:,} rows, CSV)</p>"
        )


def save_figure_data(data, name: str, *, root: str | Path | None = None, page_dir: str = "notebooks") -> FigureData:
    """Write the data behind a figure to ``<root>/_static/figure-data/<name>.csv``; link to it.

    ``data`` is a pandas DataFrame (or anything ``pandas.DataFrame`` accepts), written without its
    index, floats with 10 significant digits and ``\\n`` line ends, so the same data gives the
    same bytes. ``name`` is lower-case letters, digits, ``-`` and ``_``. ``root`` is the book's
    root (default: the project root). The link is relative to the page of a notebook in
    ``page_dir`` (``notebooks/`` -> ``../_static/figure-data/<name>.csv``), the same relative path
    in the source tree and in the built book. Like the notebooks' other outputs, the CSV files
    are committed, so that a build that takes a notebook's outputs from the cache still has them.
    """
    import pandas as pd

    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"figure data name {name!r}: use lower-case letters, digits, '-' and '_'")
    if root is None:
        from .sources import project_root

        root = project_root()
    frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
    text = frame.to_csv(index=False, float_format="%.10g", lineterminator="\n")
    path = Path(root) / FIGURE_DATA_DIR / f"{name}.csv"
    write_if_changed(path, text.encode("utf-8"))
    depth = len(PurePosixPath(page_dir).parts)
    href = "/".join([".."] * depth + [FIGURE_DATA_DIR, f"{name}.csv"])
    return FigureData(path, href, len(frame))


BOOK_FIGURE_DIR = "_static/figures"


def save_book_figure(fig, name: str, *, root: str | Path | None = None) -> Path:
    """Save ``fig`` as ``<root>/_static/figures/<name>.svg`` for a Markdown page of the book (the
    landing page shows Fig. 1a this way: a figure glued in a notebook cannot be pasted into
    another page as a figure with alt text). Same figure, same bytes (no date in the file, fixed
    SVG ids); written only when it changed, atomically. Committed like the notebooks' outputs."""
    import io

    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"figure name {name!r}: use lower-case letters, digits, '-' and '_'")
    if root is None:
        from .sources import project_root

        root = project_root()
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    data = buf.getvalue()
    path = Path(root) / BOOK_FIGURE_DIR / f"{name}.svg"
    write_if_changed(path, data)
    return path

