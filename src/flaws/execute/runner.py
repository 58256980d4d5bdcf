"""``evaluate()``: judge samples on base and plus tests, streaming outcome records.

Outcome record (one per sample; also the columns of ``outcomes.csv.gz``)::

    benchmark, model, prompt_style, temperature, source_id, task_id,
    sample_index, solution_sha256, base_status, plus_status,
    first_failed_base, first_failed_plus

``base_status`` and ``plus_status`` are judged separately, each on its own input
set in its own fresh process, exactly as EvalPlus does (plus is judged on the
plus inputs only, and is judged even when base fails; EvalPlus's own pass@k for
"plus" then requires both).  Each is one of ``pass``, ``fail`` (wrong output,
exception, early exit, unencodable output), ``timeout`` (CPU or wall-clock limit)
or ``error`` (the program does not load: syntax error, exception at import
time, or no entry point).  EvalPlus reports ``error`` and per-input time-outs as
``fail``; pass versus not-pass is identical.  ``first_failed_*`` is the 0-based
index of the first input not passed (empty when passed or when no input ran).

Resumability: with ``journal=PATH`` every outcome is appended to a JSON-lines
journal as soon as it is known (one ``write`` + ``flush`` per record, so a
SIGKILL loses at most the record being written; ``fsync`` at least every second
and at the end).  A rerun reads the journal, ignores a torn last line, and only
executes samples not yet in it.  Identical programs of the same task are
executed once per run (``dedupe=True``) and share the verdict; with the verdict
cache (``cache=True``, the default; :mod:`flaws.execute.vcache`) a program
judged in any earlier run is not executed again.

Per-input results (``details=True``, EvalPlus's ``--test-details`` analogue): each
record also has ``failed_base``/``failed_plus`` (sorted 0-based indices of every
input not passed) and ``reached_base``/``reached_plus`` (inputs judged before the
run's CPU budget, ``details_time_cap``, ran out; later ones are unknown).  Verdicts
and ``first_failed_*`` are those of the default run.  Use a journal of its own:
records without the lists are not reused.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Iterable, Iterator

from . import groundtruth

COLUMNS = ["benchmark", "model", "prompt_style", "temperature", "source_id", "task_id",
           "sample_index", "solution_sha256", "base_status", "plus_status",
           "first_failed_base", "first_failed_plus"]
META = ["benchmark", "model", "prompt_style", "temperature", "source_id", "task_id",
        "sample_index"]
#: sample fields copied into the outcome record when the sample has them (not part of the
#: journal key, so journals written before they existed are reused; see :func:`evaluate`)
SET_FIELDS = ["sampling", "run"]
STATUSES = ("pass", "fail", "timeout", "error")
#: bump when verdict semantics change: journals of other versions are not reused
EXECUTOR_VERSION = 4  # 4: samples compiled without inheriting the executor's __future__ flags


def solution_sha256(solution: str) -> str:
    return hashlib.sha256(solution.encode("utf-8")).hexdigest()


def sample_key(rec: dict) -> str:
    """Identity of a sample in the journal."""
    return json.dumps([rec.get(k) for k in META] + [rec["solution_sha256"]],
                      separators=(",", ":"))


def read_journal(path: Path) -> dict[str, dict]:
    """Outcomes already in a journal, keyed by :func:`sample_key`; torn tail ignored."""
    done: dict[str, dict] = {}
    if not path.exists():
        return done
    with open(path, "rb") as fh:
        lines = fh.read().split(b"\n")
    for k, line in enumerate(lines):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            if k == len(lines) - 1:  # torn last line from an interrupted run
                continue
            raise ValueError(f"{path}: line {k + 1}: not valid JSON") from None
        done[sample_key(rec)] = rec
    return done


class _Journal:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # cut a torn last line so appended records start on a fresh line
        if self.path.exists():
            data = self.path.read_bytes()
            if data and not data.endswith(b"\n"):
                cut = data.rfind(b"\n") + 1
                with open(self.path, "r+b") as fh:
                    fh.truncate(cut)
        self.fh = open(self.path, "ab")
        self.last_sync = time.monotonic()

    def append(self, rec: dict) -> None:
        self.fh.write(json.dumps(rec, sort_keys=True, separators=(",", ":")).encode() + b"\n")
        self.fh.flush()
        now = time.monotonic()
        if now - self.last_sync > 1.0:
            os.fsync(self.fh.fileno())
            self.last_sync = now

    def close(self) -> None:
        self.fh.flush()
        os.fsync(self.fh.fileno())
        self.fh.close()


def _set_fields(sample: dict) -> dict:
    return {k: sample[k] for k in SET_FIELDS if k in sample}


def _outcome(sample: dict, sha: str, res: dict) -> dict:
    rec = {k: sample.get(k) for k in META}
    rec.update(_set_fields(sample))
    rec["solution_sha256"] = sha
    for which in ("base", "plus"):
        r = res[which]
        rec[f"{which}_status"] = r["status"]
        rec[f"first_failed_{which}"] = r.get("first_failed") if r["status"] != "pass" else None
    for which in ("base", "plus"):
        if "failed" in res[which]:  # details mode
            rec[f"failed_{which}"], rec[f"reached_{which}"] = (res[which]["failed"],
                                                               res[which]["reached"])
    return rec


def judge_spec(benchmark: str, tasks: list[dict] | None = None, *, workers: int = 1,
               progress: bool = False, options: dict | None = None) -> dict:
    """What a worker pool needs to judge programs on ``benchmark``'s tasks: inputs,
    entry points, the expected-outputs cache (computed on first use) and the
    canonical solutions' CPU time per input (for the time limits)."""
    tasks = tasks if tasks is not None else groundtruth.load_tasks(benchmark)
    exp_dir = groundtruth.expected_outputs(benchmark, workers=workers, progress=progress)
    index = groundtruth.expected_index(exp_dir)
    spec_tasks = groundtruth.task_spec(benchmark, tasks)
    for st in spec_tasks:
        e = index[st["task_id"]]
        st["expected_file"] = e["file"]
        for which in ("base", "plus"):
            st[f"{which}_time"] = e[f"{which}_time"]
    return {"dataset": groundtruth.dataset_of(benchmark), "tasks": spec_tasks,
            "expected_dir": str(exp_dir), "options": groundtruth.options(**(options or {})),
            "evalplus_modules": groundtruth.evalplus_modules()}


