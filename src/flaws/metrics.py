"""False-positive metrics: accuracy, conditional accuracy (the resampling ceiling), false positive rate.

Vocabulary (paper, section 3):

* a sample *passes base* when it passes the original HumanEval tests (the imperfect verifier);
* a sample is *correct* when it passes both the base tests and the EvalPlus extra ("plus")
  tests. This is EvalPlus's own definition of a HumanEval+ pass: ``evalplus.evaluate`` counts a
  sample for the "base + extra" pass@k only when ``base_status == plus_status == "pass"``;
* *accuracy* = P(correct) for one sample, averaged over tasks;
* *conditional accuracy* = P(correct | passes base), the resampling ceiling: the accuracy that
  resampling until the verifier accepts reaches with an unlimited budget;
* *false positive rate* = 1 - conditional accuracy.

The paper's choices, reproduced and labelled as such (``reported.json``, "metrics" and
"filter_rule"):

* the *false-negative task filter*: a task is removed when, for any model, its pass rate on the
  plus tests exceeds its pass rate on the base tests. The plus tests are run independently of the
  base tests, so this compares ``plus_status == "pass"`` with ``base_status == "pass"``; such a
  task has base tests that reject programs the (corrected) plus tests accept;
* conditional accuracy is the mean over tasks of the per-task P(correct | passes base), over the
  tasks where it is defined (at least one sample passes base). We add worst-case (undefined
  tasks count 0) and best-case (count 1) imputations as error bars, the pooled ratio
  (all correct samples / all base-passing samples) and 95% bootstrap intervals over tasks.

The paper's ``pass_plus_rate`` may count ``plus_status == "pass"`` alone; :func:`summarize`
reports that variant too (``accuracy_plus_only``) so the difference can be shown.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .execute.outcomes import read_outcomes
from .execute.runner import COLUMNS as _EXECUTOR_COLUMNS
from .stats import bootstrap_mean, bootstrap_ratio

__all__ = [
    "OUTCOME_COLUMNS",
    "STATUSES",
    "GROUP_KEYS",
    "OutcomesError",
    "load_outcomes",
    "validate_outcomes",
    "task_counts",
    "false_negative_tasks",
    "apply_task_filter",
    "compare_removed_tasks",
    "conditional_accuracy_per_task",
    "summarize",
    "summarize_counts",
]

#: Columns of ``data/processed/outcomes.csv.gz`` (one row per executed sample), as the
#: executor writes them.
OUTCOME_COLUMNS: tuple[str, ...] = tuple(_EXECUTOR_COLUMNS)
#: Optional columns of an outcomes table (``outcomes_new_sets.csv.gz``): how a set was sampled
#: and which repeated run of it a row belongs to.
SET_FIELDS: tuple[str, ...] = ("sampling", "run")
#: Allowed values of ``base_status`` / ``plus_status``.
STATUSES = ("pass", "fail", "timeout", "error")
#: A "model" in the analysis: one sampling configuration.
GROUP_KEYS = ("benchmark", "model", "prompt_style")

DEFAULT_OUTCOMES = Path("data") / "processed" / "outcomes.csv.gz"


class OutcomesError(ValueError):
    """Malformed outcomes table; the message names the file, line and problem."""


def _default_path() -> Path:
    from flaws.data import project_root

    return project_root() / DEFAULT_OUTCOMES


def load_outcomes(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the outcomes table (default: the committed ``data/processed/outcomes.csv.gz``).

    Raises :class:`FileNotFoundError` when the file is missing and :class:`OutcomesError` (naming
    file and line) when it is malformed.  A table with the set fields ``sampling`` and ``run``
    (``outcomes_new_sets.csv.gz``) keeps them; samples listed in :data:`flaws.samples.EXCLUDED`
    (AgentCoder's leaked reference solutions) are left out.
    """
    path = Path(path) if path is not None else _default_path()
    if not path.exists():
        raise FileNotFoundError(f"{path}: outcomes table not found (produced by `flaws evaluate`)")
    try:
        df = read_outcomes(path, as_text=True)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise OutcomesError(f"{path}: cannot parse as CSV: {exc}") from exc
    df = validate_outcomes(df, source=str(path))
    return drop_excluded(df)


