"""Model-written tests as verifiers: run each suite against programs, in the sandbox.

The suites (:mod:`flaws.samples.generated_tests`: CodeT's CodeGen-16B asserts, AgentCoder's
GPT-3.5 scripts, Reflexion's GPT-4 asserts) are untrusted code. They run only inside the
executor's sandbox (:mod:`flaws.execute.pool`: bubblewrap, unprivileged uid, rlimits), never in
this process: per (program, suite) one sandboxed child loads the program and runs the task's tests
one after the other, each against a fresh copy of the program's globals
(:meth:`flaws.execute.worker.Worker.run_tests`), with a CPU limit per test
(:data:`TEST_LIMIT`) and a CPU budget per program and suite (:data:`TIME_CAP`); a test that times
out or ends the child is recorded and a fresh child goes on from the next test.

Result per (suite, task, program): ``passed``, one character per test of the task's suite in
the reader's order: ``1`` passed, ``0`` failed (assert or exception; every test when the program
does not load), ``t`` timed out, ``?`` not run (budget spent). The canonical solution of each
task (HumanEval+'s prompt + canonical solution) is run the same way; a test it does not pass is
*wrong*. ``data/processed/generated_tests.csv.gz`` holds these vectors, keyed by ids only (no
code, no tests)::

    suite, task_id, solution_sha256, passed

with the canonical solution's row under ``solution_sha256 = "canonical"``. Two verifiers per
suite (:mod:`flaws.verifiers`): ``<suite>`` accepts a program that passes every test of its task,
``<suite>:filtered`` one that passes every test the canonical solution passes. The filtered one
uses the answer key to throw out wrong tests, which a practitioner cannot: it is an
oracle-filtered upper bound of what the suite could do, not a verifier one could deploy. A task
without a usable test (none in the suite, or, filtered, none the canonical solution passes)
accepts every program.

Programs: every distinct program (task, hash) of the HumanEval+ configurations of
``outcomes.csv.gz`` (:func:`programs`), except those that do not load (``base_status ==
"error"``: they fail every test that calls them, and the verifiers reject them without a run).
Runs are journaled (``data/interim/execute/journal-generated-tests-v*.jsonl``) so an interrupted
build resumes.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

#: CPU seconds per test (EvalPlus's minimum per-input limit)
TEST_LIMIT = 1.0
#: CPU seconds per program and suite, all its tests together
TIME_CAP = 10.0
CANONICAL = "canonical"
COLUMNS = ["suite", "task_id", "solution_sha256", "passed"]
JOURNAL_VERSION = 1


def suite_sha(tests: list[str]) -> str:
    """Identity of one task's list of tests (a journal record is reused only for the same list)."""
    return hashlib.sha256(json.dumps(tests).encode()).hexdigest()[:16]


def tests_spec(task_ids, entry_points: dict[str, str]) -> dict:
    """A worker-pool spec that knows the tasks' entry points only: no inputs, no expected
    outputs (running tests needs no answer key)."""
    from . import codec, groundtruth

    empty = codec.dumps([])
    tasks = [{"task_id": t, "entry_point": entry_points[t], "atol": 0, "not_none": False,
              "base_input": empty, "plus_input": empty, "n_base": 0, "n_plus": 0}
             for t in task_ids]
    return {"dataset": "humaneval", "tasks": tasks, "options": groundtruth.options(),
            "evalplus_modules": groundtruth.evalplus_modules()}


