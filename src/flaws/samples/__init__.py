"""Collect samples: every LLM sample set as one canonical table (stage 1 of the pipeline).

>>> from flaws import samples
>>> df = samples.load("codet-codegen16b")     # one mirrored source, sorted, sanitized
>>> everything = samples.load_all()           # the executed sets (from the cache when fresh)
>>> every_set = samples.load_all(samples.MIRRORED_SOURCES)   # every mirrored sample set

Each row is one sample with the fields of :data:`COLUMNS`; ``solution`` is the complete
program the executor runs (see :mod:`flaws.samples.sanitize`).  ``raw=True`` adds the
text as the source stores it (``raw``) and what the sanitizer did (``shape``, ``fenced``,
``prose_cut``, ``reindented``, ``dropped``, ``added``).  Tables are sorted by model, prompt style, task number and
sample index, so two loads are identical.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import sys
from pathlib import Path, PurePosixPath

import pandas as pd
from tqdm import tqdm

from . import (agentcoder, cache, codet, evalplus_chatgpt, evalplus_formats, multipl_e, mvce, paircoder, record,
               reflexion_mbpp, results_md, seeds, taskmap, wizardcoder)
from . import sanitize as _sanitize_module
from .record import (BENCHMARK, BENCHMARKS, COLUMNS, RAW_COLUMN, Sample, solution_sha256, sort_table, task_number,
                     to_table)
from .taskmap import Unmapped
from .._io import atomic_write
from .sanitize import Sanitized, sanitize, sanitize_report

__all__ = [
    "BENCHMARK", "BENCHMARKS", "COLUMNS", "DEFAULT_SOURCES", "EXCLUDED", "MIRRORED_SOURCES", "NEW_SOURCES",
    "Sample", "Sanitized", "Unmapped", "classify_difference", "crosscheck_sets", "difference_report", "excluded",
    "export", "input_hash", "load", "load_all", "load_path", "name_mismatches", "read_source", "sanitize",
    "sanitize_report", "sanitizer_outcomes", "set_table", "solution_sha256", "sort_table", "summary_table",
    "task_number", "tasks", "to_table", "unmapped",
]

DEFAULT_SOURCES: tuple[str, ...] = (
    "codet-codegen16b",
    "multipl-e-davinci-keep",
    "mvce-ollama",
    "humaneval-results-md",
)
"""The sample sets executed in ``data/processed/outcomes.csv.gz``, all HumanEval+ and iid:
what :func:`load_all` returns by default (so the notebooks built on them are unchanged)."""

NEW_SOURCES: tuple[str, ...] = (
    "paircoder-outputs",
    "agentcoder-gpt35",
    "wizardcoder-greedy",
    "llmdebugger-seeds",
    "mgdebugger-seeds",
    "evalplus-chatgpt-mbpp",
    "reflexion-gpt4-mbpp",
)
"""The sample sets added with MBPP+ (HumanEval+ and MBPP+; greedy, pipeline and iid sets).
Their outcomes are in ``data/processed/outcomes_new_sets.csv.gz`` when built."""

MIRRORED_SOURCES: tuple[str, ...] = DEFAULT_SOURCES + NEW_SOURCES
"""Every sample set of the data mirror (``flaws samples export --all`` writes them all)."""

_IMPORTERS = {
    "codet-codegen16b": codet,
    "multipl-e-davinci-keep": multipl_e,
    "mvce-ollama": mvce,
    "humaneval-results-md": results_md,
    "paircoder-outputs": paircoder,
    "agentcoder-gpt35": agentcoder,
    "wizardcoder-greedy": wizardcoder,
    "llmdebugger-seeds": seeds,
    "mgdebugger-seeds": seeds,
    "evalplus-chatgpt-mbpp": evalplus_chatgpt,
    "reflexion-gpt4-mbpp": reflexion_mbpp,
}

EXCLUDED: dict[tuple[str, str], str] = {
    (agentcoder.SOURCE_ID, tid): "AgentCoder's programmer prompt contains this task's reference solution "
                                 "(few-shot example), which the model copies"
    for tid in agentcoder.LEAKED_TASKS
}
"""(source_id, task_id) -> why the samples stay in the table but are left out of metrics."""


def excluded(df: pd.DataFrame) -> pd.Series:
    """Boolean mask of the rows of a samples or outcomes table listed in :data:`EXCLUDED`."""
    keys = pd.Series(list(zip(df["source_id"], df["task_id"])), index=df.index, dtype=object)
    return keys.isin(list(EXCLUDED))


_TASKS: dict[str, list[dict]] = {}


def tasks(benchmark: str = BENCHMARK) -> list[dict]:
    """The tasks of ``"humaneval+"`` (default) or ``"mbpp+"`` (in file order; read once per process,
    do not mutate)."""
    from flaws import data

    key = data.benchmark_sha256(benchmark)
    if key not in _TASKS:
        _TASKS[key] = data.load_benchmark(benchmark)
    return list(_TASKS[key])


def _tasks_by_id(benchmark: str = BENCHMARK) -> dict[str, dict]:
    return {t["task_id"]: t for t in tasks(benchmark)}


def _ids(benchmark: str) -> set[str]:
    return {t["task_id"] for t in tasks(benchmark)}


def _entry_points() -> dict[str, str]:
    return {t["task_id"]: t["entry_point"] for b in BENCHMARKS for t in tasks(b)}


def registry_entry(source_id: str) -> dict:
    """A source's entry in ``data/sources.toml``."""
    from flaws import sources

    return sources.source(source_id)


