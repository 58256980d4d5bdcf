"""flaws.plotting: the book's figure style and the CSV of the data behind a figure."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from flaws.plotting import FIGURE_DATA_DIR, ROLE_COLORS, save_figure_data, use_style

ROOT = Path(__file__).resolve().parents[1]


def test_save_figure_data_writes_a_csv_and_links_to_it_from_the_page(tmp_path):
    frame = pd.DataFrame({"model": ["GPT-4o", "Llama 3.1 8B"], "accuracy": [0.855, 1 / 3]}, index=[7, 9])
    link = save_figure_data(frame, "ceiling-fig1a", root=tmp_path)
    path = tmp_path / "_static" / "figure-data" / "ceiling-fig1a.csv"
    assert link.path == path
    assert path.read_bytes() == b"model,accuracy\nGPT-4o,0.855\nLlama 3.1 8B,0.3333333333\n"  # no index
    assert link.href == "../_static/figure-data/ceiling-fig1a.csv"
    # The link, read from the notebook's folder, reaches the file (source tree = built tree).
    assert ((tmp_path / "notebooks" / link.href).resolve()) == path.resolve()
    html = link._repr_html_()
    assert 'href="../_static/figure-data/ceiling-fig1a.csv" download' in html and "(2 rows, CSV)" in html
    assert "ceiling-fig1a.csv" in repr(link)
    assert not list(path.parent.glob(".*.tmp"))


def test_save_figure_data_is_deterministic_and_rewrites_changed_data(tmp_path):
    rows = [{"k": k, "reward": k / 7} for k in range(1, 4)]
    first = save_figure_data(rows, "scaling", root=tmp_path).path.read_bytes()
    assert save_figure_data(pd.DataFrame(rows), "scaling", root=tmp_path).path.read_bytes() == first
    save_figure_data(rows[:1], "scaling", root=tmp_path)
    assert (tmp_path / FIGURE_DATA_DIR / "scaling.csv").read_text(encoding="utf-8").count("\n") == 2


def test_save_figure_data_link_depth_follows_the_page_folder(tmp_path):
    assert save_figure_data({"x": [1]}, "a", root=tmp_path, page_dir="book").href == "../_static/figure-data/a.csv"
    assert save_figure_data({"x": [1]}, "b", root=tmp_path, page_dir="book/sub").href == "../../_static/figure-data/b.csv"


@pytest.mark.parametrize("name", ["", "Fig1", "../escape", "a/b", "fig 1", "x.csv", None])
def test_save_figure_data_rejects_bad_names(tmp_path, name):
    with pytest.raises(ValueError):
        save_figure_data({"x": [1]}, name, root=tmp_path)
    assert not (tmp_path / "_static").exists()


def test_figure_data_lands_in_the_books_static_files():
    # Jupyter Book copies the root _static/ folder into _build/html/_static/ (and adds its CSS).
    assert FIGURE_DATA_DIR.startswith("_static/")
    assert (ROOT / "_static").is_dir()


def test_use_style_is_colour_blind_safe():
    import matplotlib as mpl
    import seaborn as sns

    with mpl.rc_context():  # leave the other tests matplotlib's settings as they were
        use_style()
        cycle = [mpl.colors.to_hex(c["color"]) for c in mpl.rcParams["axes.prop_cycle"]]
        assert cycle[:6] == [mpl.colors.to_hex(c) for c in sns.color_palette("colorblind")[:6]]
        assert mpl.rcParams["svg.hashsalt"] == "flaws"
    assert all(mpl.colors.is_color_like(c) for c in ROLE_COLORS.values())