def run(programs, suites: dict, entry_points: dict[str, str], *, workers: int = 1,
        journal=None, test_limit: float = TEST_LIMIT, time_cap: float = TIME_CAP,
        sandbox: str = "auto", progress: bool = True, stats: dict | None = None,
        uid_base: int = 61000, execute: bool = True):
    """Yield one record ``{suite, task_id, solution_sha256, passed, status, cpu}`` per program
    (dicts with ``task_id``, ``solution``, ``solution_sha256``) and suite (``{name: {task_id:
    [test, ...]}}``) whose task has at least one test, suite by suite (in ``suites``' order),
    so that a stopped run has finished whole suites first. ``journal``: a JSON-lines file of
    finished records, read first (records of another test list are ignored) and appended to;
    ``execute=False`` yields only what the journal holds."""
    from tqdm import tqdm

    from .pool import WorkerPool
    from .runner import _Journal

    done = {}
    if journal is not None and Path(journal).exists():
        for line in Path(journal).read_bytes().split(b"\n"):
            try:
                rec = json.loads(line)
            except ValueError:
                continue  # blank or torn last line
            done[(rec["suite"], rec["task_id"], rec["solution_sha256"], rec["tests"])] = rec
    jobs, cached = [], []
    for name, tests in suites.items():
        shas = {t: suite_sha(v) for t, v in tests.items() if v}
        for p in programs:
            t = p["task_id"]
            if t not in shas:
                continue
            key = (name, t, p["solution_sha256"], shas[t])
            if key in done:
                cached.append(done[key])
            else:
                jobs.append({"task_id": t, "solution": p["solution"], "mode": "tests",
                             "which": ["tests"], "tests": tests[t], "test_limit": test_limit,
                             "time_cap": time_cap, "key": key})
    yield from cached
    if stats is not None:
        stats.update(cached=len(cached), runs=0, cpu_seconds=0.0)
    if stats is not None:
        stats["not_run"] = 0 if execute else len(jobs)
    if not jobs or not execute:
        return
    jr = _Journal(Path(journal)) if journal is not None else None
    spec = tests_spec(sorted({j["task_id"] for j in jobs}), entry_points)
    bar = tqdm(total=len(jobs), desc="generated tests", disable=not progress, smoothing=0.05)
    try:
        with WorkerPool(spec, workers=workers, sandbox=sandbox, uid_base=uid_base) as pool:
            for job, res in pool.run(jobs):
                r = res["tests"]
                name, t, sha, ssha = job["key"]
                passed = r.get("passed") or "?" * len(job["tests"])  # a crashed worker: unknown
                rec = {"suite": name, "task_id": t, "solution_sha256": sha, "tests": ssha,
                       "passed": passed, "status": r.get("status", "crashed"),
                       "cpu": round(float(r.get("cpu") or 0.0), 3)}
                if jr is not None:
                    jr.append(rec)
                if stats is not None:
                    stats["runs"] += 1
                    stats["cpu_seconds"] += rec["cpu"]
                bar.update()
                yield rec
    finally:
        bar.close()
        if jr is not None:
            jr.close()


def programs(outcomes, samples, which: str = "loading"):
    """Distinct programs ``{task_id, solution_sha256, solution}`` of ``outcomes`` (HumanEval+
    rows), by task number and hash: ``which="loading"`` every program that loads (base status
    not ``error``), ``"base-pass"`` those passing the base tests."""
    from .plus_failures import distinct_programs

    o = outcomes[outcomes["benchmark"] == "humaneval+"]
    mask = o["base_status"].ne("error") if which == "loading" else o["base_status"].eq("pass")
    return distinct_programs(o[mask], samples)


def canonical_programs(tasks) -> list[dict]:
    """HumanEval+'s canonical solution of each task, as a program keyed :data:`CANONICAL`."""
    return [{"task_id": t["task_id"], "solution": t["prompt"] + t["canonical_solution"],
             "solution_sha256": CANONICAL} for t in tasks]


def write(records, path) -> Path:
    """The vectors as ``generated_tests.csv.gz``: by suite, task number, canonical first, hash."""
    from .outcomes import _task_number
    from .plus_failures import write_csv_gz

    rows = sorted({(r["suite"], r["task_id"], r["solution_sha256"]): r for r in records}.values(),
                  key=lambda r: (r["suite"], _task_number(r["task_id"]),
                                 r["solution_sha256"] != CANONICAL, r["solution_sha256"]))
    return write_csv_gz(rows, COLUMNS, path)


def default_path() -> Path:
    from flaws.data import project_root

    return project_root() / "data" / "processed" / "generated_tests.csv.gz"


def read(path=None):
    """The committed vectors as a table (``passed`` as text)."""
    import pandas as pd

    return pd.read_csv(path or default_path(), dtype={"passed": str}, keep_default_na=False)


