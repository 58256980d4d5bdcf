"""Content-addressed verdict cache: an identical program is judged once.

A verdict (base and plus status, first input not passed) is a function of the
program text, its task and the benchmark file, the reference outputs and the
canonical times that set the time limits, the execution options and the
executor itself.  The cache key names all of them::

    {"format", "executor_version", "benchmark", "benchmark_sha256",
     "expected_version", "options", "sandbox", "python", "hash_seed",
     "task_id", "reference", "solution_sha256"}

``reference`` is the sha256 of the task's entry in the expected-outputs index
(canonical CPU time per input, the reference run's statuses, inputs without a
reference output), so recomputed references with other times give other keys.
``sandbox`` is ``bwrap`` or ``none`` (the unwrapped fallback is judged apart).

Layout: ``data/interim/execute/verdicts/<benchmark>/<h[:2]>/<h>.json`` where
``h`` is the sha256 of the key (canonical JSON); the file holds the whole key
and the verdict.  A lookup uses an entry only when its stored key equals the
wanted key field for field and the verdict is well formed; anything else (a
torn or empty file, a file copied under another name, another version) is a
miss, and judging the program again overwrites it.  Verdicts of a crashed
worker are never stored.

Writes go to a uniquely named temporary file in the same directory, then
``os.replace``: a reader sees the old entry or the whole new one, and processes
writing the same key at once write the same verdict, so concurrent runs
(or several ``flaws evaluate`` on overlapping sets) are safe without locks.
There is no ``fsync``: after a power cut an entry may be empty, which is a miss.

Trust: the directory lives under the git-ignored ``data/interim`` (mode 0700,
hidden from the sandbox like all of ``data/``); whoever can write a verdict
with a correct key there can already change the project's code.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from pathlib import Path

from . import groundtruth
from .._io import atomic_write

#: layout of one entry; bump when it changes
FORMAT = 1
STATUSES = ("pass", "fail", "timeout", "error")


def _sha(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(",", ":"))
                          .encode()).hexdigest()


def reference_fingerprint(entry: dict) -> str:
    """sha256 of a task's expected-outputs index entry, minus its file name."""
    return _sha({k: v for k, v in entry.items() if k != "file"})


def default_dir() -> Path:
    return groundtruth.cache_dir() / "verdicts"


def sandbox_kind(sandbox: str) -> str:
    """What :class:`~flaws.execute.pool.WorkerPool` will use for ``sandbox``."""
    from .pool import bwrap_available

    return "bwrap" if sandbox in ("auto", "bwrap") and bwrap_available() else "none"


class VerdictCache:
    """Verdicts of one benchmark under one set of limits (see the module docstring)."""

    def __init__(self, root: str | os.PathLike, benchmark: str, expected_dir: str | os.PathLike,
                 options: dict, sandbox: str):
        from flaws.data import benchmark_sha256

        from .pool import HASH_SEED
        from .runner import EXECUTOR_VERSION

        self.dir = Path(root) / benchmark.rstrip("+")
        self.common = {
            "format": FORMAT, "executor_version": EXECUTOR_VERSION, "benchmark": benchmark,
            "benchmark_sha256": benchmark_sha256(benchmark),
            "expected_version": groundtruth.CACHE_VERSION, "options": options,
            "sandbox": sandbox_kind(sandbox),
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            "hash_seed": HASH_SEED,
        }
        # the canonical times in the index set the limits (a cluster run ships them)
        self.reference = {tid: reference_fingerprint(e)
                          for tid, e in groundtruth.expected_index(expected_dir).items()}
        self.hits = 0
        self.stores = 0

    def key(self, task_id: str, solution_sha256: str) -> dict:
        return {**self.common, "task_id": task_id, "reference": self.reference[task_id],
                "solution_sha256": solution_sha256}

    def path(self, key: dict) -> Path:
        h = _sha(key)
        return self.dir / h[:2] / f"{h}.json"

    def get(self, task_id: str, solution_sha256: str) -> dict | None:
        """The stored verdict ``{"base": {...}, "plus": {...}}``, or None."""
        key = self.key(task_id, solution_sha256)
        try:
            entry = json.loads(self.path(key).read_bytes())
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        verdict = entry.get("verdict")
        if not _well_formed(verdict):
            return None
        self.hits += 1
        return verdict

    def put(self, task_id: str, solution_sha256: str, res: dict) -> None:
        """Store a pool result (only its statuses, first failed inputs and reasons)."""
        verdict = {}
        for which in ("base", "plus"):
            r = res[which]
            if r.get("reason") == "worker crashed":
                return
            verdict[which] = {"status": r["status"], "first_failed": r.get("first_failed")}
            if r.get("reason"):
                verdict[which]["reason"] = r["reason"]
        if not _well_formed(verdict):
            return
        key = self.key(task_id, solution_sha256)
        path = self.path(key)
        data = json.dumps({"key": key, "verdict": verdict}, sort_keys=True,
                          separators=(",", ":")).encode()
        atomic_write(path, data, mode=0o600)
        self.stores += 1


def _well_formed(verdict) -> bool:
    if not isinstance(verdict, dict) or set(verdict) != {"base", "plus"}:
        return False
    for r in verdict.values():
        if not isinstance(r, dict) or r.get("status") not in STATUSES:
            return False
        ff = r.get("first_failed")
        if ff is not None and (not isinstance(ff, int) or isinstance(ff, bool) or ff < 0):
            return False
    return True
