"""The verdict cache (:mod:`flaws.execute.vcache`): an identical program is judged
once, and the cache never changes a verdict.

* Real CodeGen-16B samples (many repeat a program): judged without the cache,
  with a cold cache and with a warm one, the outcome rows are byte-identical
  (and equal the committed rows); the warm run executes nothing, and a set
  overlapping the first executes only its new programs.
* Entries whose stored key does not match the lookup (another executor version,
  options, reference times, program or task; an entry copied under another
  name), torn files and malformed verdicts are not reused: those programs are
  judged again, and their verdicts do not change.
* Concurrent writers never expose a partial entry; a sample cannot write into
  the cache.
"""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest

from flaws.execute import evaluate
from flaws.execute.outcomes import to_csv_bytes
from flaws.execute.vcache import VerdictCache, default_dir

# tasks whose first eight CodeGen-16B samples hold 27 distinct programs; with a
# time-out on both test sets, one on plus only and a program that does not load
REPEATING = ["HumanEval/53", "HumanEval/38", "HumanEval/50", "HumanEval/28", "HumanEval/7",
             "HumanEval/126", "HumanEval/104"]
PAIRS = ([(t, i) for t in REPEATING for i in range(8)]
         + [("HumanEval/2", 9), ("HumanEval/25", 5), ("HumanEval/33", 7)])


def _judge(samples, cache, stats=None):
    return to_csv_bytes(list(evaluate(samples, "humaneval+", workers=2, progress=False,
                                      cache=cache, stats=stats)))


@pytest.mark.slow
def test_cached_and_uncached_outcomes_are_byte_identical(tmp_path, codegen_samples):
    samples, committed = codegen_samples(PAIRS)
    distinct = len({(s["task_id"], s["solution"]) for s in samples})
    assert distinct < len(samples) - 20, "the set should repeat programs"

    uncached = _judge(samples, False)
    cold: dict = {}
    first = _judge(samples, tmp_path, cold)
    warm: dict = {}
    again = _judge(samples, tmp_path, warm)
    assert uncached == first == again == committed
    assert (cold["runs"], cold["cache_hits"]) == (2 * distinct, 0)
    assert (warm["runs"], warm["cache_hits"]) == (0, distinct)  # nothing executed
    assert len(list(tmp_path.rglob("*.json"))) == distinct
    assert not list(tmp_path.rglob("*.tmp")), "a temporary file was left behind"

    # an overlapping set: only its new programs run
    extra, _ = codegen_samples([("HumanEval/53", 8), ("HumanEval/0", 0), ("HumanEval/0", 1)])
    more = [dict(s, sample_index=100 + s["sample_index"]) for s in samples[:20]] + extra
    known = {(s["task_id"], s["solution"]) for s in samples}
    new = {(s["task_id"], s["solution"]) for s in extra} - known
    st: dict = {}
    _judge(more, tmp_path, st)
    assert st["runs"] == 2 * len(new) and st["cache_hits"] == len(
        {(s["task_id"], s["solution"]) for s in more}) - len(new)


def _programs():
    """Distinct wrong programs for HumanEval/0 (each judged fail on base and plus),
    and the canonical solution (pass)."""
    from flaws.execute.groundtruth import load_tasks

    t = load_tasks("humaneval+")[0]
    wrong = [f"def has_close_elements(numbers, threshold):\n    return {v!r}\n"
             for v in (True, False, None, 0, 1, "x", [], 2.5)]
    return [{"task_id": t["task_id"], "sample_index": k, "solution": s}
            for k, s in enumerate(wrong + [t["prompt"] + t["canonical_solution"]])]


def _status(recs):
    return {r["sample_index"]: (r["base_status"], r["plus_status"], r["first_failed_base"],
                                r["first_failed_plus"]) for r in recs}


@pytest.mark.usefixtures("mirror")
def test_poisoned_or_mismatched_entries_are_not_reused(tmp_path):
    progs = _programs()
    truth = _status(evaluate(progs, "humaneval+", workers=2, progress=False, cache=tmp_path))
    assert truth[len(progs) - 1][:2] == ("pass", "pass")
    assert all(v[:2] == ("fail", "fail") for k, v in truth.items() if k < len(progs) - 1)

    files = {}
    for p in progs:
        from flaws.execute.runner import solution_sha256

        files[p["sample_index"]] = _entry_path(tmp_path, p["task_id"], solution_sha256(p["solution"]))
    good = json.loads(files[len(progs) - 1].read_text())  # the canonical solution: pass

    def poison(k, change_key=None, text=None):
        e = json.loads(files[k].read_text())
        e["verdict"] = good["verdict"]  # claim "pass"
        if change_key:
            e["key"].update(change_key)
        files[k].write_text(text if text is not None else json.dumps(e))

    poison(0, {"executor_version": -1})
    poison(1, {"options": {**good["key"]["options"], "min_time_limit": 99}})
    poison(2, {"reference": "0" * 64})
    poison(3, {"solution_sha256": good["key"]["solution_sha256"]})
    poison(4, {"task_id": "HumanEval/1"})
    files[5].write_text(files[len(progs) - 1].read_text())  # the pass entry under another name
    poison(6, text=json.dumps({"key": json.loads(files[6].read_text())["key"],
                               "verdict": {"base": {"status": "PASS"}, "plus": {"status": "pass"}}}))
    files[7].write_text(files[7].read_text()[:40])  # torn
    # the canonical solution's entry is left alone: it is the one reused

    stats: dict = {}
    again = _status(evaluate(progs, "humaneval+", workers=2, progress=False, cache=tmp_path,
                             stats=stats))
    assert again == truth
    assert stats["cache_hits"] == 1 and stats["runs"] == 2 * (len(progs) - 1)
    # the re-judged programs' entries are whole again
    for k in range(len(progs) - 1):
        assert json.loads(files[k].read_text())["verdict"]["base"]["status"] == "fail"


