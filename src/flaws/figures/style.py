"""The style every figure of the book shares: readable at page width, colour-blind safe, deterministic.

:func:`save_figure_data` writes the data behind a figure as CSV into the book's static files and
returns a download link for the figure's page.
"""

from __future__ import annotations

import html
import re
from pathlib import Path, PurePosixPath

from .._io import write_if_changed

#: colours by role, used across chapters so a reader learns them once
ROLE_COLORS = {
    "ours": "#0072B2",
    "paper": "#7F7F7F",  # grey: the paper's points and lines in every figure
    "correct": "#009E73",
    "false positive": "#CC79A7",
    "base": "#56B4E9",
    "plus": "#E69F00",
}


#: the strongest model's single-sample accuracy (the cutoff), drawn the same way in every figure
CUTOFF_STYLE = {"color": "0.15", "ls": "-.", "lw": 1.2}


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
        from ..sources import project_root

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
        from ..sources import project_root

        root = project_root()
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight")
    data = buf.getvalue()
    path = Path(root) / BOOK_FIGURE_DIR / f"{name}.svg"
    write_if_changed(path, data)
    return path

