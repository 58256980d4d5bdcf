"""flaws.new_sets: set labels, the table of sets, the outcome-chosen exclusion, leaderboard rows."""

from __future__ import annotations

import pandas as pd

from flaws import new_sets


def _outcomes():
    rows = []
    for run, tid, b, p in (("a", "Mbpp/2", "pass", "pass"), ("a", "Mbpp/3", "pass", "fail"),
                           ("b", "Mbpp/2", "pass", "pass"), ("b", "Mbpp/3", "fail", "fail")):
        rows.append({"source_id": "s", "model": "WizardCoder-33B-V1.1", "benchmark": "mbpp+",
                     "prompt_style": "base", "sampling": "greedy", "run": run, "task_id": tid,
                     "sample_index": 0, "base_status": b, "plus_status": p})
    for k in range(3):
        rows.append({"source_id": "p", "model": "X (PairCoder)", "benchmark": "mbpp+",
                     "prompt_style": "base", "sampling": "pipeline", "run": "", "task_id": "Mbpp/2",
                     "sample_index": k, "base_status": "pass", "plus_status": "fail"})
    return pd.DataFrame(rows)


def test_set_labels_and_table():
    o = new_sets.with_set_labels(_outcomes())
    assert sorted(o.model.unique()) == ["WizardCoder-33B-V1.1 [a]", "WizardCoder-33B-V1.1 [b]", "X (PairCoder)"]
    t = new_sets.set_table(o)
    assert t[["source_id", "run", "tasks", "samples_per_task", "total"]].values.tolist() == [
        ["p", "", 1, 3, 3], ["s", "a", 2, 1, 2], ["s", "b", 2, 1, 2]]


def test_outcome_chosen_tasks():
    from flaws import metrics

    counts = metrics.task_counts(new_sets.with_set_labels(_outcomes()))
    assert new_sets.outcome_chosen_tasks(counts) == ["Mbpp/3"]


def test_leaderboard_comparison_only_named_greedy_models():
    summary = pd.DataFrame([
        {"model": "WizardCoder-33B-V1.1 [a]", "base_model": "WizardCoder-33B-V1.1", "sampling": "greedy",
         "accuracy": 0.6, "base_accuracy": 0.7},
        {"model": "codellama (LDB seed)", "base_model": "codellama (LDB seed)", "sampling": "greedy",
         "accuracy": 0.3, "base_accuracy": 0.4},
        {"model": "X (PairCoder)", "base_model": "X (PairCoder)", "sampling": "pipeline",
         "accuracy": 0.5, "base_accuracy": 0.6}])
    board = pd.DataFrame([{"model": "WizardCoder-33B-V1.1", "mbpp": 0.78, "mbpp_plus": 0.65}])
    t = new_sets.leaderboard_comparison(summary, board, "mbpp+")
    assert t["set"].tolist() == ["WizardCoder-33B-V1.1 [a]"]
    assert round(t["difference, plus"].iloc[0], 3) == -0.05


def test_fig1a_draws_each_line_over_its_points():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    pts = pd.DataFrame({"sampling": ["greedy", "greedy", "pipeline"], "accuracy": [0.2, 0.6, 0.8],
                        "conditional_accuracy": [0.7, 0.8, 0.9], "conditional_accuracy_low": [0.6, 0.7, 0.8],
                        "conditional_accuracy_high": [0.8, 0.9, 1.0]})
    fig, ax = plt.subplots()
    new_sets.fig1a(ax, pts, {"g": (0.25, 0.65, "greedy"), "all": (0.3, 0.6, "all")}, (0.23, 0.67))
    xs = {line.get_label(): tuple(line.get_xdata()) for line in ax.get_lines()}
    assert xs["g"] == (0.2, 0.6) and xs["all"] == (0.2, 0.8) and xs["paper: 0.23x + 0.67"] == (0.0, 1.0)
    plt.close(fig)
