"""Importer for ``humaneval-results-md``: markdown traces of GPT-4, GPT-3.5-turbo and
CodeLlama-34B-Instruct on HumanEval.

``<model>/<n>.md`` starts with a header (``# Results of ... on HumanEval/<n>``,
``Temperature: 0.2``, ``Total runs: 10``, ...) and lists the runs under ``## Runs``, one
``### <mark> Run <k>`` section each, whose single fenced block (the trace writer's own
````python`` fence) holds the model's answer verbatim; that answer may itself contain
markdown fences and prose, which the sanitizer handles.
"""

from __future__ import annotations

import re
from pathlib import Path

from .record import Sample

SOURCE_ID = "humaneval-results-md"
MODELS = {
    "gpt-4": "GPT-4",
    "gpt-3.5-turbo": "GPT-3.5-turbo",
    "codellama-34b-instruct": "CodeLlama-34B-Instruct",
}
PROMPT_STYLE = "base"
_TITLE = re.compile(r"^# Results of .* on (HumanEval/\d+)\s*$", re.M)
_TEMPERATURE = re.compile(r"^Temperature: ([0-9.]+)", re.M)
_TOTAL = re.compile(r"^Total runs: (\d+)", re.M)
_RUN = re.compile(r"^### .*\bRun (\d+)\s*$", re.M)


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def parse(text: str, where: str = "<text>") -> tuple[str, float, list[tuple[int, str]]]:
    """Parse one trace: ``(task_id, temperature, [(run_number, answer_text), ...])``."""
    m = _TITLE.search(text)
    if not m:
        raise ValueError(f"{where}: line 1: no '# Results of ... on HumanEval/<n>' title")
    task_id = m.group(1)
    t = _TEMPERATURE.search(text)
    if not t:
        raise ValueError(f"{where}: no 'Temperature:' line in the header")
    temperature = float(t.group(1))
    runs_at = text.find("\n## Runs")
    if runs_at < 0:
        raise ValueError(f"{where}: no '## Runs' section")
    heads = [h for h in _RUN.finditer(text) if h.start() > runs_at]
    runs = []
    for i, h in enumerate(heads):
        end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
        section = text[h.end():end].split("\n")
        opens = [j for j, ln in enumerate(section) if ln.startswith("```")]
        if not opens:
            raise ValueError(f"{where}: line {_line_of(text, h.start())}: run {h.group(1)} has no fenced block")
        first = opens[0]
        closes = [j for j, ln in enumerate(section) if ln.rstrip() == "```" and j > first]
        if not closes:
            raise ValueError(f"{where}: line {_line_of(text, h.start())}: run {h.group(1)} has an unclosed block")
        runs.append((int(h.group(1)), "\n".join(section[first + 1:closes[-1]])))
    numbers = [k for k, _ in runs]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"{where}: run numbers repeat: {numbers}")
    total = _TOTAL.search(text)
    if total and int(total.group(1)) != len(runs):
        raise ValueError(f"{where}: header says {total.group(1)} runs but {len(runs)} are listed")
    return task_id, temperature, runs


def read_model_dir(directory: str | Path, model: str | None = None) -> list[Sample]:
    """Read every ``<n>.md`` trace in one model directory."""
    directory = Path(directory)
    model = model or MODELS.get(directory.name, directory.name)
    samples = []
    for path in sorted(directory.glob("*.md"), key=lambda p: (len(p.stem), p.stem)):
        samples.extend(read_file(path, model))
    return samples


def read_file(path: str | Path, model: str) -> list[Sample]:
    path = Path(path)
    task_id, temperature, runs = parse(path.read_text(encoding="utf-8"), where=str(path))
    if path.stem.isdigit() and task_id != f"HumanEval/{int(path.stem)}":
        raise ValueError(f"{path}: line 1: title names {task_id}, file name says HumanEval/{path.stem}")
    return [Sample(model=model, prompt_style=PROMPT_STYLE, temperature=temperature, source_id=SOURCE_ID,
                   task_id=task_id, sample_index=k - 1, raw=answer) for k, answer in runs]