def _entry_path(root, task_id, sha):
    """The one entry file of (task, program) under ``root`` (found by its stored key)."""
    keys = {p: json.loads(p.read_text())["key"] for p in root.rglob("*.json")}
    hits = [p for p, k in keys.items() if (k["task_id"], k["solution_sha256"]) == (task_id, sha)]
    assert len(hits) == 1
    return hits[0]


def _fake_cache(root, options=None):
    exp = root / "expected"
    if not exp.exists():
        exp.mkdir()
        (exp / "index.json").write_text(json.dumps({"tasks": {
            f"HumanEval/{i}": {"file": f"{i}.json.gz", "base_time": [0.01], "plus_time": [0.02],
                               "base_status": "pass", "plus_status": "pass",
                               "base_missing": None, "plus_missing": None} for i in range(3)}}))
    return VerdictCache(root / "vc", "humaneval+", exp, options or {"min_time_limit": 1.0},
                        "none")


def _verdict(k):
    return {"base": {"status": "fail", "first_failed": k}, "plus": {"status": "pass",
                                                                   "first_failed": None}}


def _hammer(root, seed):
    vc = _fake_cache(root)
    bad = 0
    for n in range(300):
        k = (n * 7 + seed) % 20
        if n % 2:
            vc.put("HumanEval/1", f"{k:064x}", _verdict(k))
        else:
            got = vc.get("HumanEval/1", f"{k:064x}")
            bad += got is not None and got != _verdict(k)
    return bad


def test_concurrent_writers_never_expose_a_partial_entry(tmp_path):
    _fake_cache(tmp_path)
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(4) as pool:
        assert pool.starmap(_hammer, [(tmp_path, s) for s in range(4)]) == [0] * 4
    vc = _fake_cache(tmp_path)
    assert all(vc.get("HumanEval/1", f"{k:064x}") == _verdict(k) for k in range(20))
    assert not [p for p in (tmp_path / "vc").rglob("*") if p.name.endswith(".tmp")]


def test_key_names_limits_and_crashes_are_not_stored(tmp_path):
    vc = _fake_cache(tmp_path)
    vc.put("HumanEval/0", "a" * 64, _verdict(3))
    assert vc.get("HumanEval/0", "a" * 64) == _verdict(3)
    assert vc.get("HumanEval/2", "a" * 64) is None  # other task
    assert _fake_cache(tmp_path, {"min_time_limit": 2.0}).get("HumanEval/0", "a" * 64) is None
    crashed = {w: {"status": "fail", "first_failed": None, "reason": "worker crashed"}
               for w in ("base", "plus")}
    vc.put("HumanEval/0", "b" * 64, crashed)
    assert vc.get("HumanEval/0", "b" * 64) is None
    # other canonical times for a task: other key
    idx = tmp_path / "expected" / "index.json"
    data = json.loads(idx.read_text())
    data["tasks"]["HumanEval/0"]["plus_time"] = [0.5]
    idx.write_text(json.dumps(data))
    assert _fake_cache(tmp_path).get("HumanEval/0", "a" * 64) is None


@pytest.mark.usefixtures("mirror")
def test_a_sample_cannot_write_into_the_cache():
    target = default_dir() / "humaneval" / "zz"
    marker = target / "planted.json"
    assert not marker.exists()
    dirs = [str(p) for p in reversed(marker.parents) if str(p).startswith(str(default_dir()))]
    plant = (
        "import posix\n"
        f"for d in {dirs!r}:\n"
        "    try:\n        posix.mkdir(d, 0o777)\n    except OSError:\n        pass\n"
        f"fd = posix.open({str(marker)!r}, posix.O_WRONLY | posix.O_CREAT, 0o666)\n"
        "posix.write(fd, b'{}')\nposix.close(fd)\n"
        "def has_close_elements(numbers, threshold):\n    return False\n")
    (rec,) = evaluate([{"task_id": "HumanEval/0", "solution": plant}], "humaneval+",
                      workers=1, progress=False, cache=False)
    assert not marker.exists()
    assert rec["base_status"] == "error"  # the write failed inside the sandbox
    if target.exists() and not os.listdir(target):
        target.rmdir()