def registry_temperature(source_id: str) -> float:
    """The sampling temperature the registry records for a source (NaN when unknown)."""
    value = registry_entry(source_id).get("temperature")
    return float(value) if isinstance(value, (int, float)) else math.nan


def _source_files(source_id: str) -> list[str]:
    from flaws import data

    return list(data.files(source_id))


def read_source(source_id: str) -> list[Sample]:
    """Read one mirrored source into unsanitized samples (``raw`` text only)."""
    return _read(source_id)[0]


def unmapped(source_id: str) -> list[Unmapped]:
    """The rows of a source whose task is not a task of the benchmark used here (MBPP tasks
    outside the 399 of MBPP+), in file order: counted and reported, never judged."""
    return _read(source_id)[1]


def duplicate_files(source_id: str) -> dict[str, tuple[str, str]]:
    """Files of a source byte-identical (same registered sha256) to a file of a source listed
    before it in :data:`MIRRORED_SOURCES`: ``{file: (earlier source, its file)}``.  Such files are
    read once, under the earlier source (MGDebugger re-publishes three of LDB's seed files)."""
    entry = registry_entry(source_id)
    earlier: dict[str, tuple[str, str]] = {}
    for sid in MIRRORED_SOURCES[:MIRRORED_SOURCES.index(source_id)]:
        for f in registry_entry(sid).get("file", []):
            earlier.setdefault(f["sha256"], (sid, f["path"]))
    return {f["path"]: earlier[f["sha256"]] for f in entry.get("file", []) if f["sha256"] in earlier}


