"""Pass rates per configuration: how many samples the verifier (the original, "base" tests)
accepts, how many of those the plus tests confirm (correct) and how many they reject (false
positives). Stage 02 shows these as a table and as :func:`flaws.figures.accepted_by_base`.

A *configuration* is a model with a prompt style. Every share here counts each sample once
(pooled over tasks); the per-task estimates with their intervals are :mod:`flaws.metrics`'.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["CONFIG_KEYS", "SHARE_COLUMNS", "by_configuration", "pooled", "reader_table", "READER_NAMES",
           "PERCENT_COLUMNS", "status_counts"]

CONFIG_KEYS = ["model", "prompt_style"]
#: the shares of :func:`by_configuration`, in the order a reader reads them
SHARE_COLUMNS = ["pass_base", "pass_plus", "correct", "false_positive", "false_positive_among_base"]
#: the reader-facing names of the table's columns
READER_NAMES = {
    "pass_base": "pass the original tests",
    "pass_plus": "pass the plus tests",
    "correct": "pass both (correct)",
    "false_positive": "false positives",
    "false_positive_among_base": "false positives among original-test passes",
}
PERCENT_COLUMNS = tuple(READER_NAMES[c] for c in SHARE_COLUMNS)


def _flags(outcomes: pd.DataFrame) -> pd.DataFrame:
    base = outcomes["base_status"].eq("pass")
    plus = outcomes["plus_status"].eq("pass")
    return outcomes.assign(pass_base=base, pass_plus=plus, correct=base & plus, false_positive=base & ~plus)


def by_configuration(outcomes: pd.DataFrame) -> pd.DataFrame:
    """One row per configuration (sorted by model, prompt style): ``samples`` and the shares of
    its samples that pass base, pass plus, pass both (``correct``), pass base only
    (``false_positive``), and ``false_positive_among_base`` = false positives / base passes."""
    o = _flags(outcomes)
    table = (o.groupby(CONFIG_KEYS, sort=True)
             .agg(samples=("task_id", "size"), **{c: (c, "mean") for c in SHARE_COLUMNS[:-1]})
             .reset_index())
    table["false_positive_among_base"] = table["false_positive"] / table["pass_base"]
    return table


def pooled(outcomes: pd.DataFrame) -> dict:
    """All samples together: ``samples``, ``base_passes``, ``false_positives`` and ``share``, the
    false positives among the base passes (each sample counts once)."""
    o = _flags(outcomes)
    base, fp = int(o["pass_base"].sum()), int(o["false_positive"].sum())
    return {"samples": len(o), "base_passes": base, "false_positives": fp,
            "share": fp / base if base else float("nan")}


def reader_table(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`by_configuration` as the book shows it: one ``configuration`` column ("model
    (prompt style)"), the sample count and the shares under reader-facing names (show the
    :data:`PERCENT_COLUMNS` as percentages)."""
    shown = table.assign(configuration=table["model"] + " (" + table["prompt_style"] + ")")
    return shown[["configuration", "samples", *SHARE_COLUMNS]].rename(columns=READER_NAMES)


def status_counts(outcomes: pd.DataFrame, statuses=("pass", "fail", "timeout", "error")) -> pd.DataFrame:
    """Samples per verdict (rows, in ``statuses`` order) on the base and the plus tests (columns)."""
    counts = pd.concat({"base": outcomes["base_status"].value_counts(),
                        "plus": outcomes["plus_status"].value_counts()}, axis=1)
    return counts.reindex(list(statuses)).fillna(0).astype(int)
