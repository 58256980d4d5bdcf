"""Importers for the layouts in which EvalPlus and the paper's authors publish samples.

* ``jsonl``: an EvalPlus ``samples.jsonl`` (optionally ``.gz``), one object per line with
  ``task_id`` and either ``solution`` (a complete program) or ``completion`` (to append to
  the task prompt);
* ``dir``: an EvalPlus samples directory ``<model>/<Task_id>/<i>.py`` (``HumanEval_0/3.py``);
* ``eval-results``: a directory of EvalPlus ``eval_results.json`` files, one per model as
  in the paper's ``humaneval/<model>/eval_results.json``, whose ``eval`` maps each task id
  to a list of ``{"solution", "base_status", "plus_status", ...}`` entries.

:func:`read` detects the layout (``fmt="auto"``) and returns the samples plus the recorded
statuses (``{(model, task_id, sample_index): (base_status, plus_status)}``; empty for
layouts without them).
"""

from __future__ import annotations

import gzip
import json
import math
import re
from pathlib import Path

from .record import Sample
from .taskmap import json_objects

FORMATS = ("auto", "jsonl", "dir", "eval-results")
SOURCE_PREFIX = "user:"
_TASK_DIR = re.compile(r"^(?P<bench>[A-Za-z]+)_(?P<n>\d+)$")


_BENCHMARK_OF_PREFIX = {"HumanEval": "humaneval+", "Mbpp": "mbpp+"}


def _check_task(task_id, by_id: dict[str, dict], where: str) -> str:
    if not isinstance(task_id, str) or task_id not in by_id:
        hint = ""
        if isinstance(task_id, str) and "/" in task_id:
            prefix = task_id.split("/", 1)[0]
            ours = {k.split("/", 1)[0] for k in by_id}
            if prefix not in ours and prefix in _BENCHMARK_OF_PREFIX:
                hint = (f" (it looks like a {_BENCHMARK_OF_PREFIX[prefix]} task id; these samples "
                        f"are judged on {', '.join(sorted(_BENCHMARK_OF_PREFIX.get(o, o) for o in ours))}: "
                        f"pass --benchmark {_BENCHMARK_OF_PREFIX[prefix]}?)")
        raise ValueError(f"{where}: unknown task id {task_id!r}{hint}")
    return task_id


