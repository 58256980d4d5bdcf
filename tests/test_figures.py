"""flaws.figures: one place for the book's figures; the old module names re-export the same
functions; notebook 07's leaderboard figure draws an image from a small board."""

import io
import json

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from flaws import book, ceiling_figures, figures, leaderboard, plotting, verifier_figures  # noqa: E402


def test_old_names_are_the_same_functions():
    assert plotting.k_opt_heatmap is figures.k_opt_heatmap
    assert plotting.save_book_figure is figures.save_book_figure
    assert plotting.use_style is figures.use_style
    assert ceiling_figures.accuracy_vs_ceiling is figures.accuracy_vs_ceiling
    assert verifier_figures.slope_vs_m is figures.slope_vs_m
    assert set(figures.__all__) <= set(dir(figures))


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
    within = pd.DataFrame({"model": ["a", "b"], "measure": ["lt_only", "lt_only"], "n_tasks": [12, 15],
                           "mean_difference": [-0.1, 0.05], "low": [-0.2, -0.05], "high": [0.0, 0.15],
                           "pooled_difference": [-0.05, 0.1]})
    fig = figures.within_task_differences(within)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["lt_only · a (n=12)", "lt_only · b (n=15)"]
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:4] == b"\x89PNG"


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
