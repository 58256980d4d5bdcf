"""Collect samples: every LLM sample set as one canonical table (stage 1 of the pipeline).

>>> from flaws import samples
>>> df = samples.load("codet-codegen16b")     # one mirrored source, sorted, sanitized
>>> everything = samples.load_all()           # all mirrored sets (from the cache when fresh)

Each row is one sample with the fields of :data:`COLUMNS`; ``solution`` is the complete
program the executor runs (see :mod:`flaws.samples.sanitize`).  ``raw=True`` adds the
text as the source stores it (``raw``) and what the sanitizer did (``shape``, ``fenced``,
``prose_cut``, ``reindented``, ``dropped``, ``added``).  Tables are sorted by model, prompt style, task number and
sample index, so two loads are identical.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from pathlib import Path, PurePosixPath

import pandas as pd
from tqdm import tqdm

from . import cache, codet, evalplus_formats, multipl_e, mvce, record, results_md
from . import sanitize as _sanitize_module
from .record import BENCHMARK, COLUMNS, RAW_COLUMN, Sample, solution_sha256, sort_table, task_number, to_table
from .sanitize import Sanitized, sanitize, sanitize_report

__all__ = [
    "BENCHMARK", "COLUMNS", "MIRRORED_SOURCES", "Sample", "Sanitized", "classify_difference",
    "crosscheck_sets", "difference_report", "export", "input_hash", "load", "load_all", "load_path",
    "read_source", "sanitize", "sanitize_report", "sanitizer_outcomes", "solution_sha256", "sort_table",
    "summary_table", "task_number", "tasks", "to_table",
]

MIRRORED_SOURCES: tuple[str, ...] = (
    "codet-codegen16b",
    "multipl-e-davinci-keep",
    "mvce-ollama",
    "humaneval-results-md",
)
"""The sample sets of the data mirror, all for HumanEval(+)."""

_IMPORTERS = {
    "codet-codegen16b": codet,
    "multipl-e-davinci-keep": multipl_e,
    "mvce-ollama": mvce,
    "humaneval-results-md": results_md,
}


_TASKS: dict[str, list[dict]] = {}


def tasks() -> list[dict]:
    """The HumanEval+ tasks (in file order; read once per process, do not mutate)."""
    from flaws import data

    key = data.benchmark_sha256(BENCHMARK)
    if key not in _TASKS:
        _TASKS[key] = data.load_benchmark(BENCHMARK)
    return list(_TASKS[key])


def _tasks_by_id() -> dict[str, dict]:
    return {t["task_id"]: t for t in tasks()}


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
    from flaws import data

    if source_id not in _IMPORTERS:
        raise KeyError(f"unknown sample source {source_id!r}; mirrored sources: {', '.join(MIRRORED_SOURCES)}")
    files = _source_files(source_id)
    if source_id == "codet-codegen16b":
        (name,) = [f for f in files if f.endswith(".jsonl")]
        return codet.read(data.path(source_id, name), tasks(), registry_temperature(source_id))
    if source_id == "multipl-e-davinci-keep":
        paths = [data.path(source_id, f) for f in files if f.endswith(".yaml")]
        return multipl_e.read(paths, tasks(), registry_temperature(source_id))
    if source_id == "mvce-ollama":
        paths = [data.path(source_id, f) for f in files if f.startswith("results/") and f.endswith(".json")]
        return mvce.read(paths)
    # humaneval-results-md: <model>/<n>.md; the temperature is in every file's header
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


def sanitize_all(samples, by_id: dict[str, dict] | None = None, progress: bool = True,
                 desc: str = "sanitizing") -> list[Sanitized]:
    """``sanitize_report`` for every sample (a sample whose task is unknown raises)."""
    by_id = by_id if by_id is not None else _tasks_by_id()
    out = []
    for s in tqdm(samples, desc=desc, disable=not progress, mininterval=1.0, file=sys.stderr):
        task = by_id.get(s.task_id)
        if task is None:
            raise ValueError(f"{s.source_id}: sample of {s.model} for unknown task {s.task_id!r}")
        out.append(sanitize_report(s.raw, task))
    return out


def build(source_id: str, progress: bool = True) -> pd.DataFrame:
    """Read and sanitize one mirrored source (no cache); includes ``raw`` and the sanitizer columns."""
    samples = read_source(source_id)
    return to_table(samples, reports=sanitize_all(samples, progress=progress, desc=f"sanitizing {source_id}"))


# Hashed when the package is imported, so that the hash describes the code that runs.
_CODE_HASH = {sid: cache.code_hash(record, _sanitize_module, mod, cache, sys.modules[__name__])
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
        "benchmark_sha256": data.benchmark_sha256(BENCHMARK),
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


def load_all(*, raw: bool = False, use_cache: bool = True, progress: bool = True) -> pd.DataFrame:
    """All mirrored sample sets in one sorted canonical table."""
    parts = [load(s, raw=True, use_cache=use_cache, progress=progress) for s in MIRRORED_SOURCES]
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
    for row in df[list(COLUMNS)].itertuples(index=False):
        rec = {"task_id": row.task_id, "solution": row.solution}
        if not evalplus_only:
            rec.update({"benchmark": row.benchmark, "model": row.model, "prompt_style": row.prompt_style,
                        "temperature": None if pd.isna(row.temperature) else float(row.temperature),
                        "source_id": row.source_id, "sample_index": int(row.sample_index)})
        lines.append(json.dumps(rec, ensure_ascii=False))
    payload = ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8")
    if out.suffix == ".gz":
        import gzip
        import io

        buf = io.BytesIO()
        with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0) as gz:
            gz.write(payload)
        payload = buf.getvalue()
    cache._atomic_write(out, payload)
    return out


from .crosscheck import (  # noqa: E402  (re-exported for notebooks; crosscheck imports this package lazily)
    classify_difference,
    crosscheck_sets,
    difference_report,
    sanitizer_outcomes,
    summary_table,
)
