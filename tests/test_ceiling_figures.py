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


def test_accuracy_vs_ceiling_names_of_the_two_columns_do_not_overlap():
    # a name to the right of a middling model and an accurate model's name up-left, at one height
    rng = np.random.default_rng(1)
    N = np.full((30, 3), 10)
    B = rng.binomial(10, [0.4, 0.6, 0.8], size=(30, 3))
    C = rng.binomial(B, 0.85)
    fit = correlation.line_with_intervals(N, B, C, n_resamples=50, n_resamples_points=50)
    summary = pd.DataFrame({"model": ["Middling Model 8B", "Accurate Model X", "Best Model 7B"],
                            "accuracy": [0.45, 0.70, 0.79], "conditional_accuracy": [0.905, 0.878, 0.93],
                            "in_fit": [True] * 3})
    for side in ("low", "high"):
        summary[f"conditional_accuracy_{side}"] = summary.conditional_accuracy + (0.03 if side == "high" else -0.03)
    paper = pd.DataFrame({"accuracy": [0.2], "conditional_accuracy": [0.75]})
    fig = figures.accuracy_vs_ceiling(summary, fit, paper, {"slope": 0.2, "intercept": 0.7, "r_squared": 0.9},
                                      0.8, "Best Model 7B")
    fig.canvas.draw()
    boxes = [t.get_bbox_patch().get_window_extent() for t in fig.axes[0].texts]
    assert len(boxes) == 3
    assert not any(a.overlaps(b) for k, a in enumerate(boxes) for b in boxes[k + 1:])


def test_separate_labels_moves_the_lower_of_two_overlapping_boxes_down():
    import matplotlib.pyplot as plt

    from flaws.figures.ceiling import separate_labels

    fig, ax = plt.subplots()
    ax.set_ylim(0, 1)
    box = {"boxstyle": "round", "fc": "white"}
    a = ax.annotate("upper label", (0.5, 0.5), xytext=(0.5, 0.52), bbox=box)
    b = ax.annotate("lower label", (0.5, 0.5), xytext=(0.5, 0.50), bbox=box)
    far = ax.annotate("far away", (0.1, 0.1), xytext=(0.1, 0.1), bbox=box)
    assert separate_labels(ax, [a, b, far]) >= 1
    assert a.xyann == (0.5, 0.52) and far.xyann == (0.1, 0.1)  # only the lower one moved
    assert b.xyann[1] < 0.50
    fig.canvas.draw()
    assert not a.get_bbox_patch().get_window_extent().overlaps(b.get_bbox_patch().get_window_extent())
    assert separate_labels(ax, [a, b, far]) == 0  # nothing left to move
    plt.close(fig)
