"""Importer for ``evalplus-chatgpt-mbpp``: ChatGPT's greedy MBPP+ programs from the EvalPlus history.

399 JSON-lines rows ``{task_id: <integer N>, prompt, completion, full_content}``; ``N`` is
``Mbpp/N``.  The prompt holds the task text and *all* original MBPP asserts as top-level lines,
so the raw text of a sample is the ``completion`` alone (prompt + completion would run the
asserts before the definition).  The prompt asks for MBPP+'s own function name; completions that
define another name are kept and fail.
"""

from __future__ import annotations

from pathlib import Path

from .record import Sample
from .taskmap import TaskRows, Unmapped, field, jsonl_rows

SOURCE_ID = "evalplus-chatgpt-mbpp"
MODEL = "GPT-3.5-turbo (EvalPlus, Nov 2023)"
PROMPT_STYLE = "base"
SAMPLING = "greedy"
TEMPERATURE = 0.0


def read(path: str | Path, mbpp_ids: set[str]) -> tuple[list[Sample], list[Unmapped]]:
    path = Path(path)
    rows = TaskRows(SOURCE_ID, MODEL, "mbpp+", mbpp_ids)
    samples = []
    for lineno, row in jsonl_rows(path):
        where = f"{path}: line {lineno}"
        code = field(row, "completion", str, where)
        task_id = rows.task(field(row, "task_id", int, where), where)
        if task_id is None:
            continue
        samples.append(Sample(model=MODEL, prompt_style=PROMPT_STYLE, temperature=TEMPERATURE,
                              source_id=SOURCE_ID, task_id=task_id, sample_index=0, raw=code,
                              benchmark="mbpp+", sampling=SAMPLING))
    return samples, rows.unmapped