def _read(source_id: str) -> tuple[list[Sample], list[Unmapped]]:
    from flaws import data

    if source_id not in _IMPORTERS:
        raise KeyError(f"unknown sample source {source_id!r}; mirrored sources: {', '.join(MIRRORED_SOURCES)}")
    files = _source_files(source_id)
    if source_id == "codet-codegen16b":
        (name,) = [f for f in files if f.endswith(".jsonl")]
        return codet.read(data.path(source_id, name), tasks(), registry_temperature(source_id)), []
    if source_id == "multipl-e-davinci-keep":
        paths = [data.path(source_id, f) for f in files if f.endswith(".yaml")]
        return multipl_e.read(paths, tasks(), registry_temperature(source_id)), []
    if source_id == "mvce-ollama":
        paths = [data.path(source_id, f) for f in files if f.startswith("results/") and f.endswith(".json")]
        return mvce.read(paths), []
    if source_id == "humaneval-results-md":
        return _read_results_md(source_id, files), []
    samples: list[Sample] = []
    lost: list[Unmapped] = []
    he_ids = _ids("humaneval+")
    if source_id == "paircoder-outputs":
        for f in files:
            got, out = paircoder.read_file(data.path(source_id, f), he_ids, _ids("mbpp+"))
            samples += got
            lost += out
    elif source_id == "agentcoder-gpt35":
        (name,) = files
        samples = agentcoder.read(data.path(source_id, name), he_ids)
    elif source_id == "wizardcoder-greedy":
        (name,) = files
        samples, lost = wizardcoder.read(data.path(source_id, name), he_ids, _ids("mbpp+"))
    elif source_id in seeds.SOURCES:
        skip = duplicate_files(source_id)
        eps = _entry_points()
        for f in files:
            if f in skip:
                continue
            got, out = seeds.read_file(source_id, f, data.path(source_id, f), he_ids, eps)
            samples += got
            lost += out
    elif source_id == "evalplus-chatgpt-mbpp":
        (name,) = files
        samples, lost = evalplus_chatgpt.read(data.path(source_id, name), _ids("mbpp+"))
    elif source_id == "reflexion-gpt4-mbpp":
        eps = {k: v for k, v in _entry_points().items() if k.startswith("Mbpp/")}
        for f in files:
            got, out = reflexion_mbpp.read_file(data.path(source_id, f), eps)
            samples += got
            lost += out
    return samples, lost


def _read_results_md(source_id: str, files: list[str]) -> list[Sample]:
    """humaneval-results-md: <model>/<n>.md; the temperature is in every file's header."""
    from flaws import data

    expected = registry_temperature(source_id)
    samples: list[Sample] = []
    for f in files:
        parts = PurePosixPath(f).parts
        if len(parts) != 2 or not f.endswith(".md"):
            continue
        model = results_md.MODELS.get(parts[0])
        if model is None:
            raise ValueError(f"{f}: unknown model directory {parts[0]!r}")
        got = results_md.read_file(data.path(source_id, f), model)
        if got and not math.isnan(expected) and got[0].temperature != expected:
            raise ValueError(f"{f}: header temperature {got[0].temperature} != registry {expected}")
        samples.extend(got)
    return samples


def sanitize_sample(sample: Sample, task: dict) -> Sanitized:
    """``sanitize_report`` of one sample, resolving a function-name difference explicitly.

    When the prompt shown to the model asked for another name than the benchmark's entry point
    (``sample.asked_entry_point``, e.g. MBPP's ``next_Power_Of_2`` where MBPP+ calls
    ``next_power_of_2``) and the program does not define the benchmark's name but defines the asked
    one, it is sanitized for the asked name and the benchmark's name is bound to it
    (``next_power_of_2 = next_Power_Of_2``, recorded in ``added`` as ``"<entry>=<asked>"``).  Any
    other program is kept as the sanitizer makes it and fails honestly if it lacks the entry point.
    """
    report = sanitize_report(sample.raw, task)
    asked, entry = sample.asked_entry_point, task["entry_point"]
    if not asked or asked == entry or report.shape == "program":
        return report
    alt = sanitize_report(sample.raw, {**task, "entry_point": asked})
    if alt.shape != "program":
        return report
    program = alt.program.rstrip("\n") + f"\n\n\n{entry} = {asked}\n"
    return dataclasses.replace(alt, program=program, added=alt.added + (f"{entry}={asked}",))


def sanitize_all(samples, by_id: dict[str, dict] | None = None, progress: bool = True,
                 desc: str = "sanitizing") -> list[Sanitized]:
    """:func:`sanitize_sample` for every sample (a sample whose task is unknown raises).

    Tasks are looked up in ``by_id`` when given, else in the sample's own benchmark."""
    lookups = {b: by_id for b in BENCHMARKS} if by_id is not None else {}
    out = []
    for s in tqdm(samples, desc=desc, disable=not progress, mininterval=1.0, file=sys.stderr):
        if s.benchmark not in lookups:
            lookups[s.benchmark] = _tasks_by_id(s.benchmark)
        task = lookups[s.benchmark].get(s.task_id)
        if task is None:
            raise ValueError(f"{s.source_id}: sample of {s.model} for unknown {s.benchmark} task {s.task_id!r}")
        out.append(sanitize_sample(s, task))
    return out


