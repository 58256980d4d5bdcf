"""Judging past one machine: ``evaluate(..., scheduler=ADDRESS)`` on a Dask cluster.

The process that calls :func:`flaws.execute.evaluate` (the *client*) keeps the
journal, the verdict cache and ``eval_results.json``; what it has not found in
either is cut into shards by task (a task's programs are never split, so each
shard reads few expected-output files) and submitted to the Dask scheduler.  A
Dask worker judges a shard with :func:`judge_shard`: today's sandboxed
:class:`~flaws.execute.pool.WorkerPool` with its own processes, on its own
machine, and sends back the verdicts; the client journals them as each shard
finishes.

* Same limits everywhere: a shard carries the client's canonical CPU times per
  input, so a program gets the same time limits whichever machine judges it, and
  the client's sandbox kind (``bwrap``, or ``none`` where the client has no
  bubblewrap): a worker without bubblewrap refuses a ``bwrap`` shard.
  The worker checks that its benchmark file and its reference outputs are the
  client's (benchmark sha256, and each task's expected-outputs index entry) and
  refuses the shard otherwise, naming the machine and the task.
* A lost worker: Dask re-runs its unfinished shards on the other workers (up to
  ``distributed.scheduler.allowed-failures`` times, 3 by default).  Nothing of a
  shard is journaled before it finishes, so a re-run cannot duplicate a record;
  a client that dies is resumed from its journal like a local run.
* Each machine needs the project (same version) and its data: ``flaws fetch``
  there; the expected outputs are computed on a machine's first shard if that
  machine has none yet (one process computes, the others wait for it).
* Run one Dask worker process per machine with one thread (``dask worker
  ADDRESS --nworkers 1 --nthreads 1``): the sandboxed pool inside it uses
  ``workers`` processes (default: half that machine's CPUs).

Dask is imported only here, only when a scheduler is given: the default local
run needs nothing beyond the base install (``pip install 'flaws[cluster]'`` adds it).
"""

from __future__ import annotations

import os
import socket
import uuid
from typing import Iterator

from . import groundtruth

#: a shard holds at most this many programs (whole tasks; a bigger task is one shard)
SHARD_MAX = 2000
#: and at least this many (unless the run is smaller): each shard starts a pool
SHARD_MIN = 16
#: aim at this many shards per Dask worker, so that work balances and a lost
#: worker costs little
SHARDS_PER_WORKER = 4


#: tasks of a benchmark file (by sha256), read once per Dask worker process
_TASKS: dict[str, list[dict]] = {}


