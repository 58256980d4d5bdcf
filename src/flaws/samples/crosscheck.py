"""Compare our sanitizer with ``evalplus.sanitize`` and summarize every sample set.

:func:`evalplus_reference` runs ``evalplus.sanitize(raw, entry_point)`` (EvalPlus 0.3.1,
tree-sitter based: the longest syntactically valid run of lines, then imports and the
definitions the entry point reaches) on each sample's raw text, caching the result next
to the sample cache; it only parses code, never runs it.  :func:`classify_difference`
names why the two programs differ, :func:`difference_report` counts the reasons per
sample set and :func:`summary_table` gives one row per sample set (model, prompt style,
temperature, tasks, samples per task, total, share changed by sanitizing, share that
differs from EvalPlus).
"""

from __future__ import annotations

import ast
import hashlib
import sys
import warnings
from collections import Counter

import pandas as pd
from tqdm import tqdm

from . import cache
from .record import COLUMNS, RAW_COLUMN, changed_by_sanitizing, sort_table, task_number
from .sanitize import _bound_names, _parse, _top_level_def, sanitize_report

SET_KEYS = ["source_id", "model", "prompt_style"]
EVALPLUS_MAX_LINES = 200
"""Longer texts are not given to ``evalplus.sanitize``: its search for the longest parseable
span of lines takes time cubic in the number of lines (one mirrored answer has 8,671 lines,
three more have 298 to 422; a 400-line text alone takes half a minute)."""
NOT_COMPARED = "\x00not compared: too long for evalplus.sanitize\n"

CATEGORIES = (
    "identical",
    "not compared (text too long for evalplus)",
    "same statements, other layout",
    "ours: unparseable, kept as is",
    "evalplus: no entry point (ours completed a body)",
    "evalplus: no entry point",
    "repeated definitions: evalplus keeps the first, Python the last",
    "evalplus cuts the entry point short",
    "other code block or span chosen",
    "ours adds names from the prompt",
    "ours keeps definitions evalplus drops",
    "evalplus keeps statements ours drops",
    "other",
)
"""Reasons why our program differs from EvalPlus's, in priority order (first match wins)."""


def _evalplus_sanitize():
    from evalplus.sanitize import sanitize as ep_sanitize

    return ep_sanitize


def evalplus_version() -> str:
    from importlib.metadata import version

    return version("evalplus")


def evalplus_reference(df: pd.DataFrame, *, name: str | None = None, use_cache: bool = True,
                       progress: bool = True) -> pd.Series:
    """``evalplus.sanitize(raw, entry_point)`` for every row of ``df`` (needs the ``raw`` column).

    Identical raw texts of the same task are sanitized once.  With a ``name``, results are
    cached in ``data/interim/samples/<name>.evalplus.jsonl.gz``, keyed by a hash of the
    raw texts and the EvalPlus version.
    """
    from . import tasks

    if RAW_COLUMN not in df.columns:
        raise ValueError("evalplus_reference needs a table loaded with raw=True")
    entry = {t["task_id"]: t["entry_point"] for t in tasks()}
    h = hashlib.sha256(f"{evalplus_version()}|{EVALPLUS_MAX_LINES}".encode())
    for tid, raw in zip(df["task_id"], df[RAW_COLUMN]):
        h.update(tid.encode() + b"\0" + raw.encode() + b"\0")
    key = h.hexdigest()
    cache_name = f"{name}.evalplus" if name else None
    if use_cache and cache_name:
        got = cache.read(cache_name, key)
        if got is not None and len(got) == len(df):
            return pd.Series(list(got["solution"]), index=df.index, name="evalplus")
    ep = _evalplus_sanitize()
    memo: dict[tuple[str, str], str] = {}
    out = []
    pairs = list(zip(df["task_id"], df[RAW_COLUMN]))
    for tid, raw in tqdm(pairs, desc=f"evalplus.sanitize {name or ''}".strip(), disable=not progress,
                         mininterval=1.0, file=sys.stderr):
        k = (tid, raw)
        if k not in memo and raw.count("\n") >= EVALPLUS_MAX_LINES:
            memo[k] = NOT_COMPARED
        if k not in memo:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # ast warnings about the sample's own code
                    memo[k] = ep(raw, entry[tid])
            except Exception as err:  # evalplus may fail on odd input; record it as empty
                memo[k] = f"# evalplus.sanitize failed: {type(err).__name__}\n"
        out.append(memo[k])
    result = pd.Series(out, index=df.index, name="evalplus")
    if use_cache and cache_name:
        stored = df[list(COLUMNS)].copy()
        stored["solution"] = out
        stored[RAW_COLUMN] = ""
        cache.write(cache_name, stored, key)
    return result


