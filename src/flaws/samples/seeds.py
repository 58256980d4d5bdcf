"""Importer for ``llmdebugger-seeds`` (LDB) and ``mgdebugger-seeds`` (MGDebugger): the seed
programs the two debuggers start from, one per task.

``input_data/<humaneval|mbpp>/seed/<model>/seed.jsonl`` holds one row per task (not always in
task order): ``task_id`` (``HumanEval/N`` or ``MBPP/N``), ``prompt``, ``entry_point``,
``solution`` (a complete program) and the authors' labels, which are ignored.  LDB draws seeds at
temperature 0 (``sampling="greedy"``); MGDebugger does not document its temperature (NaN), its
files follow LDB's greedy seeds, so they are marked greedy too.  LDB's ``reflexion`` "seed" is
Reflexion's own GPT-4 self-reflection run: its ``solution`` is a function body (appended to the
prompt), and the set is a ``"pipeline"``.

MBPP: the files cover MBPP's 500 test tasks (``MBPP/11`` .. ``MBPP/510``), of which only those in
the 399-task MBPP+ can be judged; the rest are returned as :class:`~.taskmap.Unmapped`.  Where the
row's ``entry_point`` (the name the prompt asked for) differs from MBPP+'s, the sample carries it
as ``asked_entry_point`` and :func:`flaws.samples.sanitize_all` binds MBPP+'s name to it.

Files that are byte-identical across LDB and MGDebugger are read once (see
:func:`flaws.samples.read_source`).
"""

from __future__ import annotations

import math
import re
from pathlib import Path, PurePosixPath

from .record import Sample
from .taskmap import TaskRows, Unmapped, field, jsonl_rows

SOURCES = {
    "llmdebugger-seeds": ("LDB seed", 0.0),
    "mgdebugger-seeds": ("MGDebugger seed", math.nan),
}
PROMPT_STYLE = "base"
#: seeds that are not one greedy program: Reflexion's self-reflection loop
PIPELINE_MODELS = ("reflexion",)
_PATH = re.compile(r"^input_data/(?P<dataset>humaneval|mbpp)/seed/(?P<model>[^/]+)/seed\.jsonl$")


def parse_path(file: str) -> tuple[str, str]:
    """``input_data/mbpp/seed/codellama/seed.jsonl`` -> ``("mbpp+", "codellama")``."""
    m = _PATH.match(PurePosixPath(file).as_posix())
    if not m:
        raise ValueError(f"{file}: not input_data/<humaneval|mbpp>/seed/<model>/seed.jsonl")
    return ("humaneval+" if m.group("dataset") == "humaneval" else "mbpp+"), m.group("model")


def model_name(source_id: str, directory: str) -> str:
    return f"{directory} ({SOURCES[source_id][0]})"


def read_file(source_id: str, file: str, path: str | Path, humaneval_ids: set[str],
              entry_points: dict[str, str]) -> tuple[list[Sample], list[Unmapped]]:
    """Read one seed file; ``entry_points`` maps every MBPP+ and HumanEval+ task id to its entry point."""
    if source_id not in SOURCES:
        raise KeyError(f"{source_id!r} is not a seed source ({sorted(SOURCES)})")
    benchmark, directory = parse_path(file)
    model = model_name(source_id, directory)
    temperature = SOURCES[source_id][1]
    pipeline = directory in PIPELINE_MODELS
    path = Path(path)
    rows = TaskRows(source_id, model, benchmark, humaneval_ids if benchmark == "humaneval+" else entry_points)
    samples = []
    for lineno, row in jsonl_rows(path):
        where = f"{path}: line {lineno}"
        solution = field(row, "solution", str, where)
        asked = field(row, "entry_point", str, where)
        task_id = rows.task(field(row, "task_id", str, where), where)
        if task_id is None:
            continue
        raw = field(row, "prompt", str, where) + solution if pipeline else solution
        samples.append(Sample(model=model, prompt_style=PROMPT_STYLE, temperature=temperature,
                              source_id=source_id, task_id=task_id, sample_index=0, raw=raw,
                              benchmark=benchmark, sampling="pipeline" if pipeline else "greedy",
                              asked_entry_point=asked if asked != entry_points[task_id] else None))
    return samples, rows.unmapped