def shards(jobs: list[dict], n_workers: int) -> list[list[int]]:
    """Indices of ``jobs`` cut into shards of whole tasks, in task order of first
    appearance: each shard closes once it holds ``len(jobs) / (SHARDS_PER_WORKER
    * n_workers)`` programs, bounded by :data:`SHARD_MIN` and :data:`SHARD_MAX`
    (a task with more than ``SHARD_MAX`` programs is one shard)."""
    by_task: dict[str, list[int]] = {}
    for k, j in enumerate(jobs):
        by_task.setdefault(j["task_id"], []).append(k)
    target = -(-len(jobs) // (SHARDS_PER_WORKER * max(1, n_workers)))
    target = max(SHARD_MIN, min(SHARD_MAX, target))
    out: list[list[int]] = []
    cur: list[int] = []
    for ks in by_task.values():
        if cur and len(cur) + len(ks) > SHARD_MAX:
            out.append(cur)
            cur = []
        cur = cur + ks
        if len(cur) >= target:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def judge_shard(benchmark: str, benchmark_sha256: str, limits: dict, options: dict,
                jobs: list[dict], workers: int | None, sandbox: str) -> list[tuple[int, dict]]:
    """Run on a Dask worker: judge ``jobs`` (``{"k", "task_id", "solution"}``) with
    a sandboxed pool on this machine.  ``limits``: per task, the client's
    ``base_time``/``plus_time`` and reference fingerprint.  Returns ``(k, result)``
    per job."""
    from flaws.data import benchmark_sha256 as local_sha

    from .pool import WorkerPool
    from .runner import judge_spec
    from .vcache import reference_fingerprint

    host = socket.gethostname()
    if local_sha(benchmark) != benchmark_sha256:
        raise RuntimeError(f"worker on {host}: its {benchmark} file has sha256 "
                           f"{local_sha(benchmark)}, the client's {benchmark_sha256}: run the "
                           "same version of the project and `flaws fetch` there")
    n = workers if workers is not None else max(1, (os.cpu_count() or 2) // 2)
    ids = {j["task_id"] for j in jobs}
    if benchmark_sha256 not in _TASKS:  # read once per worker process
        _TASKS[benchmark_sha256] = groundtruth.load_tasks(benchmark)
    tasks = [t for t in _TASKS[benchmark_sha256] if t["task_id"] in ids]
    spec = judge_spec(benchmark, tasks, workers=n, progress=False, options=options)
    index = groundtruth.expected_index(spec["expected_dir"])
    for st in spec["tasks"]:
        want = limits[st["task_id"]]
        st["base_time"], st["plus_time"] = want["base_time"], want["plus_time"]
        entry = dict(index[st["task_id"]], base_time=want["base_time"],
                     plus_time=want["plus_time"])
        if reference_fingerprint(entry) != want["reference"]:
            raise RuntimeError(f"worker on {host}: the reference outputs of {st['task_id']} "
                               f"({spec['expected_dir']}) differ from the client's "
                               "(another executor version or memory limit?)")
    try:
        pool = WorkerPool(spec, workers=n, sandbox=sandbox)
    except RuntimeError as e:
        raise RuntimeError(f"worker on {host}: {e}") from None
    with pool:
        return [(job["k"], res) for job, res in pool.run(jobs)]


def _client(scheduler):
    try:
        from distributed import Client
    except ImportError:
        raise RuntimeError("a Dask scheduler was given but Dask distributed is not installed: "
                           "pip install 'flaws[cluster]'") from None
    if isinstance(scheduler, Client):
        return scheduler, False
    try:
        import dask

        return Client(scheduler, timeout=dask.config.get("distributed.comm.timeouts.connect")), True
    except OSError as e:
        raise RuntimeError(f"cannot reach the Dask scheduler at {scheduler!r}: {e}") from None


def judge(scheduler, benchmark: str, expected_dir, options: dict, jobs: list[dict], *,
          workers: int | None, sandbox: str) -> Iterator[tuple[dict, dict]]:
    """``(job, result)`` for every job, judged on the cluster of ``scheduler`` (an
    address or a ``distributed.Client``), shard by shard as they finish; the time
    limits are those of this machine's expected outputs (``expected_dir``)."""
    from flaws.data import benchmark_sha256

    from .vcache import reference_fingerprint, sandbox_kind

    # every shard is judged as this machine would (and as the verdict cache's key says)
    sandbox = sandbox_kind(sandbox)
    client, own = _client(scheduler)
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    futures = {}
    try:
        n_workers = len(client.scheduler_info().get("workers", {}))
        index = groundtruth.expected_index(expected_dir)
        sha = benchmark_sha256(benchmark)
        run = uuid.uuid4().hex[:12]
        for s, ks in enumerate(shards(jobs, n_workers)):
            part = [{"k": k, "task_id": jobs[k]["task_id"], "solution": jobs[k]["solution"]}
                    for k in ks]
            limits = {}
            for tid in {j["task_id"] for j in part}:
                limits[tid] = {"base_time": index[tid]["base_time"],
                               "plus_time": index[tid]["plus_time"],
                               "reference": reference_fingerprint(index[tid])}
            fut = client.submit(judge_shard, benchmark, sha, limits, options, part,
                                workers, sandbox, key=f"flaws-shard-{run}-{s}", pure=False)
            futures[fut] = part
        lost = []
        for fut in as_completed(list(futures)):
            part = futures.pop(fut)
            try:
                results = fut.result()
            except KilledWorker:  # the others go on, so that the journal keeps them
                tids = sorted({j["task_id"] for j in part})
                lost.append(f"{fut.key} ({len(part)} programs of {', '.join(tids[:5])}"
                            f"{' ...' if len(tids) > 5 else ''})")
                continue
            for k, res in results:
                yield jobs[k], res
            fut.release()
        if lost:
            raise RuntimeError(f"{len(lost)} Dask shard(s) lost with every worker that ran them: "
                               f"{'; '.join(lost)}; the journal keeps every other verdict: "
                               "rerun to resume")
    finally:
        for fut in futures:
            fut.cancel()
        if own:
            client.close()
