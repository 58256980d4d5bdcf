"""One figure style for the whole book: readable at page width, colour-blind safe, deterministic."""

from __future__ import annotations

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
