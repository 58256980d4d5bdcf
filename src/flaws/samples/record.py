"""The canonical sample record and the table that holds many of them.

A *sample* is one program an LLM wrote for one benchmark task.  Every importer turns
its source's layout into records with exactly these fields, in this order:

``benchmark, model, prompt_style, temperature, source_id, task_id, sample_index, solution,
sampling, run``

``sampling`` says how the samples of a set were drawn: ``"iid"`` (independent draws at a
temperature: every set of the first four sources), ``"greedy"`` (one deterministic decode per
task) or ``"pipeline"`` (an agent pipeline whose attempts are not independent resamples, e.g.
PairCoder, AgentCoder).  ``run`` names one of several repeated runs a source holds of the same
set (e.g. WizardCoder's ``transformers`` and ``vllm`` decodes); it is empty otherwise.

``solution`` is the complete program the executor runs (imports, helper functions and
the task's entry-point function).  Tables also carry a ``raw`` column while they are
being built: the text as the source stores it (for completion-style sources, the prompt
followed by the completion), before :func:`flaws.samples.sanitize` turned it into
``solution``.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import pandas as pd

COLUMNS: tuple[str, ...] = (
    "benchmark",
    "model",
    "prompt_style",
    "temperature",
    "source_id",
    "task_id",
    "sample_index",
    "solution",
    "sampling",
    "run",
)
"""The canonical record fields, in order."""
SAMPLINGS: tuple[str, ...] = ("iid", "greedy", "pipeline")

RAW_COLUMN = "raw"
SANITIZER_COLUMNS: tuple[str, ...] = ("shape", "fenced", "prose_cut", "reindented", "dropped", "added")
"""What the sanitizer did (see :class:`flaws.samples.sanitize.Sanitized`): kept in the cache
next to ``raw``; ``dropped`` and ``added`` are ``;``-joined lists."""
BENCHMARK = "humaneval+"
BENCHMARKS: tuple[str, ...] = ("humaneval+", "mbpp+")
SORT_KEYS = ("benchmark", "model", "prompt_style", "source_id", "run", "task_number", "sample_index")


@dataclass(frozen=True)
class Sample:
    """One sample before sanitizing: where it comes from and the text the source stores."""

    model: str
    prompt_style: str
    temperature: float
    source_id: str
    task_id: str
    sample_index: int
    raw: str
    benchmark: str = BENCHMARK
    sampling: str = "iid"
    run: str = ""
    #: the function name the prompt shown to the model asked for, when it differs from the
    #: benchmark's entry point (resolved by an alias, see :func:`flaws.samples.sanitize_all`)
    asked_entry_point: str | None = None

    def __post_init__(self):
        if self.sampling not in SAMPLINGS:
            raise ValueError(f"{self.source_id}: sampling {self.sampling!r} is not one of {SAMPLINGS}")
        if self.benchmark not in BENCHMARKS:
            raise ValueError(f"{self.source_id}: benchmark {self.benchmark!r} is not one of {BENCHMARKS}")


def task_number(task_id: str) -> int:
    """``"HumanEval/17"`` -> 17 (the number used to order tasks)."""
    try:
        return int(str(task_id).rsplit("/", 1)[1])
    except (IndexError, ValueError):
        raise ValueError(f"task id {task_id!r} is not of the form '<Benchmark>/<number>'") from None


def sort_table(df: pd.DataFrame) -> pd.DataFrame:
    """Sort deterministically by benchmark, model, prompt style, source, run, task number, sample index.

    (For the four original HumanEval+ sources, each with its own model names and no runs, this is
    the earlier order by model, prompt style, task number and sample index.)
    """
    df = with_defaults(df)
    keyed = df.assign(task_number=df["task_id"].map(task_number))
    keyed = keyed.sort_values(list(SORT_KEYS), kind="mergesort")
    return keyed.drop(columns="task_number").reset_index(drop=True)


def to_table(samples, solutions: list[str] | None = None, reports: list | None = None) -> pd.DataFrame:
    """Build a sorted table from :class:`Sample` objects (``solution`` defaults to ``raw``).

    With ``reports`` (:class:`~flaws.samples.sanitize.Sanitized`, one per sample) the
    solutions are taken from them and the :data:`SANITIZER_COLUMNS` are added.
    """
    samples = list(samples)
    if reports is not None:
        solutions = [r.program for r in reports]
    rows = {
        "benchmark": [s.benchmark for s in samples],
        "model": [s.model for s in samples],
        "prompt_style": [s.prompt_style for s in samples],
        "temperature": [float(s.temperature) for s in samples],
        "source_id": [s.source_id for s in samples],
        "task_id": [s.task_id for s in samples],
        "sample_index": [int(s.sample_index) for s in samples],
        "solution": solutions if solutions is not None else [s.raw for s in samples],
        "sampling": [s.sampling for s in samples],
        "run": [s.run for s in samples],
        RAW_COLUMN: [s.raw for s in samples],
    }
    if reports is not None:
        rows["shape"] = [r.shape for r in reports]
        rows["fenced"] = [bool(r.fenced) for r in reports]
        rows["prose_cut"] = [bool(r.prose_cut) for r in reports]
        rows["reindented"] = [bool(r.reindented) for r in reports]
        rows["dropped"] = [";".join(r.dropped) for r in reports]
        rows["added"] = [";".join(r.added) for r in reports]
    df = pd.DataFrame(rows)
    df["temperature"] = df["temperature"].astype(float)
    df["sample_index"] = df["sample_index"].astype("int64")
    return sort_table(df)


def with_defaults(df: pd.DataFrame) -> pd.DataFrame:
    """A table written before ``sampling`` and ``run`` existed: its sets are iid, without runs."""
    if "sampling" in df.columns and "run" in df.columns:
        return df
    df = df.copy()
    if "sampling" not in df.columns:
        df["sampling"] = "iid"
    if "run" not in df.columns:
        df["run"] = ""
    return df


def solution_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def same_temperature(a: float, b: float) -> bool:
    """Temperatures are equal, treating two unknown (NaN) temperatures as equal."""
    return (math.isnan(a) and math.isnan(b)) or a == b


def changed_by_sanitizing(raw: str, solution: str) -> bool:
    """Sanitizing changed the text (beyond trailing whitespace)."""
    return raw.rstrip() != solution.rstrip()