CHAT_SOURCES = ("mvce-ollama", "humaneval-results-md")
"""The mirrored sets written by chat models, whose answers the sanitizer has to dig out."""


def crosscheck_sets(df: pd.DataFrame, sources=CHAT_SOURCES, *, use_cache: bool = True,
                    progress: bool = True) -> pd.DataFrame:
    """:func:`compare` for the rows of ``df`` from ``sources`` (EvalPlus results cached per source)."""
    parts = []
    for source in sources:
        sub = df[df["source_id"] == source]
        if sub.empty:
            continue
        ref = evalplus_reference(sub, name=source, use_cache=use_cache, progress=progress)
        parts.append(compare(sub, ref, progress=progress))
    if not parts:
        raise ValueError(f"no rows from {list(sources)} in the table")
    return pd.concat(parts)


def _stmt_key(node: ast.stmt) -> str:
    return ast.dump(node, annotate_fields=False, include_attributes=False)


def classify_difference(ours: str, theirs: str, raw: str, task: dict) -> str:
    """Why our program (``ours``) differs from EvalPlus's (``theirs``): one of :data:`CATEGORIES`."""
    if ours.strip() == theirs.strip():
        return CATEGORIES[0]
    if theirs == NOT_COMPARED:
        return "not compared (text too long for evalplus)"
    entry_point = task["entry_point"]
    report = sanitize_report(raw, task)
    if report.shape == "unparseable":
        return "ours: unparseable, kept as is"
    t_ours, t_theirs = _parse(ours), _parse(theirs)
    if t_ours is None:
        return "ours: unparseable, kept as is"
    if t_theirs is None or _top_level_def(t_theirs, entry_point) is None:
        if report.shape == "body":
            return "evalplus: no entry point (ours completed a body)"
        return "evalplus: no entry point"
    a = Counter(_stmt_key(n) for n in t_ours.body)
    b = Counter(_stmt_key(n) for n in t_theirs.body)
    if a == b:
        return "same statements, other layout"
    ours_fn, theirs_fn = _top_level_def(t_ours, entry_point), _top_level_def(t_theirs, entry_point)
    if _stmt_key(ours_fn) != _stmt_key(theirs_fn):
        ours_defs = [n for n in t_ours.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
                     and n.name == entry_point]
        if len(ours_defs) > 1 and _stmt_key(ours_defs[0]) == _stmt_key(theirs_fn):
            return "repeated definitions: evalplus keeps the first, Python the last"
        theirs_src = (ast.get_source_segment(theirs, theirs_fn) or "").rstrip()
        ours_src = (ast.get_source_segment(ours, ours_fn) or "").rstrip()
        if theirs_src and ours_src.startswith(theirs_src) and len(ours_src) > len(theirs_src):
            return "evalplus cuts the entry point short"
        return "other code block or span chosen"
    only_ours = [n for n in t_ours.body if (a - b)[_stmt_key(n)] > 0]
    only_theirs = [n for n in t_theirs.body if (b - a)[_stmt_key(n)] > 0]
    added = set(report.added)
    if only_ours and not only_theirs and all(_bound_names(n) & added for n in only_ours):
        return "ours adds names from the prompt"
    if only_ours and not only_theirs and all(
            isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom,
                           ast.Assign, ast.AnnAssign, ast.Try)) for n in only_ours):
        return "ours keeps definitions evalplus drops"
    if only_theirs and all(not (_bound_names(n) & added) for n in only_ours) and not any(
            isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) for n in only_ours):
        return "evalplus keeps statements ours drops"
    return "other"