def suite_counts(suites: dict, dropped: dict, canonical: dict) -> dict:
    """Per suite: tests, tasks, tasks with no usable test (all tests / canonical-passed tests),
    wrong tests (the canonical solution does not pass them) and what the reader dropped.
    ``canonical``: ``{(suite, task_id): passed}``."""
    out = {}
    for name, tests in suites.items():
        n = sum(len(v) for v in tests.values())
        wrong = sum(c != "1" for (s, t), v in canonical.items() if s == name for c in v)
        no_valid = sum(1 for t, v in tests.items()
                       if not v or "1" not in canonical.get((name, t), ""))
        out[name] = {"tests": n, "tasks": len(tests),
                     "tasks_without_tests": sum(1 for v in tests.values() if not v),
                     "wrong_tests": int(wrong), "wrong_share": round(wrong / n, 4) if n else None,
                     "tasks_with_a_wrong_test": sum(1 for (s, t), v in canonical.items()
                                                    if s == name and set(v) - {"1"}),
                     "tasks_without_a_test_the_canonical_passes": no_valid,
                     "dropped_by_reader": dropped.get(name, {})}
    return out


def build(out=None, workers: int = 1, which: str = "loading", limit: int | None = None,
          suites_wanted=None, progress: bool = True, results=None, execute: bool = True) -> dict:
    """Run every suite against the canonical solutions and the selected programs, write the
    vectors (``out``, default :func:`default_path`) and return counts and cost (also written to
    ``results`` when given: a JSON path)."""
    from flaws.samples import generated_tests as gt, load_all

    from .groundtruth import cache_dir, load_tasks
    from .outcomes import default_path as outcomes_path, read_outcomes

    names = list(suites_wanted or gt.SUITES)
    suites, dropped = {}, {}
    for n in names:
        suites[n], dropped[n] = gt.load(n)
    tasks = load_tasks("humaneval+")
    entry = {t["task_id"]: t["entry_point"] for t in tasks}
    t0 = time.monotonic()
    progs = programs(read_outcomes(outcomes_path()), load_all(progress=False), which)
    if limit is not None:
        progs = progs[:limit]
    load_s = time.monotonic() - t0
    journal = cache_dir() / f"journal-generated-tests-v{JOURNAL_VERSION}.jsonl"
    stats: dict = {}
    t1 = time.monotonic()
    recs = list(run(canonical_programs(tasks) + progs, suites, entry, workers=workers,
                    journal=journal, progress=progress, stats=stats, execute=execute))
    wall = time.monotonic() - t1
    path = write(recs, out or default_path())
    canon = {(r["suite"], r["task_id"]): r["passed"] for r in recs
             if r["solution_sha256"] == CANONICAL}
    summary = {"suites": suite_counts(suites, dropped, canon),
               "programs": len(progs), "program_selection": which,
               "runs_this_call": stats.get("runs", 0), "runs_from_journal": stats.get("cached", 0),
               "runs_not_done": stats.get("not_run", 0),
               "wall_seconds_this_call": round(wall, 1),
               "cpu_seconds_of_programs_this_call": round(stats.get("cpu_seconds", 0.0), 1),
               "seconds_loading_programs": round(load_s, 1), "workers": workers,
               "test_limit_cpu_seconds": TEST_LIMIT, "time_cap_cpu_seconds": TIME_CAP,
               "file": "data/processed/" + path.name, "file_bytes": path.stat().st_size,
               "file_rows": len({(r["suite"], r["task_id"], r["solution_sha256"]) for r in recs})}
    statuses: dict = {}
    for r in recs:
        statuses.setdefault(r["suite"], {}).setdefault(r.get("status", "ok"), 0)
        statuses[r["suite"]][r.get("status", "ok")] += 1
    summary["statuses"] = statuses
    if results is not None:
        Path(results).write_text(json.dumps(summary, indent=1) + "\n")
    return summary


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m flaws.execute.generated_tests",
                                 description="Run the model-written test suites in the sandbox")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--programs", choices=("loading", "base-pass"), default="loading",
                    help="every distinct program that loads (default) or those passing base")
    ap.add_argument("--limit", type=int, default=None, help="only the first N programs")
    ap.add_argument("--suite", action="append", default=None, help="only this suite (repeatable)")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--results", type=Path, default=None, help="write counts and cost here (JSON)")
    ap.add_argument("--from-journal", action="store_true",
                    help="write the file from the journal only (no execution)")
    a = ap.parse_args(argv)
    s = build(a.out, a.workers, a.programs, a.limit, a.suite, results=a.results,
              execute=not a.from_journal)
    print(json.dumps(s, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
