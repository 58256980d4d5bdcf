"""Importer for ``codet-codegen16b``: CodeGen-16B-mono completions released with CodeT.

The file holds one JSON object per line, ``{"prompt": ..., "samples": [100 completions]}``,
one line per HumanEval task but **not in task order**, and the prompt is the HumanEval
prompt with the docstring examples removed (sometimes with other small edits, e.g. an
``import`` moved into the function).  Several tasks share an entry-point name (two
``correct_bracketing``, two ``sum_squares``, ...), so rows are matched to tasks by their
text: a row's prompt lines must (nearly all) occur in the task's prompt.  Every task
must be matched by exactly one row, or :func:`match_tasks` raises.

The raw text of a sample is that row's prompt followed by the completion.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

from .record import Sample
from .taskmap import jsonl_rows

SOURCE_ID = "codet-codegen16b"
MODEL = "CodeGen-16B-mono"
PROMPT_STYLE = "base"
MIN_SCORE = 0.8


def _lines(text: str) -> list[str]:
    return [" ".join(ln.split()) for ln in text.splitlines() if ln.strip()]


def _entry_point(prompt: str) -> str | None:
    try:
        tree = ast.parse(prompt)
    except SyntaxError:
        return None
    defs = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return defs[-1] if defs else None


def match_score(row_prompt: str, task_prompt: str) -> float:
    """Share of the row prompt's (whitespace-normalized) lines that occur in the task prompt."""
    mine = Counter(_lines(row_prompt))
    theirs = Counter(_lines(task_prompt))
    total = sum(mine.values())
    return sum((mine & theirs).values()) / total if total else 0.0


def match_tasks(prompts: list[str], tasks: list[dict], where: str = "codet file") -> list[str]:
    """Return the task id for each row prompt; every task must be matched exactly once.

    A row is compared with every task whose entry point is the last function the row's
    prompt defines (all tasks when the prompt does not parse); the task with the highest
    :func:`match_score` wins, which must be at least ``MIN_SCORE`` and strictly higher
    than the runner-up.
    """
    by_entry: dict[str, list[dict]] = {}
    for t in tasks:
        by_entry.setdefault(t["entry_point"], []).append(t)
    matched: list[str] = []
    for i, prompt in enumerate(prompts, start=1):
        entry = _entry_point(prompt)
        pool = by_entry.get(entry, tasks) if entry else tasks
        scored = sorted(((match_score(prompt, t["prompt"]), t["task_id"]) for t in pool), reverse=True)
        best_score, best_id = scored[0]
        if best_score < MIN_SCORE:
            raise ValueError(f"{where}: line {i}: prompt of {entry!r} matches no task "
                             f"(best {best_id} with score {best_score:.2f})")
        if len(scored) > 1 and scored[1][0] == best_score:
            raise ValueError(f"{where}: line {i}: prompt matches {best_id} and {scored[1][1]} equally well")
        matched.append(best_id)
    counts = Counter(matched)
    twice = sorted(tid for tid, n in counts.items() if n > 1)
    if twice:
        raise ValueError(f"{where}: tasks matched by more than one row: {twice}")
    missing = sorted({t["task_id"] for t in tasks} - set(counts))
    if missing:
        raise ValueError(f"{where}: tasks matched by no row: {missing}")
    return matched


def read(path: str | Path, tasks: list[dict], temperature: float) -> list[Sample]:
    """Read a CodeT ``*_code_solution.jsonl`` file into samples (one per completion)."""
    path = Path(path)
    rows = []
    for lineno, row in jsonl_rows(path):
        if not isinstance(row.get("prompt"), str) or not isinstance(row.get("samples"), list):
            raise ValueError(f"{path}: line {lineno}: expected an object with 'prompt' and 'samples'")
        rows.append(row)
    task_ids = match_tasks([r["prompt"] for r in rows], tasks, where=str(path))
    samples = []
    for row, task_id in zip(rows, task_ids):
        for k, completion in enumerate(row["samples"]):
            if not isinstance(completion, str):
                raise ValueError(f"{path}: task {task_id}: sample {k} is not a string")
            samples.append(Sample(model=MODEL, prompt_style=PROMPT_STYLE, temperature=temperature,
                                  source_id=SOURCE_ID, task_id=task_id, sample_index=k,
                                  raw=row["prompt"] + completion))
    return samples
