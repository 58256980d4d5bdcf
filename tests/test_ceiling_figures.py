"""The ceiling chapter's figures draw what they are given."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from flaws import correlation, figures, resampling  # noqa: E402


def test_ceilings_by_samples_draws_one_panel_per_set():
    t = resampling.ceiling_by_samples([20, 20, 20], [1, 10, 20], [0, 10, 18], [2, 5, 20], draws=50, n_resamples=100)
    fig = figures.ceilings_by_samples({"a": t, "b": t}, 0.8, "strong")
    ax = fig.axes[0]
    assert len(fig.axes) == 2 and ax.get_title() == "a"
    np.testing.assert_allclose(ax.lines[1].get_ydata(), t.reachable_accuracy)
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["2", "5", "20"]


def test_accuracy_vs_ceiling_marks_points_and_cutoff():
    rng = np.random.default_rng(0)
    N = np.full((30, 4), 10)
    B = rng.binomial(10, [0.3, 0.5, 0.7, 0.9], size=(30, 4))
    C = rng.binomial(B, 0.85)
    fit = correlation.line_with_intervals(N, B, C, n_resamples=100, n_resamples_points=100)
    x, y = fit["x"], fit["y"]
    summary = pd.DataFrame({"model": list("abcd") + ["a"], "accuracy": np.r_[x, 0.1],
                            "conditional_accuracy": np.r_[y, 0.7], "conditional_accuracy_low": np.r_[y, 0.7] - 0.05,
                            "conditional_accuracy_high": np.r_[y, 0.7] + 0.05, "in_fit": [True] * 4 + [False]})
    paper = pd.DataFrame({"accuracy": [0.2, 0.8], "conditional_accuracy": [0.75, 0.9]})
    fig = figures.accuracy_vs_ceiling(summary, fit, paper, {"slope": 0.2, "intercept": 0.7, "r_squared": 0.9},
                                              0.77, "d")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "our models (base prompt; in the fit)" in labels and "other prompt styles (hollow)" in labels
    assert any(line.get_ydata()[0] == 0.77 for line in ax.lines)  # the cutoff
    # each model's name sits on an opaque box drawn above every line (no line runs through it)
    names = [t for t in ax.texts if t.get_text() in set("abcd")]
    assert sorted(t.get_text() for t in names) == list("abcd")
    top_line = max(line.get_zorder() for line in ax.lines)
    for t in names:
        assert t.get_zorder() > top_line
        box = t.get_bbox_patch()
        assert box.get_facecolor()[3] == 1.0  # opaque white
