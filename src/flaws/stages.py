"""Set-up shared by the stage notebooks (03, 04, 05): the HumanEval+ task counts after the paper's
false-negative filter, configuration labels, and how a notebook shows a table.

A notebook's first cells only name what they use; the mechanics are here, tested in
``tests/test_stages.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from . import metrics

__all__ = ["HumanEvalKept", "humaneval_kept", "config_label", "config_rows", "html_table", "show"]


@dataclass(frozen=True)
class HumanEvalKept:
    """The executed HumanEval+ samples and their per-task counts: ``outcomes`` (one row per
    sample), ``counts`` (per configuration and task, every task), ``removed`` (the tasks the
    paper's false-negative filter removes) and ``kept`` (``counts`` without them)."""

    outcomes: pd.DataFrame
    counts: pd.DataFrame
    removed: pd.DataFrame
    kept: pd.DataFrame


def humaneval_kept(outcomes: pd.DataFrame | None = None) -> HumanEvalKept:
    """The HumanEval+ rows of ``outcomes`` (default: the committed outcomes table), their task
    counts, and the same counts after the paper's false-negative filter computed on them."""
    if outcomes is None:
        from .data import project_root

        outcomes = metrics.load_outcomes(project_root() / metrics.DEFAULT_OUTCOMES)
    he = outcomes[outcomes.benchmark.str.lower().eq("humaneval+")].reset_index(drop=True)
    counts = metrics.task_counts(he)
    removed = metrics.false_negative_tasks(counts)
    return HumanEvalKept(he, counts, removed, metrics.apply_task_filter(counts, removed))


def config_label(model: str, style: str = "base") -> str:
    """How the book names a configuration: ``"Llama 3.1 8B (base)"``."""
    return f"{model} ({style})"


def config_rows(counts: pd.DataFrame, model: str, style: str = "base") -> pd.DataFrame:
    """The rows of a counts table for one configuration."""
    return counts[(counts.model == model) & (counts.prompt_style == style)]


def html_table(df: pd.DataFrame, digits: int | None = None, na_rep: str = "", border: int | None = None):
    """A data frame as an HTML table without its index column, floats to ``digits`` decimals
    (as they are when None), ``na_rep`` for a missing value. The notebook's last expression, so
    Jupyter shows it."""
    from IPython.display import HTML

    fmt = None if digits is None else (lambda v: f"{v:.{digits}f}")
    return HTML(df.to_html(index=False, float_format=fmt, na_rep=na_rep, border=border))


def show(df: pd.DataFrame, **kw) -> None:
    """Display a table as the book prints them (:func:`flaws.book.table`: no index, three
    significant digits, "—" for none) wherever it stands in a cell."""
    from IPython.display import display

    from .book import table

    display(table(df, **kw))
