"""flaws.figures: one place for the book's figures (the old module names are gone); notebook 07's
leaderboard figure draws an image from a small board."""

import io
import json

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from flaws import book, figures, leaderboard  # noqa: E402


def test_every_name_is_exported_and_the_old_modules_are_gone():
    import importlib

    assert set(figures.__all__) <= set(dir(figures))
    for old in ("plotting", "ceiling_figures", "verifier_figures"):
        with pytest.raises(ModuleNotFoundError):
            importlib.import_module(f"flaws.{old}")


def _board():
    def entry(he, hep, mb, mbp):
        return {"link": "https://example.invalid", "open-data": "NONE", "prompted": True, "size": 7.0,
                "pass@1": {"humaneval": he, "humaneval+": hep, "mbpp": mb, "mbpp+": mbp}}
    board = {f"m{i}": entry(40 + 10 * i, 33 + 9.5 * i, 30 + 9 * i, 24 + 8.2 * i) for i in range(6)}
    return leaderboard.parse_leaderboard(json.dumps(board))


def test_leaderboard_fits_draws_two_panels():
    board = _board()
    ceilings = {b: leaderboard.ceiling_table(board, b) for b in ("humaneval+", "mbpp+")}
    fits = {b: leaderboard.fit_ceiling(c, seed=0) for b, c in ceilings.items()}
    paper = pd.DataFrame({"accuracy": [0.3, 0.6], "conditional_accuracy": [0.7, 0.85]})
    fig = figures.leaderboard_fits(ceilings, fits, paper, {"slope": 0.2, "intercept": 0.65}, seed=0)
    assert [ax.get_title() for ax in fig.axes] == ["HumanEval+", "MBPP+"]
    _assert_legend_outside_the_axes(fig)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert len(labels) == 5 and any("paper" in t for t in labels)
    assert fig.get_figwidth() <= 8  # readable at the book's column width
    # the paper's marks are grey in this figure as in every other (never orange)
    from flaws.figures.style import ROLE_COLORS
    grey = matplotlib.colors.to_rgba(ROLE_COLORS["paper"])
    squares = [c for c in fig.axes[0].collections if c.get_offsets().shape[0] == 2]
    assert squares and all(tuple(fc[:3]) == grey[:3] for fc in squares[0].get_facecolors())
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:4] == b"\x89PNG"
    # the reader-facing tables of the chapter: no index, formatted numbers
    t = leaderboard.fit_table(fits, {"slope": 0.2, "intercept": 0.65, "r_squared": 0.5, "p_value": 0.01}, 17)
    assert list(t.columns)[:2] == ["data", "models"] and len(t) == 3
    html = book.table(t)._repr_html_()
    assert "<th>data</th>" in html and "dataframe" in html and "<th></th>" not in html
    glues = leaderboard.fit_glues(fits, ceilings)
    assert glues["lb_he_slope"] == f"{fits['humaneval+']['slope']:.3f}" and "lb_mbpp_fpr_median" in glues
    assert 0 < leaderboard.rounding_bound(ceilings) < 0.01


def test_code_quality_figures_draw_one_panel_per_model_and_one_row_per_difference():
    rates = pd.DataFrame([{"model": m, "measure": r, "condition": c, "rate": 0.5, "low": 0.4, "high": 0.6}
                          for m in ("a", "b") for r in ("lt_only", "no_while")
                          for c in ("false_positive", "correct", "passes_base")])
    fig = figures.adherence_by_outcome(rates, ["lt_only", "no_while"])
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
    _assert_legend_outside_the_axes(fig)
    # every mark explained: three groups and the interval bars
    assert len(fig.legends[0].get_texts()) == 4
    within = pd.DataFrame({"model": ["a", "b"], "measure": ["lt_only", "lt_only"], "n_tasks": [12, 15],
                           "mean_difference": [-0.1, 0.05], "low": [-0.2, -0.05], "high": [0.0, 0.15],
                           "pooled_difference": [-0.05, 0.1]})
    fig = figures.within_task_differences(within)
    assert [ax.get_title() for ax in fig.axes] == ["lt only"]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["a (12 tasks)", "b (15 tasks)"]
    _assert_legend_outside_the_axes(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:4] == b"\x89PNG"
    # two rules, a model's task count differing between them: no count in the labels, one panel per rule
    two = pd.concat([within, within.assign(measure="no_while", n_tasks=[12, 14])], ignore_index=True)
    fig = figures.within_task_differences(two)
    assert [ax.get_title() for ax in fig.axes] == ["lt only", "no while"]
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["a", "b"]