def _text_lines(path: Path):
    """``(line number, text)`` of a UTF-8 file (``.gz`` too); a byte-order mark is accepted,
    bytes that are not UTF-8 stop with the file, line and column."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield lineno, raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise ValueError(f"{path}: line {lineno}: not UTF-8 (byte 0x{raw[err.start]:02x} "
                                 f"at column {err.start + 1}); save the file as UTF-8") from None


def read_jsonl(path: str | Path, by_id: dict[str, dict], model: str, prompt_style: str = "base",
               temperature: float = math.nan) -> list[Sample]:
    """An EvalPlus samples file: ``{"task_id", "solution"|"completion"}`` per line."""
    path = Path(path)
    counters: dict[str, int] = {}
    samples = []
    for lineno, rec in json_objects(_text_lines(path), path):
        where = f"{path}: line {lineno}"
        task_id = _check_task(rec.get("task_id"), by_id, where)
        if isinstance(rec.get("solution"), str):
            raw = rec["solution"]
        elif isinstance(rec.get("completion"), str):
            raw = by_id[task_id]["prompt"] + rec["completion"]
        else:
            raise ValueError(f"{where}: needs a string 'solution' or 'completion'")
        k = counters.get(task_id, 0)
        counters[task_id] = k + 1
        samples.append(Sample(model=model, prompt_style=prompt_style, temperature=temperature,
                              source_id=SOURCE_PREFIX + path.name, task_id=task_id, sample_index=k, raw=raw))
    return samples


def read_dir(path: str | Path, by_id: dict[str, dict], model: str | None = None, prompt_style: str = "base",
             temperature: float = math.nan) -> list[Sample]:
    """An EvalPlus samples directory ``<model>/<Task_id>/<i>.py``."""
    root = Path(path)
    model = model or root.name
    samples = []
    for task_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        m = _TASK_DIR.match(task_dir.name)
        if not m:
            raise ValueError(f"{task_dir}: directory name is not <Benchmark>_<number>")
        task_id = _check_task(f"{m.group('bench')}/{int(m.group('n'))}", by_id, str(task_dir))
        files = [p for p in task_dir.glob("*.py")]
        bad = [p.name for p in files if not p.stem.isdigit()]
        if bad:
            raise ValueError(f"{task_dir}: sample files must be named <i>.py, found {bad[:3]}")
        for k, f in enumerate(sorted(files, key=lambda p: int(p.stem))):
            samples.append(Sample(model=model, prompt_style=prompt_style, temperature=temperature,
                                  source_id=SOURCE_PREFIX + root.name, task_id=task_id, sample_index=k,
                                  raw=f.read_text(encoding="utf-8")))
    if not samples:
        raise ValueError(f"{root}: no <Task_id>/<i>.py samples found")
    return samples


def read_eval_results(path: str | Path, by_id: dict[str, dict], model: str | None = None,
                      prompt_style: str = "base", temperature: float = math.nan):
    """One ``eval_results.json``: ``(samples, {(model, task_id, i): (base_status, plus_status)})``."""
    path = Path(path)
    model = model or path.parent.name
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: line {err.lineno}: not valid JSON ({err.msg})") from None
    results = doc.get("eval") if isinstance(doc, dict) else None
    if not isinstance(results, dict):
        raise ValueError(f"{path}: expected an object with an 'eval' mapping of task ids")
    samples, status = [], {}
    for task_id, entries in results.items():
        _check_task(task_id, by_id, str(path))
        if not isinstance(entries, list):
            raise ValueError(f"{path}: {task_id}: expected a list of results (EvalPlus >= 0.2 layout)")
        for k, e in enumerate(entries):
            if not isinstance(e, dict) or not isinstance(e.get("solution"), str):
                raise ValueError(f"{path}: {task_id}: entry {k} has no 'solution' string")
            samples.append(Sample(model=model, prompt_style=prompt_style, temperature=temperature,
                                  source_id=SOURCE_PREFIX + f"{path.parent.name}/{path.name}", task_id=task_id,
                                  sample_index=k, raw=e["solution"]))
            status[(model, task_id, k)] = (e.get("base_status"), e.get("plus_status"))
    return samples, status


def detect(path: str | Path) -> str:
    """Guess the layout of ``path``: ``jsonl``, ``dir`` or ``eval-results``."""
    path = Path(path)
    if path.is_file():
        if path.name == "eval_results.json":
            return "eval-results"
        if path.name.endswith((".jsonl", ".jsonl.gz")):
            return "jsonl"
        raise ValueError(f"{path}: not a .jsonl samples file or an eval_results.json")
    if not path.is_dir():
        raise FileNotFoundError(f"{path}: no such file or directory")
    if (path / "eval_results.json").exists() or any(path.glob("*/eval_results.json")):
        return "eval-results"
    if any(path.glob("*/*.py")):
        return "dir"
    raise ValueError(f"{path}: no eval_results.json files and no <Task_id>/<i>.py samples")


def read(path: str | Path, by_id: dict[str, dict], *, model: str | None = None, prompt_style: str = "base",
         temperature: float = math.nan, fmt: str = "auto"):
    """Read any supported layout: ``(samples, statuses)``."""
    path = Path(path)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {FORMATS}")
    fmt = detect(path) if fmt == "auto" else fmt
    if fmt == "jsonl":
        name = model or path.name.split(".")[0]
        return read_jsonl(path, by_id, name, prompt_style, temperature), {}
    if fmt == "dir":
        return read_dir(path, by_id, model, prompt_style, temperature), {}
    files = [path] if path.is_file() else (
        [path / "eval_results.json"] if (path / "eval_results.json").exists()
        else sorted(path.glob("*/eval_results.json")))
    samples, status = [], {}
    for f in files:
        s, st = read_eval_results(f, by_id, model if len(files) == 1 else None, prompt_style, temperature)
        samples.extend(s)
        status.update(st)
    return samples, status