def build(source_id: str, progress: bool = True) -> pd.DataFrame:
    """Read and sanitize one mirrored source (no cache); includes ``raw`` and the sanitizer columns."""
    samples = read_source(source_id)
    return to_table(samples, reports=sanitize_all(samples, progress=progress, desc=f"sanitizing {source_id}"))


# Hashed when the package is imported, so that the hash describes the code that runs.
_CODE_HASH = {sid: cache.code_hash(record, _sanitize_module, mod, taskmap, cache, sys.modules[__name__])
              for sid, mod in _IMPORTERS.items()}


def input_hash(source_id: str) -> str:
    """Hash of everything a source's table is built from: its files, the benchmark, the code."""
    from flaws import data

    entry = registry_entry(source_id)
    files = sorted((f["path"], f["sha256"]) for f in entry.get("file", []))
    payload = {
        "source_id": source_id,
        "files": files,
        "temperature": entry.get("temperature"),
        "benchmark_sha256": {b: data.benchmark_sha256(b) for b in BENCHMARKS},
        "code": _CODE_HASH[source_id],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _finish(df: pd.DataFrame, raw: bool) -> pd.DataFrame:
    return df if raw else df[list(COLUMNS)]


def load(source_id: str, *, raw: bool = False, use_cache: bool = True, progress: bool = True) -> pd.DataFrame:
    """One mirrored source as a sorted canonical table (cached in ``data/interim/samples/``)."""
    if source_id not in _IMPORTERS:
        raise KeyError(f"unknown sample source {source_id!r}; mirrored sources: {', '.join(MIRRORED_SOURCES)}")
    key = input_hash(source_id)
    if use_cache:
        df = cache.read(source_id, key)
        if df is not None:
            return _finish(df, raw)
    df = build(source_id, progress=progress)
    if use_cache:
        cache.write(source_id, df, key)
    return _finish(df, raw)


def load_all(sources: tuple[str, ...] | list[str] = DEFAULT_SOURCES, *, raw: bool = False, use_cache: bool = True,
             progress: bool = True) -> pd.DataFrame:
    """Several mirrored sample sets in one sorted canonical table.

    By default the sets of :data:`DEFAULT_SOURCES` (those in ``outcomes.csv.gz``); pass
    :data:`MIRRORED_SOURCES` for every set, :data:`NEW_SOURCES` for the added ones."""
    if isinstance(sources, str):
        raise TypeError("sources must be a list or tuple of source ids, not a string")
    parts = [load(s, raw=True, use_cache=use_cache, progress=progress) for s in sources]
    return _finish(sort_table(pd.concat(parts, ignore_index=True)), raw)


def load_path(path: str | Path, *, model: str | None = None, prompt_style: str = "base",
              temperature: float = math.nan, fmt: str = "auto", raw: bool = False,
              keep_status: bool = False) -> pd.DataFrame:
    """Samples a user downloaded in an EvalPlus layout (see :mod:`flaws.samples.evalplus_formats`)."""
    by_id = _tasks_by_id()
    samples, status = evalplus_formats.read(path, by_id, model=model, prompt_style=prompt_style,
                                            temperature=temperature, fmt=fmt)
    df = to_table(samples, reports=sanitize_all(samples, by_id, progress=False))
    if keep_status and status:
        keys = list(zip(df["model"], df["task_id"], df["sample_index"]))
        df["base_status"] = [status.get(k, (None, None))[0] for k in keys]
        df["plus_status"] = [status.get(k, (None, None))[1] for k in keys]
        return df if raw else df[list(COLUMNS) + ["base_status", "plus_status"]]
    return _finish(df, raw)


def export(df: pd.DataFrame, out: str | Path, *, evalplus_only: bool = False) -> Path:
    """Write samples as EvalPlus jsonl: ``{"task_id", "solution"}`` first, then the other fields.

    With ``evalplus_only`` only those two keys are written.  Written atomically.
    """
    out = Path(out)
    lines = []
    for row in record.with_defaults(df)[list(COLUMNS)].itertuples(index=False):
        rec = {"task_id": row.task_id, "solution": row.solution}
        if not evalplus_only:
            rec.update({"benchmark": row.benchmark, "model": row.model, "prompt_style": row.prompt_style,
                        "temperature": None if pd.isna(row.temperature) else float(row.temperature),
                        "source_id": row.source_id, "sample_index": int(row.sample_index),
                        "sampling": row.sampling, "run": row.run})
        lines.append(json.dumps(rec, ensure_ascii=False))
    payload = ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")
    if out.suffix == ".gz":
        import gzip
        import io

        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as gz:
            gz.write(payload)
        payload = buf.getvalue()
    atomic_write(out, payload)
    return out


from .crosscheck import (  # noqa: E402  (re-exported for notebooks; crosscheck imports this package lazily)
    classify_difference,
    crosscheck_sets,
    difference_report,
    sanitizer_outcomes,
    summary_table,
)


SET_COLUMNS = ("source_id", "model", "prompt_style", "benchmark", "sampling", "run")


def set_table(df: pd.DataFrame) -> pd.DataFrame:
    """One row per sample set (source, model, prompt style, benchmark, sampling, run) in table order: tasks,
    samples per task (min, max) and total samples."""
    df = record.with_defaults(df)
    rows = []
    for key, g in df.groupby(list(SET_COLUMNS), sort=False):
        per_task = g.groupby("task_id").size()
        rows.append({**dict(zip(SET_COLUMNS, key)), "tasks": int(per_task.size),
                     "samples/task (min)": int(per_task.min()), "samples/task (max)": int(per_task.max()),
                     "total": int(len(g))})
    return pd.DataFrame(rows, columns=list(SET_COLUMNS) + ["tasks", "samples/task (min)", "samples/task (max)",
                                                           "total"])


def unmapped_table(sources: tuple[str, ...] | list[str] = MIRRORED_SOURCES) -> pd.DataFrame:
    """Per set, how many source rows name a task outside the benchmark used here (MBPP tasks not
    in the 399 of MBPP+), with those ids (as the source writes them)."""
    rows = []
    for sid in sources:
        per: dict[tuple, list[str]] = {}
        for u in unmapped(sid):
            per.setdefault((u.source_id, u.model, u.benchmark, u.run), []).append(u.task)
        for (source, model, bench, run), ids in per.items():
            rows.append({"source_id": source, "model": model, "benchmark": bench, "run": run,
                         "outside": len(ids), "task ids": " ".join(ids)})
    return pd.DataFrame(rows, columns=["source_id", "model", "benchmark", "run", "outside", "task ids"])


def name_mismatches(sources: tuple[str, ...] | list[str] = MIRRORED_SOURCES) -> pd.DataFrame:
    """The table of function-name differences: every sample whose prompt asked for another name
    than the benchmark's entry point, with how it was resolved (``alias``: MBPP+'s name bound to
    the asked one; ``defines entry point``: the program defines MBPP+'s name itself;
    ``neither defined``: kept, fails)."""
    rows = []
    for sid in sources:
        samples = [s for s in read_source(sid) if s.asked_entry_point]
        if not samples:
            continue
        df = load(sid, raw=True).set_index(["model", "run", "task_id", "sample_index"])
        for s in samples:
            added = df.loc[(s.model, s.run, s.task_id, s.sample_index), "added"]
            entry = _entry_points()[s.task_id]
            if f"{entry}={s.asked_entry_point}" in str(added).split(";"):
                how = "alias"
            elif df.loc[(s.model, s.run, s.task_id, s.sample_index), "shape"] == "program":
                how = "defines entry point"
            else:
                how = "neither defined"
            rows.append({"source_id": sid, "model": s.model, "run": s.run, "task_id": s.task_id,
                         "asked": s.asked_entry_point, "entry_point": entry, "resolution": how})
    out = pd.DataFrame(rows, columns=["source_id", "model", "run", "task_id", "asked", "entry_point", "resolution"])
    return sort_table(out.assign(benchmark="mbpp+", prompt_style="", sample_index=0))[list(out.columns)]
