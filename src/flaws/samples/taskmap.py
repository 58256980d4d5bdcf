"""Shared by the importers of the newer sources: JSON-lines rows and task-id mapping.

*Rows.*  :func:`jsonl_rows` reads a JSON-lines file (or text) and names the file and line of a
bad row.

*MBPP task ids.*  The MBPP+ used here has 399 tasks (``Mbpp/2`` .. ``Mbpp/809``, a subset of
MBPP's 974).  Sources write MBPP ids in several ways (``MBPP/11``, ``Mbpp/11``, the integer
``11``, MultiPL-E's ``mbpp_11_<name>``); :func:`mbpp_task_id` normalises them.  A sample whose
task is not one of the 399 cannot be judged on MBPP+; it is not dropped silently but returned as
an :class:`Unmapped` row, which :func:`flaws.samples.unmapped` reports per set.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

_MBPP = re.compile(r"^(?:mbpp|Mbpp|MBPP)[/_](\d+)(?:_(\w+))?$")


@dataclass(frozen=True)
class Unmapped:
    """A source row whose task is not a task of the benchmark used here."""

    source_id: str
    model: str
    run: str
    task: str  # the id as the source writes it
    benchmark: str
    where: str  # file and line


def jsonl_rows(path: str | Path, text: str | None = None):
    """``(line_number, object)`` for every non-blank line; a bad line raises naming file and line."""
    path = Path(path)
    if text is None:
        text = path.read_text(encoding="utf-8")
    yield from json_objects(enumerate(text.split("\n"), start=1), path)


def json_objects(numbered_lines, path):
    """``(line_number, object)`` from ``(line_number, line)`` pairs of a JSON-lines file, blank lines
    skipped; a line that is not a JSON object raises naming ``path`` and the line."""
    for lineno, line in numbered_lines:
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            raise ValueError(f"{path}: line {lineno}: not valid JSON ({err.msg})") from None
        if not isinstance(row, dict):
            raise ValueError(f"{path}: line {lineno}: expected a JSON object")
        yield lineno, row


def field(row: dict, key: str, kind, where: str):
    """``row[key]``, which must be of type ``kind`` (a ValueError names ``where`` otherwise)."""
    if key not in row:
        raise ValueError(f"{where}: missing field {key!r}")
    value = row[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is int:
        raise ValueError(f"{where}: field {key!r} is {type(value).__name__}, expected {getattr(kind, '__name__', kind)}")
    return value


def mbpp_task_id(raw, where: str) -> str:
    """``"MBPP/11"``, ``"Mbpp/11"``, ``11`` or ``"mbpp_11_name"`` -> ``"Mbpp/11"``."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return f"Mbpp/{raw}"
    m = _MBPP.match(str(raw)) if isinstance(raw, str) else None
    if not m:
        raise ValueError(f"{where}: {raw!r} is not an MBPP task id")
    return f"Mbpp/{int(m.group(1))}"


def humaneval_task_id(raw, known: set[str], where: str) -> str:
    """A ``HumanEval/N`` id, which must be one of the 164."""
    if not isinstance(raw, str) or raw not in known:
        raise ValueError(f"{where}: unknown HumanEval task id {raw!r}")
    return raw


class TaskRows:
    """Maps the task ids of one file's rows to the benchmark's, in file order.

    :meth:`task` returns the benchmark task id of a row, or None for an MBPP task outside the
    benchmark (then an :class:`Unmapped` row is kept in :attr:`unmapped`); an unknown HumanEval id
    and a task seen twice raise, naming file and line.
    """

    def __init__(self, source_id: str, model: str, benchmark: str, known, run: str = ""):
        self.source_id, self.model, self.benchmark, self.run = source_id, model, benchmark, run
        self.known = known
        self.unmapped: list[Unmapped] = []
        self._seen: dict[str, str] = {}

    def task(self, raw_id, where: str) -> str | None:
        if self.benchmark == "humaneval+":
            task_id = humaneval_task_id(raw_id, self.known, where)
        else:
            task_id = mbpp_task_id(raw_id, where)
            if task_id not in self.known:
                self.unmapped.append(Unmapped(self.source_id, self.model, self.run, str(raw_id), self.benchmark, where))
                return None
        if task_id in self._seen:
            raise ValueError(f"{where}: task {task_id} already at {self._seen[task_id]}")
        self._seen[task_id] = where.rsplit(": ", 1)[-1]
        return task_id
