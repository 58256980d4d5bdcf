"""flaws.figures (style, heatmap, curves): the book's figure style and the CSV of the data behind a figure."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from flaws.figures import FIGURE_DATA_DIR, ROLE_COLORS, save_figure_data, use_style

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



import matplotlib.pyplot as plt  # noqa: E402

from flaws import figures as plotting  # noqa: E402


def test_k_opt_heatmap_hatches_exactly_the_censored_cells():
    k = pd.DataFrame({"1": [3, 20], "2": [0, 20]}, index=["a", "b"])
    cens = pd.DataFrame({"1": [False, True], "2": [False, False]}, index=["a", "b"])
    lab = pd.DataFrame({"1": ["3", "≥ 20"], "2": ["0", "20"]}, index=["a", "b"])
    fig, ax = plt.subplots()
    plotting.k_opt_heatmap(k, cens, lab, ax, title="t")
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 1 and hatched[0].get_xy() == (0, 1)
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("≥") == 1 and "≥ 20" not in texts  # marked "≥"; n is in the row label
    assert {"3", "0", "20"} <= set(texts)  # uncensored cells keep their numbers
    plt.close(fig)


def test_fp_share_by_attempt_places_buckets_by_first_attempt():
    short = pd.DataFrame({"attempts": ["1", "2-3", "4-5"], "first": [1, 2, 4], "last": [1, 3, 5],
                          "fp_share": [0.1, 0.2, 0.3], "ci_low": [0.0, 0.1, 0.2], "ci_high": [0.2, 0.3, 0.4]})
    long = short.assign(attempts=["1", "2-3", "4-7"], last=[1, 3, 7])
    fig, ax = plt.subplots()
    plotting.fp_share_by_attempt({"n = 5": short, "n = 7": long}, ax, reference={"4-7": 0.5})
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2–3", "4–7"]
    plt.close(fig)


def test_curve_panels_one_axis_per_panel_and_shared_colours():
    d = pd.DataFrame({"panel": ["p", "p", "q", "q"], "series": ["s1", "s2", "s1", "s2"], "colour": [1, 1, 1, 1],
                      "style": ["solid", "dashed", "solid", "dashed"], "x": [1, 1, 1, 1], "y": [0.1, 0.2, 0.3, 0.4]})
    fig = plotting.curve_panels(pd.concat([d, d.assign(x=2)]), ncols=4)
    visible = [ax for ax in fig.axes if ax.get_visible() and ax.lines]
    assert len(visible) == 2
    colours = {line.get_color() for ax in visible for line in ax.lines if line.get_label() in ("s1", "s2")}
    assert len(colours) == 1  # same colour key -> same colour
    assert {line.get_linestyle() for line in visible[0].lines if line.get_label() == "s2"} == {"--"}
    plt.close(fig)



def _two_sets():
    """Two sets of 3 samples per task. "a": one task always solved, one whose single base pass is
    a false positive, one whose single base pass is correct. "b": no false positive at all."""
    return pd.DataFrame({"model": ["a", "a", "a", "b", "b"], "task_id": ["t1", "t2", "t3", "t1", "t2"],
                         "n": [3] * 5, "base_passes": [3, 1, 1, 1, 0], "correct": [3, 0, 1, 1, 0]})


def test_k_opt_curve_data_marks_each_curve_at_its_optimum():
    from flaws import figures, resampling

    counts = _two_sets()
    curves = resampling.scaling_curves(counts, by=("model",), rs=[0.0, 2.0, 8.0])
    table = resampling.k_opt_table(counts, by=("model",), rs=[0.0, 2.0, 8.0])
    lines, marks = figures.k_opt_curve_data(curves, table, ratios=(0, 2, 8))
    assert sorted(set(lines.series)) == ["r = 0 (reachable accuracy)", "r = 2", "r = 8"]
    assert len(lines) == 2 * 3 * 3  # two sets, three ratios, budgets 1..3
    # a: reward (1 + K/3 - r K/3) / 3 with r = 0 rises to the last draw (censored); with r = 2
    # it falls, K_opt = 1; with r = 8 it is negative, K_opt = 0 (no mark). b: no false positive,
    # the reward K/6 rises to the last draw at every cost ratio.
    got = {(m.panel, m.colour): (m.x, m.censored) for m in marks.itertuples()}
    assert got == {("a", 0.0): (3, True), ("a", 2.0): (1, False),
                   ("b", 0.0): (3, True), ("b", 2.0): (3, True), ("b", 8.0): (3, True)}
    for m in marks.itertuples():  # every mark sits on its curve
        on = lines[(lines.panel == m.panel) & (lines.colour == m.colour) & (lines.x == m.x)]
        assert on.y.iloc[0] == pytest.approx(m.y)


def test_k_opt_curves_draws_filled_and_open_marks_with_a_legend():
    from flaws import figures, resampling

    counts = _two_sets()
    fig = figures.k_opt_curves(resampling.scaling_curves(counts, by=("model",), rs=[0.0, 2.0]),
                               resampling.k_opt_table(counts, by=("model",), rs=[0.0, 2.0]), ratios=(0, 2))
    a = [ax for ax in fig.axes if ax.get_title() == "a"][0]
    markers = [line.get_marker() for line in a.lines if line.get_label() == "_nolegend_"]
    assert sorted(markers) == [">", "o"]  # r = 0 censored at 3, r = 2 optimal at 1
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[:2] == ["r = 0 (reachable accuracy)", "r = 2"]
    assert "K_opt censored (the optimum is n or more)" in labels and "K_opt (the optimal budget)" in labels
    plt.close(fig)

def test_save_book_figure_is_byte_stable(tmp_path):
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    with mpl.rc_context():
        use_style()
        paths = []
        for _ in range(2):
            fig, ax = plt.subplots()
            ax.plot([0, 1], [0.5, 0.9], "o-")
            paths.append(plotting.save_book_figure(fig, "t1", root=tmp_path).read_bytes())
            plt.close(fig)
    assert paths[0] == paths[1] and paths[0].startswith(b"<?xml")
    assert b"<dc:date>" not in paths[0]
    with pytest.raises(ValueError):
        plotting.save_book_figure(None, "Bad Name", root=tmp_path)

