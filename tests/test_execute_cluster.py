"""Judging on a Dask cluster (:mod:`flaws.execute.cluster`) gives the local verdicts.

A ``LocalCluster`` of two worker processes (``processes=True``, one thread each)
judges 62 real CodeGen-16B samples (15 tasks, with a time-out and a program that
does not load): the outcome rows are byte-identical to the local run's (which
equal the committed rows), also when one worker is SIGKILLed while its sandboxed
pool is judging a shard (Dask re-runs that shard).  The journal and the verdict
cache of a cluster run are the local ones; ``flaws evaluate --scheduler`` writes
the same ``eval_results.json``; the local default imports no Dask.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import distributed
import psutil
import pytest

from flaws.execute import evaluate
from flaws.execute.cluster import SHARD_MAX, SHARD_MIN, shards
from flaws.execute.outcomes import to_csv_bytes
from flaws.execute.runner import read_journal

PAIRS = ([(f"HumanEval/{t}", i) for t in range(15) for i in range(4)]
         + [("HumanEval/25", 5), ("HumanEval/33", 7)])


@pytest.fixture(scope="module")
def real(codegen_samples):
    samples, committed = codegen_samples(PAIRS)
    local = to_csv_bytes(list(evaluate(samples, "humaneval+", workers=2, progress=False,
                                       cache=False)))
    assert local == committed
    return samples, local


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as c:
        yield c


def _on_cluster(samples, cluster, **kw):
    return list(evaluate(samples, "humaneval+", workers=1, progress=False,
                         scheduler=cluster.scheduler_address, **kw))


@pytest.mark.slow
def test_cluster_outcomes_are_byte_identical_to_the_local_run(real, cluster, tmp_path):
    samples, local = real
    journal = tmp_path / "j.jsonl"
    stats: dict = {}
    recs = _on_cluster(samples, cluster, journal=journal, cache=tmp_path / "vc", stats=stats)
    assert to_csv_bytes(recs) == local
    assert stats["runs"] == 2 * len({(s["task_id"], s["solution"]) for s in samples})
    assert len(read_journal(journal)) == len(samples)
    # the verdicts landed in the client's journal and cache: nothing runs again
    again: dict = {}
    assert to_csv_bytes(_on_cluster(samples, cluster, journal=journal, stats=again)) == local
    warm: dict = {}
    assert to_csv_bytes(list(evaluate(samples, "humaneval+", progress=False,
                                      cache=tmp_path / "vc", stats=warm))) == local
    assert again["runs"] == warm["runs"] == 0


def _kill_a_busy_worker(client, stop, killed):
    """SIGKILL the first Dask worker seen judging (its sandboxed pool is up)."""
    pids = client.run(os.getpid)
    while not stop.is_set():
        for addr, keys in client.processing().items():
            if not keys or addr not in pids:
                continue
            try:
                kids = psutil.Process(pids[addr]).children(recursive=True)
                busy = any("flaws.execute.worker" in " ".join(c.cmdline()) for c in kids)
            except psutil.Error:
                continue
            if busy:
                os.kill(pids[addr], signal.SIGKILL)
                killed.update(addr=addr, pid=pids[addr], keys=list(keys))
                return
        time.sleep(0.05)


@pytest.mark.slow
def test_a_worker_killed_mid_run_still_gives_identical_outcomes(real, cluster, tmp_path):
    samples, local = real
    with distributed.Client(cluster.scheduler_address) as client:
        client.wait_for_workers(2)
        stop, killed = threading.Event(), {}
        killer = threading.Thread(target=_kill_a_busy_worker, args=(client, stop, killed))
        killer.start()
        try:
            recs = _on_cluster(samples, cluster, journal=tmp_path / "j.jsonl", cache=False)
        finally:
            stop.set()
            killer.join()
        assert killed, "no worker was killed while judging"
        assert not psutil.pid_exists(killed["pid"]) or \
            psutil.Process(killed["pid"]).status() == psutil.STATUS_ZOMBIE
        assert killed["addr"] not in client.scheduler_info()["workers"]
    assert to_csv_bytes(recs) == local


def _allowed_failures(dask_scheduler, n):
    old, dask_scheduler.allowed_failures = dask_scheduler.allowed_failures, n
    return old


@pytest.mark.slow
@pytest.mark.usefixtures("mirror")
def test_a_shard_lost_for_good_is_named_and_the_rerun_resumes(cluster, tmp_path):
    """With no re-run allowed, a killed worker's shards fail the run: the error names
    them, the journal keeps every other shard, and rerunning resumes from it."""
    from flaws.execute.groundtruth import load_tasks

    tasks = load_tasks("humaneval+")[:6]
    samples = [{"task_id": t["task_id"], "sample_index": k,
                "solution": f"def {t['entry_point']}(*a):\n    return {k}\n"}
               for t in tasks for k in range(8)]
    local = to_csv_bytes(list(evaluate(samples, "humaneval+", workers=2, progress=False,
                                       cache=False)))
    journal = tmp_path / "j.jsonl"
    with distributed.Client(cluster.scheduler_address) as client:
        client.wait_for_workers(2)
        before = client.run_on_scheduler(_allowed_failures, n=0)
        stop, killed = threading.Event(), {}
        killer = threading.Thread(target=_kill_a_busy_worker, args=(client, stop, killed))
        killer.start()
        try:
            with pytest.raises(RuntimeError, match=r"shard\(s\) lost with every worker"
                               r".*HumanEval/.*rerun to resume"):
                _on_cluster(samples, cluster, journal=journal, cache=False)
        finally:
            stop.set()
            killer.join()
            client.run_on_scheduler(_allowed_failures, n=before)
        assert killed
    kept = len(read_journal(journal))
    assert kept < len(samples)
    stats: dict = {}
    recs = _on_cluster(samples, cluster, journal=journal, cache=False, stats=stats)
    assert to_csv_bytes(recs) == local
    assert stats["runs"] == 2 * (len(samples) - kept)


@pytest.mark.slow
def test_cli_scheduler_writes_the_local_results(cluster, tmp_path, codegen_samples):
    from flaws.execute.cli import main

    samples, _ = codegen_samples([("HumanEval/0", 0), ("HumanEval/2", 9), ("HumanEval/33", 7),
                                  ("HumanEval/7", 0), ("HumanEval/7", 1)])
    sp = tmp_path / "samples.jsonl"
    sp.write_text("".join(json.dumps({"task_id": s["task_id"], "solution": s["solution"]}) + "\n"
                          for s in samples))
    out = {}
    for name, extra in [("local", []), ("cluster", ["--scheduler", cluster.scheduler_address])]:
        path = tmp_path / name / "eval_results.json"
        assert main([str(sp), "--benchmark", "humaneval+", "--out", str(path), "--workers", "1",
                     "--no-progress", "--no-cache", *extra]) == 0
        out[name] = json.loads(path.read_text())["eval"]
        journal = path.with_name(path.name + ".journal.jsonl")
        assert len(read_journal(journal)) == len(samples)
    assert out["cluster"] == out["local"]


@pytest.mark.usefixtures("mirror")
def test_unreachable_scheduler_is_named(tmp_path):
    import dask

    from flaws.execute.cli import main

    sp = tmp_path / "s.jsonl"
    sp.write_text('{"task_id": "HumanEval/0", "solution": "def f(): pass"}\n')
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        with pytest.raises(SystemExit, match="--scheduler tcp://127.0.0.1:1: cannot reach"):
            main([str(sp), "--benchmark", "humaneval+", "--out", str(tmp_path / "o.json"),
                  "--no-progress", "--no-cache", "--scheduler", "tcp://127.0.0.1:1"])
    assert not (tmp_path / "o.json").exists()


@pytest.mark.usefixtures("mirror")
def test_the_local_default_needs_no_dask():
    script = textwrap.dedent("""
        import sys
        sys.modules["dask"] = sys.modules["distributed"] = None  # as if not installed
        from flaws.execute import evaluate
        from flaws.execute.cli import main
        prog = [{"task_id": "HumanEval/0", "solution": "def has_close_elements(n, t):\\n    return False\\n"}]
        (rec,) = evaluate(prog, "humaneval+", workers=1, progress=False, cache=False)
        assert rec["base_status"] == "fail", rec
        try:
            list(evaluate(prog, "humaneval+", progress=False, cache=False, scheduler="tcp://x:1"))
        except RuntimeError as e:
            print(e)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert "pip install 'flaws[cluster]'" in out.stdout


def test_shards_keep_tasks_whole_and_balance():
    jobs = [{"task_id": f"T/{k % 7}"} for k in range(700)]
    cut = shards(jobs, n_workers=3)
    assert sorted(k for s in cut for k in s) == list(range(700))
    for s in cut:
        tids = {jobs[k]["task_id"] for s2 in cut if s2 is not s for k in s2}
        assert not tids & {jobs[k]["task_id"] for k in s}, "a task was split"
    assert len(cut) == 7  # 700 / (4 * 3) = 59 programs per shard: one task (100) each
    small = shards([{"task_id": f"T/{k}"} for k in range(40)], n_workers=8)
    assert [len(s) for s in small] == [SHARD_MIN, SHARD_MIN, 40 - 2 * SHARD_MIN]
    big = shards([{"task_id": "T/0"}] * (SHARD_MAX + 5) + [{"task_id": "T/1"}] * 3, n_workers=1)
    assert [len(s) for s in big] == [SHARD_MAX + 5, 3]
