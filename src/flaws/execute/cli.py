"""``flaws evaluate SAMPLES.jsonl --benchmark humaneval+|mbpp+ --out eval_results.json``.

Reads EvalPlus-format samples (one JSON object per line with ``task_id`` and
``solution``, or ``completion`` which is appended to the task prompt, as
``evalplus.evaluate`` does), judges them with :func:`flaws.execute.evaluate`, and
writes an EvalPlus-compatible ``eval_results.json``::

    {"date": ..., "hash": <sha256 of the benchmark file>,
     "eval": {task_id: [{"task_id", "solution", "base_status", "plus_status",
                         "base_fail_tests", "plus_fail_tests", "flaws_base_status",
                         "flaws_plus_status"}, ...]}}

``base_status``/``plus_status`` use EvalPlus's vocabulary (``pass``, ``fail``,
``timeout``; our ``error`` is reported as ``fail``, as EvalPlus would), the exact
status is kept in ``flaws_*_status``; ``*_fail_tests`` hold the first failing
input, as EvalPlus's default fast check does.  A program judged before (same text, task,
benchmark file and limits) takes its verdict from the verdict cache
(``--no-cache`` judges everything again); ``--scheduler ADDRESS`` judges on a
Dask cluster (see :mod:`flaws.execute.cluster`).  A one-screen summary follows:
accuracy, conditional accuracy (the resampling ceiling) and false positive rate.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from .._io import atomic_write


def read_samples(path: Path, tasks_by_id: dict) -> list[dict]:
    """The samples file, read by :func:`flaws.samples.evalplus_formats.read_jsonl`;
    a bad line stops the command with the file, line and problem."""
    from flaws.samples.evalplus_formats import read_jsonl

    try:
        samples = read_jsonl(path, tasks_by_id, model="user")
    except ValueError as e:
        raise SystemExit(str(e)) from None
    if not samples:
        raise SystemExit(f"{path}: no samples")
    return [{"task_id": s.task_id, "solution": s.raw} for s in samples]


def summarize(records: list[dict]) -> dict:
    per = defaultdict(lambda: [0, 0, 0])  # n, base pass, base+plus pass
    for r in records:
        c = per[r["task_id"]]
        c[0] += 1
        b = r["base_status"] == "pass"
        c[1] += b
        c[2] += b and r["plus_status"] == "pass"
    acc = sum(c[2] / c[0] for c in per.values()) / len(per)
    cond = [c[2] / c[1] for c in per.values() if c[1]]
    ca = sum(cond) / len(cond) if cond else float("nan")
    return {"samples": len(records), "tasks": len(per),
            "base_pass_rate": sum(c[1] / c[0] for c in per.values()) / len(per),
            "accuracy": acc, "conditional_accuracy": ca, "false_positive_rate": 1 - ca,
            "tasks_with_base_pass": len(cond)}


def _jsonable(x):
    if isinstance(x, (set, frozenset)):
        return sorted(x, key=repr)
    if isinstance(x, complex):
        return str(x)
    if isinstance(x, bytes):
        return x.decode("latin-1")
    raise TypeError(type(x).__name__)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="flaws evaluate", description=__doc__.split("\n\n")[0])
    ap.add_argument("samples", type=Path, help="EvalPlus samples .jsonl")
    ap.add_argument("--benchmark", required=True, choices=["humaneval+", "mbpp+"])
    ap.add_argument("--out", type=Path, required=True, help="eval_results.json to write")
    ap.add_argument("--workers", type=int, default=None,
                    help="sandboxed processes (per Dask worker with --scheduler; "
                         "default: half the machine's CPUs)")
    ap.add_argument("--journal", type=Path, default=None,
                    help="resumable journal (default: OUT with .journal.jsonl)")
    ap.add_argument("--no-cache", action="store_true",
                    help="judge every program again instead of reusing verdicts from "
                         "data/interim/execute/verdicts (the verdict cache)")
    ap.add_argument("--scheduler", metavar="ADDRESS", default=None,
                    help="judge on the Dask cluster of this scheduler (e.g. tcp://host:8786), "
                         "sharded by task; needs pip install 'flaws[cluster]'")
    ap.add_argument("--no-progress", action="store_true")
    a = ap.parse_args(argv)

    from flaws.data import benchmark_sha256

    from . import groundtruth
    from .runner import evaluate

    tasks = groundtruth.load_tasks(a.benchmark)
    by_id = {t["task_id"]: t for t in tasks}
    samples = read_samples(a.samples, by_id)
    for k, s in enumerate(samples):
        s["sample_index"] = k
    journal = a.journal or a.out.with_name(a.out.name + ".journal.jsonl")
    workers = a.workers
    if workers is None and a.scheduler is None:
        workers = max(1, (os.cpu_count() or 2) // 2)
    try:
        recs = {r["sample_index"]: r
                for r in evaluate(samples, a.benchmark, workers=workers, journal=journal,
                                  progress=not a.no_progress, cache=not a.no_cache,
                                  scheduler=a.scheduler)}
    except RuntimeError as e:
        if a.scheduler is None:
            raise
        raise SystemExit(f"flaws evaluate --scheduler {a.scheduler}: {e}") from None
    ds = groundtruth.dataset_of(a.benchmark)
    if ds == "mbpp":
        from evalplus.data.mbpp import mbpp_serialize_inputs
    results = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
               "hash": benchmark_sha256(a.benchmark), "eval": {}}
    for k, s in enumerate(samples):
        r = recs[k]
        t = by_id[s["task_id"]]
        entry = {"task_id": s["task_id"], "solution": s["solution"]}
        for which in ("base", "plus"):
            st = r[f"{which}_status"]
            entry[f"{which}_status"] = "fail" if st == "error" else st
            idx = r[f"first_failed_{which}"]
            fails = [t[f"{which}_input"][idx]] if idx is not None and idx != "" else []
            if ds == "mbpp":
                fails = mbpp_serialize_inputs(s["task_id"], fails)
            entry[f"{which}_fail_tests"] = fails
            entry[f"flaws_{which}_status"] = st
        results["eval"].setdefault(s["task_id"], []).append(entry)
    atomic_write(a.out, json.dumps(results, default=_jsonable))

    s = summarize(list(recs.values()))
    print(f"{a.benchmark}: {s['samples']} samples, {s['tasks']} tasks -> {a.out}")
    print(f"  base pass rate (imperfect verifier)   {s['base_pass_rate']:.3f}")
    print(f"  accuracy (passes base and plus)       {s['accuracy']:.3f}")
    print(f"  conditional accuracy P(plus | base)   {s['conditional_accuracy']:.3f}"
          f"  (over {s['tasks_with_base_pass']} tasks with a base pass)")
    print(f"  false positive rate                   {s['false_positive_rate']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