def _assert_legend_outside_the_axes(fig):
    """The figure's legend overlaps none of its axes (drawn, in display coordinates)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    (legend,) = fig.legends
    box = legend.get_window_extent(renderer)
    for ax in fig.axes:
        if ax.get_visible():
            assert not box.overlaps(ax.get_window_extent(renderer)), ax.get_title()


def test_accepted_by_base_stacks_correct_then_false_positives_with_the_legend_below():
    from flaws import pass_rates
    from flaws.figures.style import ROLE_COLORS

    outcomes = pd.DataFrame({"model": ["m"] * 4 + ["n"] * 2, "prompt_style": ["base"] * 6,
                             "task_id": ["T/0"] * 6,
                             "base_status": ["pass", "pass", "pass", "fail", "pass", "error"],
                             "plus_status": ["pass", "fail", "fail", "fail", "pass", "error"]})
    fig = figures.accepted_by_base(pass_rates.by_configuration(outcomes))
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == ["m · base", "n · base"]
    bars = ax.patches
    widths = [round(b.get_width(), 6) for b in bars]
    assert widths == [0.25, 0.5, 0.5, 0.0]  # correct m, n; then false positives m, n
    assert bars[2].get_x() == 0.25  # the false positives start where the correct ones end
    assert matplotlib.colors.to_hex(bars[0].get_facecolor()) == ROLE_COLORS["correct"].lower()
    assert matplotlib.colors.to_hex(bars[2].get_facecolor()) == ROLE_COLORS["false positive"].lower()
    legend = ax.get_legend()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    assert legend.get_window_extent(renderer).y1 < ax.get_window_extent(renderer).y0  # below the axes
    assert [t.get_text() for t in legend.get_texts()] == [
        "passes the original and the plus tests (correct)", "passes the original tests only (false positive)"]


def test_spread_labels_keeps_a_gap_and_stays_near_the_points():
    from flaws.figures.ceiling import spread_labels

    y = np.array([0.80, 0.805, 0.81, 0.95])
    placed = spread_labels(y, gap=0.02)
    ordered = np.sort(placed)
    assert np.all(np.diff(ordered) >= 0.02 - 1e-12)
    assert np.argsort(placed).tolist() == np.argsort(y, kind="stable").tolist()  # order kept
    assert np.abs(placed - y).max() <= 0.02 + 1e-12
    assert np.array_equal(spread_labels(np.array([0.5, 0.9]), 0.01), np.array([0.5, 0.9]))


def test_ceiling_vs_false_positive_rate_draws_one_panel_per_configuration():
    def table(ms, fpr):
        return pd.DataFrame([{"m": m, "model": mo, "prompt_style": st, "reachable": 0.5 + 0.01 * k,
                              "false_positive_rate": f} for mo, st in (("a", "base"), ("b", "base"))
                             for k, (m, f) in enumerate(zip(ms, fpr))])
    first = table([0, 10, "all"], [0.2, 0.05, 0.0])
    suites = table(["codet", "codet:filtered", "reflexion"], [0.3, 0.15, 0.1])
    fig = figures.ceiling_vs_false_positive_rate(first, suites, 0.8, "a")
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in shown] == ["a, base prompt", "b, base prompt"]
    assert shown[0].xaxis_inverted()  # stronger verifiers to the right
    # one line for the first-m family, one marker per suite, the cutoff
    assert len(shown[0].lines) == 1 + 3 + 1
    assert any("CodeT" in t.get_text() for t in fig.legends[0].get_texts())


def _heatmap_inputs():
    k = pd.DataFrame({"0": [20, 199], "1": [3, 0]}, index=["a [n = 20]", "b [n = 200]"])
    cens = pd.DataFrame({"0": [True, False], "1": [False, False]}, index=k.index)
    lab = pd.DataFrame({"0": ["≥ 20", "199"], "1": ["3", "0"]}, index=k.index)
    return k, cens, lab


def test_k_opt_heatmaps_colour_budgets_on_a_log_scale_and_explain_the_marks():
    import matplotlib.pyplot as plt

    k, cens, lab = _heatmap_inputs()
    fig = figures.k_opt_heatmaps({"one": (k, cens, lab), "two": (k, cens, lab)}, notes=["∞: unbounded"])
    heat = [ax for ax in fig.axes if ax.get_title() in ("one", "two")]
    assert len(heat) == 2  # stacked, one heatmap each
    shade = heat[0].collections[0]
    assert shade.norm.vmax == np.log10(200)  # one colour scale: the largest budget shown, log10(K + 1)
    ticks = [t.get_text() for t in shade.colorbar.ax.get_yticklabels()]
    assert ticks == ["0", "5", "50"]  # the colour bar speaks in budgets (every third mark on a short heatmap)
    assert np.ma.is_masked(shade.get_array()[0])  # the censored cell is not coloured
    texts = [t.get_text() for t in heat[0].texts]
    assert "≥" in texts and "199" in texts and "≥ 20" not in texts
    assert [t.get_text() for t in heat[0].get_yticklabels()] == ["a\n[n = 20]", "b\n[n = 200]"]
    assert min(t.get_fontsize() for t in heat[0].texts) >= 10  # readable at the column's width
    (legend,) = fig.legends
    assert [t.get_text().split(":")[0] for t in legend.get_texts()] == ["≥ (hatched)", "0", "∞"]
    plt.close(fig)


def test_curve_panels_draws_dots_above_lines_and_keeps_the_legend_off_the_axes():
    import matplotlib.pyplot as plt

    x = np.arange(1, 6)
    curves = pd.concat([pd.DataFrame({"panel": "p", "series": f"{kind}, r = {r}", "colour": r, "style": style,
                                      "x": x, "y": r + x / 10}) for r in (0, 1) for kind, style in
                        (("exact", "solid"), ("Monte Carlo", "dots"))])
    fig = figures.curve_panels(curves, ncols=1)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.lines}
    dots, line = lines["Monte Carlo, r = 0"], lines["exact, r = 0"]
    assert dots.get_linestyle() == "None" and dots.get_marker() == "o" and dots.get_zorder() > line.get_zorder()
    assert dots.get_color() == line.get_color()  # one colour per cost ratio
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["exact, r = 0", "Monte Carlo, r = 0", "exact, r = 1",
                                                          "Monte Carlo, r = 1"]  # one column per cost ratio
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    assert legend.get_window_extent(renderer).y1 <= ax.get_window_extent(renderer).y0  # under the axes
    fig2 = figures.curve_panels(curves.assign(panel=["p", "q"] * 10), ncols=1, legend="panels", sharey=False)
    for a in fig2.axes:
        fig2.canvas.draw()
        assert a.get_legend().get_window_extent(fig2.canvas.get_renderer()).y1 <= a.get_window_extent().y0
    plt.close(fig)
    plt.close(fig2)