def drop_excluded(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` without the samples listed in :data:`flaws.samples.EXCLUDED` (unchanged when none)."""
    from flaws.samples import EXCLUDED

    sources = {sid for sid, _ in EXCLUDED}
    if not df["source_id"].isin(sources).any():
        return df
    keys = pd.Series(list(zip(df["source_id"], df["task_id"])), index=df.index, dtype=object)
    return df.loc[~keys.isin(list(EXCLUDED))].reset_index(drop=True)


def validate_outcomes(df: pd.DataFrame, source: str = "<outcomes>") -> pd.DataFrame:
    """Check the schema of an outcomes table; return it with clean dtypes.

    Line numbers in error messages are those of a CSV file with a header line (row i -> line i+2).
    """
    missing = [c for c in OUTCOME_COLUMNS if c not in df.columns]
    if missing:
        raise OutcomesError(f"{source}: line 1: missing column(s) {', '.join(missing)}")
    df = df.reset_index(drop=True).copy()
    for col in ("base_status", "plus_status"):
        bad = ~df[col].isin(STATUSES).fillna(False).astype(bool)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise OutcomesError(
                f"{source}: line {i + 2}: {col} is {df[col].iloc[i]!r}, expected one of {', '.join(STATUSES)}"
            )
    for col in ("benchmark", "model", "prompt_style", "task_id"):
        bad = (df[col].isna() | df[col].astype("string").eq("")).fillna(True).astype(bool)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise OutcomesError(f"{source}: line {i + 2}: empty {col}")
    idx = pd.to_numeric(df["sample_index"], errors="coerce")
    bad = idx.isna() | (idx < 0) | (idx != np.floor(idx))
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise OutcomesError(
            f"{source}: line {i + 2}: sample_index is {df['sample_index'].iloc[i]!r}, expected an integer >= 0"
        )
    df["sample_index"] = idx.astype("int64")
    df["temperature"] = pd.to_numeric(df["temperature"], errors="coerce")
    # tables with runs (outcomes_new_sets.csv.gz): a sample is also told apart by source and run
    key = list(GROUP_KEYS) + ["task_id", "sample_index"] + (["source_id", "run"] if "run" in df.columns else [])
    dup = df.duplicated(key, keep="first")
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise OutcomesError(
            f"{source}: line {i + 2}: duplicate sample "
            + ", ".join(f"{k}={df[k].iloc[i]}" for k in key)
        )
    for col in ("benchmark", "model", "prompt_style", "task_id", "base_status", "plus_status"):
        df[col] = df[col].astype(str)
    return df


def _task_sort_key(task_ids: pd.Series) -> pd.Series:
    """Natural order of task ids (HumanEval/2 before HumanEval/10)."""
    parts = task_ids.str.rsplit("/", n=1, expand=True)
    if parts.shape[1] == 2:
        num = pd.to_numeric(parts[1], errors="coerce")
        return parts[0].fillna("") + "/" + num.fillna(-1).astype(int).map("{:09d}".format) + "/" + task_ids
    return task_ids


def task_counts(outcomes: pd.DataFrame, by: tuple[str, ...] = GROUP_KEYS) -> pd.DataFrame:
    """Per group (model, prompt style) and task: sample counts.

    Columns: ``by`` + task_id, ``n`` (samples), ``base_passes`` (base_status == pass),
    ``plus_passes`` (plus_status == pass, the plus tests alone), ``correct`` (both pass).
    Sorted by group then natural task order.
    """
    df = outcomes
    base = df["base_status"].eq("pass")
    plus = df["plus_status"].eq("pass")
    tmp = pd.DataFrame(
        {
            **{k: df[k] for k in by},
            "task_id": df["task_id"],
            "n": 1,
            "base_passes": base.astype("int64"),
            "plus_passes": plus.astype("int64"),
            "correct": (base & plus).astype("int64"),
        }
    )
    out = tmp.groupby(list(by) + ["task_id"], sort=False, dropna=False).sum().reset_index()
    out["_k"] = _task_sort_key(out["task_id"])
    out = out.sort_values(list(by) + ["_k"], kind="stable").drop(columns="_k").reset_index(drop=True)
    return out


def false_negative_tasks(counts: pd.DataFrame, by: tuple[str, ...] = GROUP_KEYS) -> pd.DataFrame:
    """The paper's false-negative filter: tasks where, for any group, plus pass rate > base pass rate.

    Returns one row per (benchmark, task_id) flagged, with the number of groups that flag it and
    the largest excess (plus rate - base rate), in natural task order.
    """
    c = counts
    excess = (c["plus_passes"] - c["base_passes"]) / c["n"]
    flagged = c.loc[excess > 0, ["benchmark", "task_id"]].assign(excess=excess[excess > 0])
    if flagged.empty:
        return pd.DataFrame({"benchmark": [], "task_id": [], "n_groups": [], "max_excess": []})
    out = (
        flagged.groupby(["benchmark", "task_id"], sort=False)
        .agg(n_groups=("excess", "size"), max_excess=("excess", "max"))
        .reset_index()
    )
    out["_k"] = _task_sort_key(out["task_id"])
    return out.sort_values(["benchmark", "_k"], kind="stable").drop(columns="_k").reset_index(drop=True)


def apply_task_filter(counts: pd.DataFrame, removed: pd.DataFrame) -> pd.DataFrame:
    """Drop the (benchmark, task_id) pairs listed in ``removed`` from a counts table."""
    if removed.empty:
        return counts.copy()
    key = pd.MultiIndex.from_frame(counts[["benchmark", "task_id"]])
    drop = pd.MultiIndex.from_frame(removed[["benchmark", "task_id"]].astype(str))
    return counts.loc[~key.isin(drop)].reset_index(drop=True)


def compare_removed_tasks(ours: list[str] | set[str], paper: list[str] | set[str]) -> dict[str, list[str]]:
    """Set comparison of removed task ids: ``both``, ``ours_only``, ``paper_only`` (natural order)."""
    ours, paper = set(ours), set(paper)

    def order(ids):
        s = pd.Series(sorted(ids), dtype=str)
        return list(s.iloc[np.argsort(_task_sort_key(s).to_numpy(), kind="stable")]) if len(s) else []

    return {"both": order(ours & paper), "ours_only": order(ours - paper), "paper_only": order(paper - ours)}


def conditional_accuracy_per_task(counts: pd.DataFrame) -> pd.Series:
    """P(correct | passes base) per row; NaN where no sample passes base."""
    b = counts["base_passes"].to_numpy(dtype=float)
    c = counts["correct"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.Series(np.where(b > 0, c / np.where(b > 0, b, 1), np.nan), index=counts.index)


def summarize_counts(
    counts: pd.DataFrame, seed: int = 0, confidence: float = 0.95, n_resamples: int = 9999
) -> dict[str, float]:
    """Headline metrics of one group (one model) from its per-task counts.

    Keys: n_tasks, n_samples, accuracy (+ _low/_high, bootstrap over tasks), accuracy_plus_only,
    base_accuracy, conditional_accuracy (mean over defined tasks, + _low/_high bootstrap,
    _worst/_best imputation), conditional_accuracy_pooled (+ _low/_high), n_tasks_defined,
    false_positive_rate (+ _low/_high, = 1 - conditional accuracy, bounds swapped; _worst/_best).
    """
    rng = np.random.default_rng(seed)
    n = counts["n"].to_numpy(dtype=float)
    b = counts["base_passes"].to_numpy(dtype=float)
    c = counts["correct"].to_numpy(dtype=float)
    p = counts["plus_passes"].to_numpy(dtype=float)
    if len(n) == 0:
        raise ValueError("no tasks to summarize")
    acc_t = c / n
    ca = conditional_accuracy_per_task(counts).to_numpy()
    defined = ~np.isnan(ca)
    ca_d = ca[defined]
    out: dict[str, float] = {"n_tasks": int(len(n)), "n_samples": int(n.sum())}
    out["accuracy"] = float(acc_t.mean())
    out["accuracy_low"], out["accuracy_high"] = bootstrap_mean(acc_t, rng, confidence, n_resamples)
    out["accuracy_plus_only"] = float((p / n).mean())
    out["base_accuracy"] = float((b / n).mean())
    out["n_tasks_defined"] = int(defined.sum())
    if defined.any():
        out["conditional_accuracy"] = float(ca_d.mean())
        out["conditional_accuracy_low"], out["conditional_accuracy_high"] = bootstrap_mean(
            ca_d, rng, confidence, n_resamples
        )
        out["conditional_accuracy_pooled"] = float(c.sum() / b.sum())
        lo, hi = bootstrap_ratio(c, b, rng, confidence, n_resamples)
        out["conditional_accuracy_pooled_low"], out["conditional_accuracy_pooled_high"] = lo, hi
    else:
        for k in ("", "_low", "_high", "_pooled", "_pooled_low", "_pooled_high"):
            out["conditional_accuracy" + k] = float("nan")
    out["conditional_accuracy_worst"] = float(np.where(defined, ca, 0.0).mean())
    out["conditional_accuracy_best"] = float(np.where(defined, ca, 1.0).mean())
    out["false_positive_rate"] = 1.0 - out["conditional_accuracy"]
    out["false_positive_rate_low"] = 1.0 - out["conditional_accuracy_high"]
    out["false_positive_rate_high"] = 1.0 - out["conditional_accuracy_low"]
    out["false_positive_rate_worst"] = 1.0 - out["conditional_accuracy_worst"]
    out["false_positive_rate_best"] = 1.0 - out["conditional_accuracy_best"]
    return out


def summarize(
    counts: pd.DataFrame,
    by: tuple[str, ...] = GROUP_KEYS,
    seed: int = 0,
    confidence: float = 0.95,
    n_resamples: int = 9999,
) -> pd.DataFrame:
    """:func:`summarize_counts` for every group; one row per group in sorted group order.

    Each group gets its own generator seeded with ``seed`` so results do not depend on which
    other groups are present.
    """
    rows = []
    for key, g in counts.groupby(list(by), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(by, key)), **summarize_counts(g, seed, confidence, n_resamples)})
    return pd.DataFrame(rows)


def subsample_counts(n, b, c, m: int, draws: int = 200, seed: int = 0):
    """Counts of random subsets of ``m`` samples per task, drawn without replacement (seeded).

    ``n``, ``b``, ``c`` are arrays of any shape (one entry per task and configuration); each of
    ``draws`` replicates keeps ``m`` of the ``n`` samples of every entry: the base passes among
    them are hypergeometric, and the correct ones among those base passes hypergeometric again.
    Entries with ``n <= m`` are kept whole; entries with ``n == 0`` (no samples) stay 0.
    Returns ``(n', b', c')`` with a leading axis of length ``draws``.
    """
    n = np.asarray(n, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    c = np.asarray(c, dtype=np.int64)
    if not (n.shape == b.shape == c.shape):
        raise ValueError("n, b and c must have the same shape")
    if np.any(b > n) or np.any(c > b) or np.any(c < 0):
        raise ValueError("need 0 <= c <= b <= n")
    if m < 1:
        raise ValueError("m must be >= 1")
    rng = np.random.default_rng(seed)
    shape = (draws,) + n.shape
    take = np.broadcast_to(np.minimum(n, m), shape)
    cut = np.broadcast_to(n > m, shape)
    b_sub = np.where(cut, rng.hypergeometric(np.broadcast_to(b, shape), np.broadcast_to(n - b, shape),
                                             np.maximum(take, 1) * cut), np.broadcast_to(b, shape))
    c_sub = np.where(cut, rng.hypergeometric(np.broadcast_to(c, shape), np.broadcast_to(b - c, shape),
                                             b_sub * cut), np.broadcast_to(c, shape))
    return np.array(take), b_sub, c_sub


def conditional_accuracy_at_n(n, b, c, m: int, draws: int = 200, seed: int = 0) -> float:
    """Expected conditional accuracy (mean of c/b over tasks with b > 0) of one configuration
    if it had ``m`` samples per task: the average over ``draws`` subsamples (:func:`subsample_counts`;
    a subsample where no task passes base has no conditional accuracy and is left out)."""
    _, bs, cs = subsample_counts(n, b, c, m, draws, seed)
    defined = bs > 0
    ratio = np.where(defined, cs / np.where(defined, bs, 1), 0.0)
    k = defined.sum(axis=1)
    return float((ratio.sum(axis=1)[k > 0] / k[k > 0]).mean())


__all__ += ["subsample_counts", "conditional_accuracy_at_n"]


def false_positive_share(counts: pd.DataFrame, by: tuple[str, ...] = GROUP_KEYS, seed: int = 0,
                         n_resamples: int = 2000, confidence: float = 0.95) -> dict:
    """Share of base-passing samples that fail plus (false positives), two ways.

    ``per_configuration``: each configuration's share (its false positives over its base passes)
    averaged over configurations, so that a set with 200 samples per task weighs as much as one
    with 10 (the headline). ``pooled``: false positives over base passes summed over every
    sample, where the sets with most samples per task dominate. Each has a 95% interval from a
    task bootstrap that draws the same tasks for every configuration (they share tasks;
    :func:`flaws.stats.task_weights`). A configuration without base passes in a replicate is left
    out of that replicate's mean. Keys: per_configuration, per_configuration_ci, pooled,
    pooled_ci, n_configurations, n_tasks, n_base_passes, n_false_positives."""
    from .stats import percentile_interval, task_weights

    keys = list(by)
    missing = [k for k in keys + ["task_id", "base_passes", "correct"] if k not in counts.columns]
    if missing:
        raise ValueError(f"counts table lacks column(s) {missing}")
    tasks = sorted(counts["task_id"].astype(str).unique())
    b = counts.pivot_table(index="task_id", columns=keys, values="base_passes", aggfunc="sum",
                           fill_value=0).reindex(tasks, fill_value=0)
    c = counts.pivot_table(index="task_id", columns=keys, values="correct", aggfunc="sum",
                           fill_value=0).reindex(index=tasks, columns=b.columns, fill_value=0)
    B, F = b.to_numpy(float), (b - c).to_numpy(float)  # tasks x configurations
    w = task_weights(len(tasks), n_resamples, seed).astype(float)  # replicates x tasks
    WB, WF = w @ B, w @ F
    with np.errstate(invalid="ignore", divide="ignore"):
        per_rep = np.nanmean(np.where(WB > 0, WF / np.where(WB > 0, WB, 1), np.nan), axis=1)
    pooled_rep = WF.sum(axis=1) / WB.sum(axis=1)
    has = B.sum(axis=0) > 0
    return {"per_configuration": float(np.mean(F.sum(axis=0)[has] / B.sum(axis=0)[has])),
            "per_configuration_ci": percentile_interval(per_rep[np.isfinite(per_rep)], confidence),
            "pooled": float(F.sum() / B.sum()),
            "pooled_ci": percentile_interval(pooled_rep[np.isfinite(pooled_rep)], confidence),
            "n_configurations": int(has.sum()), "n_tasks": len(tasks),
            "n_base_passes": int(B.sum()), "n_false_positives": int(F.sum())}


__all__ += ["false_positive_share"]