def evaluate(samples: Iterable[dict], benchmark: str, workers: int | None = 1, *,
             journal: str | os.PathLike | None = None, progress: bool = True,
             dedupe: bool = True, sandbox: str = "auto", options: dict | None = None,
             total: int | None = None, stats: dict | None = None,
             cache: bool | str | os.PathLike = True, scheduler=None,
             details: bool = False, details_time_cap: float | None = None) -> Iterator[dict]:
    """Judge ``samples`` (dicts with at least ``task_id`` and ``solution``).

    Yields one outcome record per sample (see module docstring), in completion
    order, including those already in ``journal``.  ``benchmark`` is
    ``"humaneval+"`` or ``"mbpp+"``; samples of another benchmark (by their
    ``benchmark`` field) are rejected.

    ``cache`` (default on): look each distinct program up in the verdict cache
    (:mod:`flaws.execute.vcache`, ``data/interim/execute/verdicts``; a path
    names another directory, ``False`` neither reads nor writes it) and store
    every new verdict there, so a program judged before, in any run, costs
    nothing.  ``scheduler``: the address of a running Dask scheduler (or a
    ``distributed.Client``): the programs are sharded by task across its workers,
    each judging its shards with its own sandboxed pool of ``workers`` processes
    (``None``: half that machine's CPUs), see :mod:`flaws.execute.cluster`; the
    journal and the cache stay with this process.

    ``stats``, when given, is filled with ``runs`` (programs executed: two per
    distinct sample not found in the cache), ``child_cpu_seconds`` (the executed
    programs' own CPU time, as the judge last read it from ``/proc``, in whole
    clock ticks), ``run_cpu_seconds`` (that reading per run, in completion
    order) and ``cache_hits`` (distinct programs whose verdict came from the
    cache).
    """
    from tqdm import tqdm

    samples = list(samples)
    tasks = groundtruth.load_tasks(benchmark)
    known = {t["task_id"] for t in tasks}
    for k, s in enumerate(samples):
        if s.get("task_id") not in known:
            raise ValueError(f"sample {k}: task_id {s.get('task_id')!r} is not a {benchmark} task")
        if not isinstance(s.get("solution"), str):
            raise ValueError(f"sample {k} ({s.get('task_id')}): no solution text")
        if s.get("benchmark") not in (None, benchmark):
            raise ValueError(f"sample {k}: benchmark {s.get('benchmark')!r} is not {benchmark!r}")
    local_workers = workers if workers is not None else max(1, (os.cpu_count() or 2) // 2)
    if details and scheduler is not None:
        raise ValueError("details=True (every failing input) runs on this machine only: drop scheduler")
    vc = None
    if cache is not False and cache is not None and not details:  # the cache holds verdicts only
        from .vcache import VerdictCache, default_dir

        exp_dir = groundtruth.expected_outputs(benchmark, workers=local_workers,
                                               progress=progress)
        vc = VerdictCache(default_dir() if cache is True else cache, benchmark, exp_dir,
                          groundtruth.options(**(options or {})), sandbox)
    if stats is not None:
        stats.setdefault("runs", 0)
        stats.setdefault("child_cpu_seconds", 0.0)
        stats.setdefault("run_cpu_seconds", [])
        stats.setdefault("cache_hits", 0)
    jr = None
    done: dict[str, dict] = {}
    if journal is not None:
        done = read_journal(Path(journal))
        if details:
            done = {k: r for k, r in done.items() if "failed_plus" in r}
        jr = _Journal(Path(journal))
    shas = [solution_sha256(s["solution"]) for s in samples]
    todo: dict[tuple[str, str], list[int]] = {}
    bar = tqdm(total=len(samples), desc=f"judging {benchmark}", disable=not progress,
               smoothing=0.05)

    def emit(group, res):
        for k in todo[group]:
            rec = _outcome(samples[k], shas[k], res)
            if jr is not None:
                jr.append(rec)
            bar.update()
            yield rec

    try:
        for k, s in enumerate(samples):
            key = sample_key({**{m: s.get(m) for m in META}, "solution_sha256": shas[k]})
            if key in done:
                bar.update()
                # two runs of a set may hold the same program: the verdict is shared, the run is the sample's
                yield {**done[key], **_set_fields(s)}
                continue
            group = (s["task_id"], shas[k]) if dedupe else (s["task_id"], str(k))
            todo.setdefault(group, []).append(k)
        run = []
        for group, ks in todo.items():
            hit = vc.get(group[0], shas[ks[0]]) if vc is not None else None
            if hit is None:
                run.append(group)
                continue
            if stats is not None:
                stats["cache_hits"] += 1
            yield from emit(group, hit)
        if run:
            jobs = [{"task_id": g[0], "solution": samples[todo[g][0]]["solution"], "group": g,
                     "details": details, "details_time_cap": details_time_cap} for g in run]
            if scheduler is None:
                need = {g[0] for g in run}
                spec = judge_spec(benchmark, [t for t in tasks if t["task_id"] in need],
                                  workers=local_workers, progress=progress, options=options)
                results = _judge_local(spec, jobs, local_workers, sandbox)
            else:
                from . import cluster

                exp_dir = groundtruth.expected_outputs(benchmark, workers=local_workers,
                                                       progress=progress)
                results = cluster.judge(scheduler, benchmark, exp_dir,
                                        groundtruth.options(**(options or {})), jobs,
                                        workers=workers, sandbox=sandbox)
            for job, res in results:
                if stats is not None:
                    for which in ("base", "plus"):
                        cpu = float(res[which].get("cpu") or 0.0)
                        stats["runs"] += 1
                        stats["child_cpu_seconds"] += cpu
                        stats["run_cpu_seconds"].append(cpu)
                if vc is not None:
                    vc.put(job["task_id"], shas[todo[job["group"]][0]], res)
                yield from emit(job["group"], res)
    finally:
        bar.close()
        if jr is not None:
            jr.close()


def _judge_local(spec: dict, jobs: list[dict], workers: int,
                 sandbox: str) -> Iterator[tuple[dict, dict]]:
    """``(job, result)`` from one sandboxed pool on this machine, as they finish."""
    from .pool import WorkerPool

    with WorkerPool(spec, workers=workers, sandbox=sandbox) as pool:
        yield from pool.run(jobs)


def judge_programs(tasks: list[dict], programs: Iterable[dict], dataset: str = "humaneval",
                   workers: int = 1, *, sandbox: str = "auto",
                   options: dict | None = None, uid_base: int = 61000,
                   details: bool = False, details_time_cap: float | None = None) -> list[dict]:
    """Judge programs against hand-made tasks (used by tests and for small checks).

    ``tasks``: dicts with ``task_id, entry_point, atol, base_input, plus_input,
    base_expected, plus_expected`` (plain values computed by the caller) and
    optionally ``base_time``/``plus_time`` (canonical seconds per input, default 0).
    ``programs``: dicts with ``task_id`` and ``solution``.  Returns, in input order,
    ``{"task_id", "base": {...}, "plus": {...}}`` with each run's ``status`` and
    ``first_failed`` (and ``reason`` when known; with ``details``, ``failed`` and
    ``reached`` as in :func:`evaluate`).
    """
    from . import codec
    from .pool import WorkerPool

    spec_tasks = []
    for t in tasks:
        st = {"task_id": t["task_id"], "entry_point": t["entry_point"], "atol": t.get("atol", 0),
              "not_none": bool(t.get("not_none", False))}
        for which in ("base", "plus"):
            inp = t[f"{which}_input"]
            st[f"{which}_input"] = codec.dumps(inp)
            st[f"n_{which}"] = len(inp)
            st[f"{which}_expected"] = [codec.dumps(v) for v in t[f"{which}_expected"]]
            st[f"{which}_time"] = list(t.get(f"{which}_time") or [0.0] * len(inp))
        spec_tasks.append(st)
    spec = {"dataset": dataset, "tasks": spec_tasks,
            "options": groundtruth.options(**(options or {})),
            "evalplus_modules": groundtruth.evalplus_modules()}
    programs = list(programs)
    jobs = [{"task_id": p["task_id"], "solution": p["solution"], "k": k, "details": details,
             "details_time_cap": details_time_cap} for k, p in enumerate(programs)]
    out: list = [None] * len(jobs)
    with WorkerPool(spec, workers=workers, sandbox=sandbox, uid_base=uid_base) as pool:
        for job, res in pool.run(jobs):
            out[job["k"]] = {"task_id": job["task_id"], "base": res["base"], "plus": res["plus"]}
    return out
