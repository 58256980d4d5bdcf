"""Importer for ``reflexion-gpt4-mbpp``: GPT-4 on MBPP with MultiPL-E prompts (Reflexion, 'simple').

Two runs (``simple_mbpp_py/`` -> ``run="1"``, ``simple_mbpp_py2/`` -> ``run="2"``) of 397 JSON-lines
rows in MultiPL-E's format: ``name`` = ``mbpp_<N>_<entry_point>`` -> ``Mbpp/N``, ``entry_point``,
``solution`` (the prompt's typed signature and docstring followed by GPT-4's body: a complete
function, the raw text of a sample), and Reflexion's own ``is_solved`` label, ignored.  One program
per task at temperature 0: ``sampling="greedy"``.  Tasks outside the 399-task MBPP+ are returned
as :class:`~.taskmap.Unmapped`; where MultiPL-E's entry point differs from MBPP+'s the sample
carries it as ``asked_entry_point`` (resolved by an alias in :func:`flaws.samples.sanitize_all`).
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

from .record import Sample
from .taskmap import TaskRows, Unmapped, field, jsonl_rows

SOURCE_ID = "reflexion-gpt4-mbpp"
MODEL = "GPT-4 (Reflexion simple)"
PROMPT_STYLE = "base"
SAMPLING = "greedy"
TEMPERATURE = 0.0
RUNS = {"simple_mbpp_py": "1", "simple_mbpp_py2": "2"}
_NAME = re.compile(r"^mbpp_(\d+)_(\w+)$")


def run_of(file: str | Path) -> str:
    parent = PurePosixPath(Path(file).as_posix()).parent.name
    if parent not in RUNS:
        raise ValueError(f"{file}: run directory {parent!r} is not one of {sorted(RUNS)}")
    return RUNS[parent]


def read_file(path: str | Path, entry_points: dict[str, str]) -> tuple[list[Sample], list[Unmapped]]:
    """Read one run; ``entry_points`` maps every MBPP+ task id to its entry point."""
    path = Path(path)
    run = run_of(path)
    rows = TaskRows(SOURCE_ID, MODEL, "mbpp+", entry_points, run)
    samples = []
    for lineno, row in jsonl_rows(path):
        where = f"{path}: line {lineno}"
        name = field(row, "name", str, where)
        asked = field(row, "entry_point", str, where)
        solution = field(row, "solution", str, where)
        m = _NAME.match(name)
        if not m or m.group(2) != asked:
            raise ValueError(f"{where}: name {name!r} is not mbpp_<N>_{asked}")
        task_id = rows.task(name, where)
        if task_id is None:
            continue
        samples.append(Sample(model=MODEL, prompt_style=PROMPT_STYLE, temperature=TEMPERATURE,
                              source_id=SOURCE_ID, task_id=task_id, sample_index=0, raw=solution,
                              benchmark="mbpp+", sampling=SAMPLING, run=run,
                              asked_entry_point=asked if asked != entry_points[task_id] else None))
    return samples, rows.unmapped
