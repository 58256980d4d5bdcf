"""flaws.figures: one place for the book's figures; the old module names re-export the same
functions; notebook 07's leaderboard figure draws an image from a small board."""

import io
import json

import matplotlib

matplotlib.use("Agg")

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
