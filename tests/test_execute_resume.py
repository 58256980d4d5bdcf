"""Resumability and determinism of ``evaluate`` + ``outcomes.csv.gz``.

A run is SIGKILLed once part of its journal is written, then rerun: the final
``outcomes.csv.gz`` must be byte-identical to an uninterrupted run's.  Also: a
torn last journal line is ignored, and the CSV writer is deterministic.
"""

from __future__ import annotations

import gzip
import json
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from flaws.execute.groundtruth import load_tasks
from flaws.execute.outcomes import to_csv_bytes, write_outcomes
from flaws.execute.runner import read_journal


SCRIPT = textwrap.dedent("""
    import json, sys
    from flaws.execute import evaluate
    from flaws.execute.outcomes import write_outcomes
    samples = json.load(open(sys.argv[1]))
    recs = list(evaluate(samples, "humaneval+", workers=2, journal=sys.argv[2], progress=False,
                        cache=False))
    write_outcomes(recs, sys.argv[3])
""")


def _samples():
    tasks = load_tasks("humaneval+")[:40]
    out = []
    for t in tasks:
        if t["task_id"] == "HumanEval/32":
            continue
        variants = [t["prompt"] + t["canonical_solution"],
                    f"def {t['entry_point']}(*a):\n    return None\n",
                    f"def {t['entry_point']}(*a):\n    return 0\n",
                    "def broken(:\n"]
        for k, sol in enumerate(variants):
            out.append({"benchmark": "humaneval+", "model": "toy", "prompt_style": "base",
                        "temperature": 0.8, "source_id": "test", "task_id": t["task_id"],
                        "sample_index": k, "solution": sol})
    return out


def _run(tmp_path, name, samples_path, kill_after=None):
    journal = tmp_path / f"{name}.jsonl"
    out = tmp_path / f"{name}.csv.gz"
    cmd = [sys.executable, "-c", SCRIPT, str(samples_path), str(journal), str(out)]
    if kill_after is not None:
        p = subprocess.Popen(cmd)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            if journal.exists() and journal.read_bytes().count(b"\n") >= kill_after:
                break
            if p.poll() is not None:
                break
            time.sleep(0.05)
        killed = p.poll() is None
        p.send_signal(signal.SIGKILL)
        p.wait()
        assert killed, "run finished before it could be interrupted"
        partial = journal.read_bytes().count(b"\n")
        assert 0 < partial
    subprocess.run(cmd, check=True, timeout=900)
    return out, journal


@pytest.mark.slow
@pytest.mark.usefixtures("mirror")
def test_sigkill_then_resume_is_identical(tmp_path):
    samples = _samples()
    sp = tmp_path / "samples.json"
    sp.write_text(json.dumps(samples))
    clean, _ = _run(tmp_path, "clean", sp)
    resumed, journal = _run(tmp_path, "resumed", sp, kill_after=30)
    assert clean.read_bytes() == resumed.read_bytes()
    rows = gzip.decompress(clean.read_bytes()).decode().splitlines()
    assert len(rows) == len(samples) + 1
    # every sample appears once in the journal of the resumed run
    assert len(read_journal(journal)) == len(samples)


def test_torn_last_line_is_ignored(tmp_path):
    j = tmp_path / "j.jsonl"
    rec = {"benchmark": "humaneval+", "model": "m", "prompt_style": "base", "temperature": 0.8,
           "source_id": "s", "task_id": "HumanEval/0", "sample_index": 0,
           "solution_sha256": "ab", "base_status": "pass", "plus_status": "fail",
           "first_failed_base": None, "first_failed_plus": 3}
    j.write_text(json.dumps(rec) + "\n" + json.dumps(rec)[:-7])
    assert len(read_journal(j)) == 1
    j.write_text(json.dumps(rec)[:-7] + "\n" + json.dumps(rec) + "\n")
    with pytest.raises(ValueError, match="line 1"):
        read_journal(j)


def test_outcomes_file_is_byte_identical_and_sorted(tmp_path):
    base = {"benchmark": "humaneval+", "model": "m", "prompt_style": "base", "temperature": 0.8,
            "source_id": "s", "solution_sha256": "ab", "base_status": "pass",
            "plus_status": "pass", "first_failed_base": None, "first_failed_plus": None}
    recs = [dict(base, task_id=f"HumanEval/{i}", sample_index=k) for i in (10, 2, 1) for k in (1, 0)]
    a = write_outcomes(recs, tmp_path / "a.csv.gz").read_bytes()
    b = write_outcomes(list(reversed(recs)), tmp_path / "b.csv.gz").read_bytes()
    assert a == b
    lines = to_csv_bytes(recs).decode().splitlines()
    assert [ln.split(",")[5] for ln in lines[1:3]] == ["HumanEval/1", "HumanEval/1"]
    assert lines[-1].split(",")[5] == "HumanEval/10"
    assert a[4:8] == b"\x00\x00\x00\x00"  # gzip mtime 0
    assert a[10:23] == b"outcomes.csv\x00"  # fixed file name in the header


def test_outcomes_sorting_with_unknown_temperature(tmp_path):
    base = {"benchmark": "humaneval+", "model": "m", "prompt_style": "base", "source_id": "s",
            "solution_sha256": "ab", "base_status": "pass", "plus_status": "pass",
            "first_failed_base": None, "first_failed_plus": None}
    recs = [dict(base, task_id=f"HumanEval/{i}", sample_index=0, temperature=t)
            for i in range(5) for t in (float("nan"), 0.2, None)]
    a = to_csv_bytes(recs)
    assert a == to_csv_bytes(list(reversed(recs))) == to_csv_bytes(recs[3:] + recs[:3])


@pytest.mark.usefixtures("mirror")
def test_stats_report_each_runs_cpu(tmp_path):
    """``evaluate(stats=...)`` counts runs and the CPU each sample process used
    (the speed benchmark's floor rests on it): a busy loop reads about its time
    limit, a constant program next to nothing, and duplicates run once."""
    from flaws.execute import evaluate

    task = load_tasks("humaneval+")[0]
    loop = f"def {task['entry_point']}(*args):\n    while True:\n        pass\n"
    const = f"def {task['entry_point']}(*args):\n    return None\n"
    samples = [{"task_id": task["task_id"], "sample_index": k, "solution": s}
               for k, s in enumerate([loop, const, const])]
    stats: dict = {}
    recs = sorted(evaluate(samples, "humaneval+", workers=2, progress=False, stats=stats,
                           cache=False),
                  key=lambda r: r["sample_index"])
    assert [(r["base_status"], r["plus_status"]) for r in recs] == [("timeout", "timeout")] + [("fail", "fail")] * 2
    assert stats["runs"] == 4 == len(stats["run_cpu_seconds"])  # the two constants are one program
    cpu = sorted(stats["run_cpu_seconds"])
    assert max(cpu[:2]) < 0.05  # constant program: within a clock tick
    assert min(cpu[2:]) >= 0.9  # busy loop: its time limit (at least 1 s of CPU)
    assert stats["child_cpu_seconds"] == pytest.approx(sum(cpu))
