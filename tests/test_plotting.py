"""flaws.plotting figure helpers on tiny inputs: censored cells hatched, buckets placed by first attempt."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from flaws import plotting  # noqa: E402


def test_k_opt_heatmap_hatches_exactly_the_censored_cells():
    k = pd.DataFrame({"1": [3, 20], "2": [0, 20]}, index=["a", "b"])
    cens = pd.DataFrame({"1": [False, True], "2": [False, False]}, index=["a", "b"])
    lab = pd.DataFrame({"1": ["3", "≥ 20"], "2": ["0", "20"]}, index=["a", "b"])
    fig, ax = plt.subplots()
    plotting.k_opt_heatmap(k, cens, lab, ax, title="t")
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 1 and hatched[0].get_xy() == (0, 1)
    assert "≥ 20" in [t.get_text() for t in ax.texts]
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