def compare(df: pd.DataFrame, reference: pd.Series, progress: bool = True) -> pd.DataFrame:
    """Per-sample comparison: ``df`` keys plus ``changed`` (sanitizing changed the raw text),
    ``differs`` (ours != EvalPlus as text), ``differs_code`` (they differ beyond layout: not
    the same top-level statements) and ``category`` (see :func:`classify_difference`)."""
    from . import tasks

    by_id = {t["task_id"]: t for t in tasks()}
    cats = []
    rows = zip(df["solution"], reference, df[RAW_COLUMN], df["task_id"])
    for ours, theirs, raw, tid in tqdm(rows, total=len(df), desc="classifying", disable=not progress,
                                       mininterval=1.0, file=sys.stderr):
        cats.append(CATEGORIES[0] if ours.strip() == theirs.strip() else
                    classify_difference(ours, theirs, raw, by_id[tid]))
    out = df[SET_KEYS + ["task_id", "sample_index"]].copy()
    out["changed"] = [changed_by_sanitizing(r, s) for r, s in zip(df[RAW_COLUMN], df["solution"])]
    out["compared"] = [c != CATEGORIES[1] for c in cats]
    out["differs"] = [c not in CATEGORIES[:2] for c in cats]
    out["differs_code"] = [c not in CATEGORIES[:3] for c in cats]
    out["category"] = pd.Categorical(cats, categories=list(CATEGORIES))
    return out


def difference_report(comparison: pd.DataFrame) -> pd.DataFrame:
    """Counts of each category per sample set (rows: model, prompt style), with the number
    of samples compared and the number whose text differs."""
    table = pd.crosstab([comparison["model"], comparison["prompt_style"]], comparison["category"], dropna=False)
    present = comparison.groupby(["model", "prompt_style"], sort=True).size().index
    table = table.loc[table.index.isin(present)]
    table = table.loc[:, [c for c in CATEGORIES if c in table.columns and table[c].sum() > 0]]
    table.columns = list(table.columns)
    table["compared"] = comparison.groupby(["model", "prompt_style"])["compared"].sum().reindex(table.index)
    table["differing"] = comparison.groupby(["model", "prompt_style"])["differs"].sum().reindex(table.index)
    return table


