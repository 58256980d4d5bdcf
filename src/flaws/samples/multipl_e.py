"""Importer for ``multipl-e-davinci-keep``: code-davinci-002 completions from MultiPL-E.

One YAML file per task, ``HumanEval_<n>_<entry_point>.yaml``, with ``name``, ``prompt``,
``tests`` and ``completions`` (200 function bodies cut at MultiPL-E's stop sequences).
161 of the 164 HumanEval tasks are present.  The raw text of a sample is the file's
prompt followed by the completion; the task id comes from ``name`` and is checked
against the entry point of the HumanEval+ task with that number.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from .record import Sample

SOURCE_ID = "multipl-e-davinci-keep"
MODEL = "code-davinci-002"
PROMPT_STYLE = "base"
_NAME = re.compile(r"^HumanEval_(\d+)_(\w+)$")

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pyyaml without libyaml
    _Loader = yaml.SafeLoader


def read_file(path: str | Path, tasks_by_id: dict[str, dict], temperature: float) -> list[Sample]:
    """Read one MultiPL-E YAML file into samples."""
    path = Path(path)
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise ValueError(f"{path}: {line}not valid YAML ({getattr(err, 'problem', err)})") from None
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: expected a mapping with name, prompt, completions")
    for key in ("name", "prompt", "completions"):
        if key not in doc:
            raise ValueError(f"{path}: missing field {key!r}")
    m = _NAME.match(str(doc["name"]))
    if not m:
        raise ValueError(f"{path}: name {doc['name']!r} is not HumanEval_<n>_<entry_point>")
    task_id = f"HumanEval/{int(m.group(1))}"
    task = tasks_by_id.get(task_id)
    if task is None:
        raise ValueError(f"{path}: {task_id} is not a HumanEval+ task")
    if task["entry_point"] != m.group(2):
        raise ValueError(f"{path}: name says entry point {m.group(2)!r} but {task_id} has {task['entry_point']!r}")
    completions = doc["completions"]
    if not isinstance(completions, list) or not all(isinstance(c, str) for c in completions):
        raise ValueError(f"{path}: 'completions' must be a list of strings")
    prompt = doc["prompt"]
    return [Sample(model=MODEL, prompt_style=PROMPT_STYLE, temperature=temperature, source_id=SOURCE_ID,
                   task_id=task_id, sample_index=k, raw=prompt + c) for k, c in enumerate(completions)]


def read(paths, tasks: list[dict], temperature: float) -> list[Sample]:
    """Read many MultiPL-E YAML files; a task may appear in only one file."""
    tasks_by_id = {t["task_id"]: t for t in tasks}
    samples: list[Sample] = []
    seen: dict[str, Path] = {}
    for path in paths:
        got = read_file(path, tasks_by_id, temperature)
        if got:
            tid = got[0].task_id
            if tid in seen:
                raise ValueError(f"{path}: {tid} already read from {seen[tid]}")
            seen[tid] = Path(path)
        samples.extend(got)
    return samples
