"""The sample sets added with MBPP+ (``outcomes_new_sets.csv.gz``) for notebook 09.

These sets are greedy (one program per task) or agent pipelines (attempts that are not
independent resamples); none is an iid sample at a temperature.  A set is one model, prompt
style and run on one benchmark; :func:`with_set_labels` folds the run into the model name so
that the per-(benchmark, model, prompt style) functions of :mod:`flaws.metrics` and
:mod:`flaws.correlation` treat two runs of a model as two sets.
"""

from __future__ import annotations

import pandas as pd

NEW_OUTCOMES = "data/processed/outcomes_new_sets.csv.gz"

#: a new set's model -> the EvalPlus leaderboard entry of the same model, only where the
#: model is named unambiguously (sizes or versions the source does not give are left out)
LEADERBOARD_NAMES = {
    "WizardCoder-33B-V1.1": "WizardCoder-33B-V1.1",
    "gpt-4-1106-preview (LDB seed)": "GPT-4-Turbo (Nov 2023)",
    "GPT-3.5-turbo (EvalPlus, Nov 2023)": "GPT-3.5-Turbo (Nov 2023)",
    "starcoder (LDB seed)": "StarCoder-15B",
    "codestral (MGDebugger seed)": "Codestral-22B-v0.1",
}

#: marker per sampling kind in the figures: filled circles iid, hollow circles greedy, triangles pipeline
MARKERS = {"iid": ("o", True), "greedy": ("o", False), "pipeline": ("^", True)}


def with_set_labels(outcomes: pd.DataFrame) -> pd.DataFrame:
    """``outcomes`` with ``base_model`` (the model as recorded) and ``model`` made unique per
    set: ``"<model> [<run>]"`` where the set has a run."""
    run = outcomes["run"].fillna("").astype(str) if "run" in outcomes else pd.Series("", index=outcomes.index)
    model = outcomes["model"].astype(str)
    return outcomes.assign(base_model=model,
                           model=[m if not r else f"{m} [{r}]" for m, r in zip(model, run)])


def set_table(outcomes: pd.DataFrame) -> pd.DataFrame:
    """One row per set (source, model, benchmark, sampling, run): tasks, samples per task
    (the largest number of samples any task has) and total samples, sorted."""
    keys = ["source_id", "base_model", "benchmark", "sampling", "run"]
    o = outcomes if "base_model" in outcomes else with_set_labels(outcomes)
    per_task = o.groupby(keys + ["task_id"], sort=False).size()
    t = per_task.groupby(level=keys).agg(tasks="size", samples_per_task="max", total="sum").reset_index()
    return t.rename(columns={"base_model": "model"}).sort_values(
        ["benchmark", "source_id", "model", "run"], kind="stable").reset_index(drop=True)


def outcome_chosen_tasks(counts: pd.DataFrame) -> list[str]:
    """Tasks some set passed on the base tests but no set passed on base and plus: the paper's
    second MBPP+ exclusion, chosen by the outcomes themselves (counts of :func:`flaws.metrics.task_counts`)."""
    per = counts.groupby("task_id", sort=False)[["base_passes", "correct"]].sum()
    return [t for t, b, c in zip(per.index, per["base_passes"], per["correct"]) if b > 0 and c == 0]


def leaderboard_comparison(summary: pd.DataFrame, board: pd.DataFrame, benchmark: str) -> pd.DataFrame:
    """Greedy sets beside the leaderboard's greedy pass@1 for the same model (:data:`LEADERBOARD_NAMES`).

    ``summary`` has model (with run label), base_model, sampling, accuracy and base_accuracy for
    one benchmark; the leaderboard columns are ``<benchmark>`` (base tests) and ``<benchmark>_plus``."""
    col = {"humaneval+": "humaneval", "mbpp+": "mbpp"}[benchmark]
    lb = board.set_index("model")
    rows = []
    for r in summary[summary["sampling"].eq("greedy")].itertuples():
        name = LEADERBOARD_NAMES.get(r.base_model)
        if name is None or name not in lb.index or pd.isna(lb.loc[name, f"{col}_plus"]):
            continue
        rows.append({"set": r.model, "leaderboard entry": name,
                     "ours, base": r.base_accuracy, "leaderboard, base": lb.loc[name, col],
                     "ours, base and plus": r.accuracy, "leaderboard, plus": lb.loc[name, f"{col}_plus"]})
    out = pd.DataFrame(rows, columns=["set", "leaderboard entry", "ours, base", "leaderboard, base",
                                      "ours, base and plus", "leaderboard, plus"])
    out["difference, plus"] = out["ours, base and plus"] - out["leaderboard, plus"]
    return out


def task_presence(counts: pd.DataFrame) -> list[str]:
    """Tasks every set (model, prompt style) of ``counts`` has, in the table's order."""
    n_sets = counts.groupby(["model", "prompt_style"]).ngroups
    per = counts.groupby("task_id", sort=False).size()
    return [t for t, k in per.items() if k == n_sets]


def fig1a(ax, points: pd.DataFrame, lines: dict, paper_line: tuple[float, float] | None = None,
          paper_points: dict | None = None, title: str = ""):
    """Accuracy vs conditional accuracy: one marker per set by ``sampling`` (:data:`MARKERS`),
    bars from ``conditional_accuracy_low``/``_high``; ``lines`` maps a label to (slope, intercept,
    sampling kind or "all"), drawn over the accuracy range of those points; the paper's line
    (slope, intercept) and points in grey."""
    import numpy as np

    xs = np.linspace(0, 1, 2)
    if paper_points:
        px, py = zip(*paper_points.values())
        ax.scatter(px, py, marker="x", color="0.6", label="paper's models (read off its figure)", zorder=1)
    if paper_line:
        ax.plot(xs, paper_line[0] * xs + paper_line[1], color="0.5", ls="--",
                label=f"paper: {paper_line[0]:.2f}x + {paper_line[1]:.2f}")
    colours = {"iid": "C0", "greedy": "C1", "pipeline": "C2"}
    for kind, g in points.groupby("sampling", sort=True):
        marker, filled = MARKERS[kind]
        c = colours[kind]
        ax.errorbar(g["accuracy"], g["conditional_accuracy"],
                    yerr=[g["conditional_accuracy"] - g["conditional_accuracy_low"],
                          g["conditional_accuracy_high"] - g["conditional_accuracy"]],
                    fmt=marker, mfc=c if filled else "white", mec=c, ecolor=c, alpha=0.9,
                    label=f"{kind} sets ({len(g)})", zorder=3)
    for label, (slope, intercept, style) in lines.items():  # each over the range of its points
        own = points[points["sampling"].eq(style)] if style in colours else points
        span = np.array([own["accuracy"].min(), own["accuracy"].max()])
        ax.plot(span, slope * span + intercept, color=colours.get(style, "k"), label=label)
    ax.set(xlim=(0, 1), ylim=(0, 1.02), xlabel="accuracy (passes base and plus)",
           ylabel="conditional accuracy P(plus | base)", title=title)
    ax.legend(fontsize=8, loc="lower right")
    return ax
