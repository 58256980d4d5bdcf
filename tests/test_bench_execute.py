"""``benchmarks/bench_execute.py``: its cache check says yes only when the three
runs agree, and otherwise lists each differing sample and whether the difference
is at the time limit; its reading of the machine's busy CPU counts work done."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_execute", ROOT / "benchmarks" / "bench_execute.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def cache_check(bench):
    return bench.cache_check


def _rec(task, k, base, plus, sha="a"):
    return {"task_id": task, "sample_index": k, "base_status": base, "plus_status": plus,
            "solution_sha256": sha, "first_failed_base": None, "first_failed_plus": None}


def test_identical_runs_say_yes(cache_check):
    runs = [_rec("HumanEval/1", 0, "pass", "pass"), _rec("HumanEval/2", 0, "fail", "fail", "b")]
    assert cache_check(runs, list(runs), list(runs)) == [
        "outcomes with the cache identical to the uncached run: yes"]


def test_differences_are_listed_and_classified(cache_check):
    ours = [_rec("HumanEval/1", 0, "pass", "pass"), _rec("HumanEval/1", 1, "pass", "timeout"),
            _rec("HumanEval/10", 0, "pass", "fail", "b")]
    cold = [_rec("HumanEval/1", 0, "pass", "pass"), _rec("HumanEval/1", 1, "pass", "pass"),
            _rec("HumanEval/10", 0, "pass", "pass", "b")]
    lines = cache_check(ours, cold, list(reversed(cold)))
    assert lines[0].endswith("identical to the cache (cold): yes")
    assert lines[1] == ("outcomes with the cache identical to the uncached run: NO, 2 of 3 samples "
                        "differ, 1 of them at the time limit (a time-out in one run, not in the other)")
    assert lines[2] == "  HumanEval/1 #1: uncached pass/timeout, cache (cold) pass/pass"
    assert lines[3].endswith("pass/fail, cache (cold) pass/pass  (not at the time limit)")
    assert lines[4].endswith("judged differently in two of their copies: 1 of 2")


def test_a_warm_run_that_differs_from_the_cold_one_is_reported(cache_check):
    cold = [_rec("HumanEval/1", 0, "pass", "pass")]
    warm = [_rec("HumanEval/1", 0, "pass", "fail")]
    assert cache_check(cold, cold, warm)[0].endswith("identical to the cache (cold): NO")


def test_machine_busy_seconds_counts_work_done_meanwhile(bench):
    import time

    before = bench.machine_busy_seconds()
    start = time.process_time()
    while time.process_time() - start < 0.3:  # 0.3 s of this process's CPU
        pass
    assert bench.machine_busy_seconds() - before >= 0.25