def summary_table(df: pd.DataFrame, comparison: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per sample set (source, model, prompt style), in a stable order.

    Columns: temperature, tasks, samples per task (min and max), total, share changed by
    sanitizing (needs ``raw``) and, when a :func:`compare` result is given, the shares where
    our program differs from ``evalplus.sanitize`` as text and as code (beyond layout); NaN
    for sets that were not cross-checked.
    """
    rows = []
    for (source, model, style), g in df.groupby(SET_KEYS, sort=False):
        per_task = g.groupby("task_id").size()
        row = {
            "source": source, "model": model, "prompt style": style,
            "temperature": float(g["temperature"].iloc[0]),
            "tasks": int(per_task.size),
            "samples/task (min)": int(per_task.min()),
            "samples/task (max)": int(per_task.max()),
            "total": int(len(g)),
        }
        if RAW_COLUMN in g.columns:
            changed = [changed_by_sanitizing(r, s) for r, s in zip(g[RAW_COLUMN], g["solution"])]
            row["changed by sanitizing"] = sum(changed) / len(changed)
        rows.append(row)
    out = pd.DataFrame(rows)
    if comparison is not None:
        keys = list(zip(out["source"], out["model"], out["prompt style"]))
        labels = [("differs", "differs from evalplus (text)"), ("differs_code", "differs from evalplus (code)")]
        for col, label in labels:
            compared = comparison[comparison["compared"]]
            share = compared.groupby(SET_KEYS, sort=False)[col].mean()
            out[label] = [float(share.get(k, float("nan"))) for k in keys]
    order = {s: i for i, s in enumerate(["codet-codegen16b", "multipl-e-davinci-keep", "mvce-ollama",
                                         "humaneval-results-md"])}
    out = out.assign(_o=out["source"].map(lambda s: order.get(s, len(order))))
    out = out.sort_values(["_o", "model", "prompt style"], kind="mergesort")
    return out.drop(columns="_o").reset_index(drop=True)


#: the size each source states for its sample sets: (tasks, samples per task)
STATED_SIZES = {"codet-codegen16b": (164, 100), "multipl-e-davinci-keep": (161, 200),
                "mvce-ollama": (164, 20), "humaneval-results-md": (164, 10)}


def describe(df: pd.DataFrame) -> str:
    """One line on a samples table: how many samples, sample sets and sources."""
    return (f"{len(df):,} samples in {df.groupby(['model', 'prompt_style']).ngroups} sample sets "
            f"from {df['source_id'].nunique()} sources")


def size_check(summary: pd.DataFrame, stated: dict = STATED_SIZES) -> list[str]:
    """One line per set of :func:`summary_table`: its tasks and samples per task (least and most),
    "as expected" when they are the size its source states, else "UNEXPECTED" (also for a source
    that states none)."""
    lines = []
    rows = zip(summary["source"], summary["model"], summary["prompt style"], summary["tasks"],
               summary["samples/task (min)"], summary["samples/task (max)"])
    for source, model, style, tasks, lo, hi in rows:
        want = stated.get(source)
        ok = want is not None and (tasks, lo, hi) == (want[0], want[1], want[1])
        lines.append(f"{model:24s} {style:12s} {tasks:4d} tasks x {lo:3d}-{hi:3d} samples: "
                     f"{'as expected' if ok else 'UNEXPECTED'}")
    return lines


def changed_shares(summary: pd.DataFrame, chat_sources=CHAT_SOURCES) -> dict[str, float]:
    """The range of "changed by sanitizing" of :func:`summary_table`: ``chat_min`` and
    ``chat_max`` over the chat sets, ``completion_max`` over the others."""
    chat = summary["source"].isin(chat_sources)
    changed = summary["changed by sanitizing"]
    return {"chat_min": float(changed[chat].min()), "chat_max": float(changed[chat].max()),
            "completion_max": float(changed[~chat].max())}


def short_tasks(df: pd.DataFrame, expected: int) -> pd.DataFrame:
    """Sample sets and tasks with fewer than ``expected`` samples (empty when none)."""
    per = df.groupby(["model", "prompt_style", "task_id"]).size().rename("samples").reset_index()
    per = per[per["samples"] < expected]
    per = per.assign(_n=per["task_id"].map(task_number)).sort_values(["model", "prompt_style", "_n"])
    return per.drop(columns="_n").reset_index(drop=True)


def sanitizer_outcomes(df: pd.DataFrame) -> pd.DataFrame:
    """Per sample set, the share of samples by what the sanitizer did (needs ``load(..., raw=True)``).

    ``program``/``body``/``unparseable``: the shape found; ``fenced``: a markdown block was
    taken; ``prose cut``: prose around unfenced code was cut; ``reindented``: a body's
    indentation was repaired; ``dropped code``: top-level statements were removed;
    ``added from prompt``: imports or helpers were taken from the prompt.
    """
    from .record import SANITIZER_COLUMNS

    missing = [c for c in SANITIZER_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"sanitizer_outcomes needs a table loaded with raw=True (missing {missing})")
    g = df.assign(program=df["shape"] == "program", body=df["shape"] == "body",
                  unparseable=df["shape"] == "unparseable", dropped_any=df["dropped"] != "",
                  added_any=df["added"] != "")
    cols = {"program": "program", "body": "body", "unparseable": "unparseable", "fenced": "fenced",
            "prose_cut": "prose cut", "reindented": "reindented", "dropped_any": "dropped code",
            "added_any": "added from prompt"}
    out = g.groupby(["model", "prompt_style"], sort=True)[list(cols)].mean().rename(columns=cols)
    out.insert(0, "samples", g.groupby(["model", "prompt_style"], sort=True).size())
    return out


def statement_counts(df: pd.DataFrame, column: str = "dropped") -> pd.DataFrame:
    """How often each dropped statement kind (``column="dropped"``) or added prompt name
    (``column="added"``) occurs, per source (rows: kind or name; columns: source)."""
    rows = []
    for source, values in zip(df["source_id"], df[column]):
        if values:
            rows.extend((source, v) for v in values.split(";"))
    if not rows:
        return pd.DataFrame()
    table = pd.crosstab(pd.Series([r[1] for r in rows], name=column), pd.Series([r[0] for r in rows], name="source"))
    return table.loc[table.sum(axis=1).sort_values(ascending=False, kind="mergesort").index]


__all__ = ["CATEGORIES", "classify_difference", "compare", "difference_report", "evalplus_reference",
           "sanitizer_outcomes", "short_tasks", "statement_counts", "summary_table"]
