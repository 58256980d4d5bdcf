"""Model-written test suites: readers, sandboxed runs and the verifiers built on them.

Everything here is hand-made and tiny: toy programs, toy tests, toy files. The hostile tests
aim only at a canary this module creates.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from flaws import verifiers as vf
from flaws.execute import generated_tests as G
from flaws.execute.pool import bwrap_available
from flaws.samples import generated_tests as gt

needs_bwrap = pytest.mark.skipif(bwrap_available() is None,
                                 reason="bubblewrap (bwrap) is required for the sandbox tests")
UID_BASE = 62100  # not the default, so a concurrent pipeline run cannot interfere
KNOWN = {"HumanEval/0", "HumanEval/1"}


# ------------------------------------------------------------------------------ readers

def test_codet_extract_follows_codets_rules():
    content = ("f(1) == 2\nassert f(2) == 3\n# a comment\nassert g(1) == 1\n"
               "assert f(3) == \nassert f(4) == 5\nprint(f(4))\nassert f(5) == 6\n"
               "assert f(6) == 7\nassert f(7) == 8\n")
    # parts without the entry point go, a part is cut at '\n#' / '\nprint', broken asserts go,
    # then the first five are kept
    assert gt.codet_extract(content, "f") == ["assert f(1) == 2", "assert f(2) == 3",
                                              "assert f(4) == 5", "assert f(5) == 6",
                                              "assert f(6) == 7"]
    assert len(gt.codet_extract(content, "f", limit=None)) == 6


def test_read_codet_maps_rows_by_prompt_and_dedupes(tmp_path):
    prompts = tmp_path / "p.jsonl"
    prompts.write_text("\n".join(json.dumps(r) for r in [
        {"task_id": "HumanEval/0", "prompt": "PA", "entry_point": "f"},
        {"task_id": "HumanEval/1", "prompt": "PB", "entry_point": "f"}]))
    tests = tmp_path / "t.jsonl"
    tests.write_text("\n".join(json.dumps(r) for r in [  # not in task order
        {"prompt": "PB", "samples": ["  ", "\n"]},
        {"prompt": "PA", "samples": ["f(1) == 1\n", "f(1) == 1\nassert f(2) == 2", ""]}]))
    got, dropped = gt.read_codet(tests, prompts, KNOWN)
    assert got == {"HumanEval/0": ["assert f(1) == 1", "assert f(2) == 2"], "HumanEval/1": []}
    assert dropped == {"blank samples": 3, "duplicates": 1}
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"prompt": "PC", "samples": []}))
    with pytest.raises(ValueError, match="matches no task"):
        gt.read_codet(bad, prompts, KNOWN)


def test_agentcoder_scripts_that_redefine_the_function_are_dropped_and_counted(tmp_path):
    ok = 'assert f(1) == 2, "one"\nassert f(2) == 3\n'
    scripts = [ok, "", "def f(x):\n    return x + 1\nassert f(1) == 2\n",
               "def f(x):\n    '''stub'''\nassert f(1) == 2\n", "assert g(1) == 2\n", ok,
               "assert f(1) == (\n"]
    path = tmp_path / "a.json"
    path.write_text(json.dumps([{"task_id": "HumanEval/0", "entry_point": "f",
                                 "test_case_list": scripts},
                                {"task_id": "HumanEval/1", "entry_point": "f",
                                 "test_case_list": [""]}]))
    got, dropped = gt.read_agentcoder(path, KNOWN)
    assert got == {"HumanEval/0": [ok], "HumanEval/1": []}
    assert dropped == {"empty": 2, "redefines the function under test": 2,
                       "no 'assert <entry_point>('": 1, "duplicates": 1, "does not compile": 1}
    assert gt.defines("class A:\n    def f(self): pass\n", "f")  # a method of that name counts too
    assert not gt.defines("assert f(1) == 2\n", "f")


def test_read_reflexion_keeps_asserts_naming_the_entry_point(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"task_id": "HumanEval/0", "entry_point": "f",
                                "solution": ["assert f(1) == 2", "assert g(1) == 2",
                                             "assert f(1) == 2", "assert f(1 == 2"]}))
    got, dropped = gt.read_reflexion(path, KNOWN)
    assert got == {"HumanEval/0": ["assert f(1) == 2"]}
    assert dropped == {"does not name the entry point": 1, "duplicates": 1, "does not compile": 1}


# ------------------------------------------------------------------------------ sandboxed runs

TESTS = ["assert f(1) == 2", "assert f(1) == 3", "import os\nos._exit(0)", "assert f(2) == 3",
         "while True:\n    pass", "f = None", "assert f(0) == 1"]


@needs_bwrap
def test_run_gives_one_mark_per_test():
    progs = [{"task_id": "toy/0", "solution": "def f(x):\n    return x + 1\n", "solution_sha256": "good"},
             {"task_id": "toy/0", "solution": "def f(x):\n    while True:\n        pass\n",
              "solution_sha256": "loops"},
             {"task_id": "toy/0", "solution": "def f(x):\n    return x\nraise ValueError\n",
              "solution_sha256": "noload"},
             {"task_id": "toy/0", "solution": "def g(x):\n    return x\n", "solution_sha256": "noentry"},
             {"task_id": "toy/1", "solution": "def f(x):\n    return x\n", "solution_sha256": "untested"}]
    stats = {}
    got = {r["solution_sha256"]: r for r in G.run(progs, {"s": {"toy/0": TESTS, "toy/1": []}},
                                                  {"toy/0": "f", "toy/1": "f"}, time_cap=2.5,
                                                  progress=False, stats=stats, uid_base=UID_BASE)}
    # an early exit fails its test, a time-out is 't', a rebinding does not leak into the next test
    assert got["good"]["passed"] == "1001t11"
    # every test loops: the budget (2.5 CPU s) runs out after the third time-out
    assert got["loops"]["passed"][:2] == "tt" and got["loops"]["passed"].endswith("?")
    assert got["noload"] == {**got["noload"], "passed": "0" * 7, "status": "error"}
    assert got["noentry"]["passed"] == "0" * 7
    assert "untested" not in got  # no test for toy/1: nothing to run
    assert stats["runs"] == 4


@needs_bwrap
def test_run_resumes_from_its_journal(tmp_path):
    prog = [{"task_id": "toy/0", "solution": "def f(x):\n    return x + 1\n", "solution_sha256": "a"}]
    suites = {"s": {"toy/0": ["assert f(1) == 2"]}}
    journal = tmp_path / "j.jsonl"
    first = list(G.run(prog, suites, {"toy/0": "f"}, journal=journal, progress=False, uid_base=UID_BASE))
    stats = {}
    again = list(G.run(prog, suites, {"toy/0": "f"}, journal=journal, progress=False, stats=stats,
                       uid_base=UID_BASE))
    assert again == first and stats["runs"] == 0 and stats["cached"] == 1
    # another list of tests for the task: not reused
    stats = {}
    list(G.run(prog, {"s": {"toy/0": ["assert f(1) == 3"]}}, {"toy/0": "f"}, journal=journal,
               progress=False, stats=stats, uid_base=UID_BASE))
    assert stats["runs"] == 1


@needs_bwrap
def test_hostile_tests_cannot_touch_a_canary_outside_the_sandbox():
    outside = Path(tempfile.mkdtemp(prefix="flaws-gt-canary-", dir="/var/tmp"))
    try:
        os.chmod(outside, 0o777)  # only the sandbox, not permissions, protects it
        canary = outside / "canary.txt"
        canary.write_text("canary")
        os.chmod(canary, 0o666)
        c = str(canary)
        hostile = [
            f"import io\nwith io.open({c!r}, 'w') as fh:\n    fh.write('gone')\nassert f(1) == 2",
            f"import pathlib\npathlib.Path({c!r}).write_text('gone')\nassert f(1) == 2",
            f"import os\nos.unlink({c!r})",
            f"import posix\nposix.unlink({c!r})\nassert f(1) == 2",
        ]
        prog = [{"task_id": "toy/0", "solution": "def f(x):\n    return x + 1\n", "solution_sha256": "a"}]
        got = list(G.run(prog, {"s": {"toy/0": hostile + ["assert f(1) == 2"]}}, {"toy/0": "f"},
                         progress=False, uid_base=UID_BASE))
        assert got[0]["passed"] == "00001"  # every attack failed, the honest test passed
        assert canary.read_text() == "canary"
        assert sorted(p.name for p in outside.iterdir()) == ["canary.txt"]
    finally:
        for p in outside.iterdir():
            p.unlink()
        outside.rmdir()


# ------------------------------------------------------------------------------ verifiers

def _outcomes():
    rows = [("t/0", "pass", "pass", "a"), ("t/0", "pass", "fail", "b"), ("t/0", "pass", "pass", "c"),
            ("t/0", "fail", "fail", "d"), ("t/0", "error", "error", "e"),
            ("t/1", "pass", "pass", "f"), ("t/1", "fail", "fail", "g"),
            ("t/2", "pass", "fail", "h"), ("t/2", "pass", "pass", "i")]
    return pd.DataFrame([{"benchmark": "humaneval+", "model": "m", "prompt_style": "base",
                          "task_id": t, "sample_index": k, "base_status": b, "plus_status": p,
                          "first_failed_plus": None, "solution_sha256": h}
                         for k, (t, b, p, h) in enumerate(rows)])


def _generated():
    """Suite s: t/0 has 3 tests, the second wrong (the canonical fails it); t/1 has one wrong
    test only; t/2 has no test (no canonical row)."""
    rows = [("t/0", "canonical", "101"), ("t/0", "a", "101"), ("t/0", "b", "111"),
            ("t/0", "c", "1t1"), ("t/0", "d", "111"),
            ("t/1", "canonical", "0"), ("t/1", "f", "0")]
    return pd.DataFrame([{"suite": "s", "task_id": t, "solution_sha256": h, "passed": v}
                         for t, h, v in rows])


def test_parse_suite_names():
    assert vf.parse("codet") == vf.Verifier("suite", "codet")
    assert vf.parse("Reflexion:filtered").name == "reflexion:filtered"
    assert vf.parse("agentcoder").name == "agentcoder"
    with pytest.raises(ValueError, match="codet"):
        vf.parse("codet:all")


def test_suite_verifiers_all_tests_and_filtered():
    o = _outcomes()
    v_all, v_filt = vf.Verifier("suite", "s"), vf.Verifier("suite", "s", filtered=True)
    # all tests: a (fails the wrong test) rejected, b accepted, c (a time-out) rejected, d (base
    # fails but passes the suite: a run program) accepted, e (does not load) rejected; t/1's only
    # test is wrong and every program fails it; t/2 has no test: everything accepted
    assert vf.accepts(v_all, o, generated=_generated()).tolist() == \
        [False, True, False, True, False, False, False, True, True]
    # filtered: the wrong test is dropped (c timed out on it only); t/1 is left without a test
    # and accepts everything, even the program failing base
    assert vf.accepts(v_filt, o, generated=_generated()).tolist() == \
        [True, True, True, True, False, True, True, True, True]


def test_missing_programs_follow_the_stated_convention():
    o = _outcomes()
    g = _generated()
    g = g[g["solution_sha256"] != "d"]
    v = vf.Verifier("suite", "s")
    assert not vf.accepts(v, o, generated=g)[3]  # failing base, not run: rejected by default
    with pytest.raises(KeyError, match="no generated-test result"):
        vf.accepts(v, o, generated=g, base_failing="error")
    with pytest.raises(KeyError):  # a base-passing program must have been run
        vf.accepts(v, o, generated=g[g["solution_sha256"] != "a"])


def test_suite_rates_count_false_negatives():
    o = _outcomes()
    counts = vf.verifier_counts(o, vf.accepts(vf.Verifier("suite", "s"), o, generated=_generated()))
    r = vf.rates(counts, n_resamples=50)
    # correct: a, c, f, i -> only i accepted; accepted: b, d, h, i -> 3 wrong
    assert r["correct"] == 4 and r["false_negative_rate"] == pytest.approx(3 / 4)
    assert r["accepted"] == 4 and r["false_positive_rate"] == pytest.approx(3 / 4)


def test_suite_family_gives_one_counts_table_per_suite_and_filter():
    o = _outcomes()
    fam = vf.suite_family(o, _generated(), suites=("s",), tasks={"t/0", "t/1"})
    assert list(fam) == ["s", "s:filtered"]
    base = o.base_status.eq("pass").to_numpy()
    for name, v in (("s", vf.Verifier("suite", "s")), ("s:filtered", vf.Verifier("suite", "s", filtered=True))):
        (counts,) = fam[name]
        assert set(counts.task_id) == {"t/0", "t/1"}  # t/2 left out by tasks=
        want = vf.verifier_counts(o, vf.accepts(v, o, generated=_generated()) & base)
        want = want[want.task_id.isin({"t/0", "t/1"})].reset_index(drop=True)
        pd.testing.assert_frame_equal(counts, want)
    # with the base tests: t/0 accepts b (d fails base); filtered: a, b, c; t/1 has no
    # usable filtered test, so the base tests alone decide (f)
    got = {k: v[0].set_index("task_id").base_passes.to_dict() for k, v in fam.items()}
    assert got == {"s": {"t/0": 1, "t/1": 0}, "s:filtered": {"t/0": 3, "t/1": 1}}
    # the suite alone: every base-failing program must have been run (g was not)
    with pytest.raises(KeyError, match="no generated-test result"):
        vf.suite_family(o, _generated(), suites=("s",), with_base=False)
    alone = vf.suite_family(o[o.task_id.eq("t/0")], _generated(), suites=("s",), with_base=False)
    assert alone["s"][0].base_passes.tolist() == [2]  # b and d


def test_complete_suites_counts_base_passing_programs_without_a_result():
    o = _outcomes()
    g = _generated()
    assert vf.complete_suites(o, g, suites=("s",)) == {"s": 0}  # h, i: t/2 has no test
    assert vf.complete_suites(o, g[g.solution_sha256 != "a"], suites=("s", "other")) == {"s": 1, "other": 0}


def test_suite_counts_and_file_round_trip(tmp_path):
    suites = {"s": {"t/0": ["x", "y", "z"], "t/1": ["w"], "t/2": []}}
    canon = {("s", "t/0"): "101", ("s", "t/1"): "0"}
    c = G.suite_counts(suites, {"s": {"empty": 1}}, canon)["s"]
    assert (c["tests"], c["wrong_tests"], c["tasks_without_tests"],
            c["tasks_without_a_test_the_canonical_passes"], c["tasks_with_a_wrong_test"]) == (4, 2, 1, 2, 2)
    recs = [{"suite": r.suite, "task_id": r.task_id, "solution_sha256": r.solution_sha256,
             "passed": r.passed} for r in _generated().itertuples()]
    path = G.write(recs, tmp_path / "g.csv.gz")
    back = G.read(path)
    assert back.iloc[0].to_dict() == {"suite": "s", "task_id": "t/0", "solution_sha256": "canonical",
                                      "passed": "101"}
    assert sorted(back["passed"]) == sorted(r["passed"] for r in recs)
    (tmp_path / "again").mkdir()
    assert G.write(recs[::-1], tmp_path / "again" / "g.csv.gz").read_bytes() == path.read_bytes()


@needs_bwrap
def test_report_verifier_runs_a_suite_on_the_files_solutions(tmp_path, monkeypatch, mirror):
    """``flaws report --verifier reflexion`` on a toy file of two HumanEval/53 (add) samples,
    with a hand-made suite in place of the real one."""
    from flaws import report

    monkeypatch.setattr(gt, "load", lambda name: ({"HumanEval/53": ["assert add(1, 2) == 3",
                                                                    "assert add(2, 2) == 5"]}, {}))
    good = "def add(x: int, y: int):\n    return x + y\n"
    bad = "def add(x: int, y: int):\n    return x * y\n"
    f = tmp_path / "m_eval_results.json"
    f.write_text(json.dumps({"eval": {"HumanEval/53": [
        {"solution": good, "base_status": "pass", "plus_status": "pass"},
        {"solution": bad, "base_status": "fail", "plus_status": "fail"},
        {"solution": good, "base_status": "pass", "plus_status": "pass"}]}}))
    o = report.read_eval_results(f)
    acc_all = report.suite_acceptances(o, f, vf.parse("reflexion"))
    acc_filt = report.suite_acceptances(o, f, vf.parse("reflexion:filtered"))
    assert acc_all.tolist() == [False, False, False]  # the wrong test rejects everything
    assert acc_filt.tolist() == [True, False, True]
    assert report.main([str(f), "--verifier", "reflexion:filtered", "--no-filter", "--json",
                        "--out", str(tmp_path / "o")]) == 0
    assert np.isclose(json.loads((tmp_path / "o" / "report.json").read_text())
                      ["conditional_accuracy"]["estimate"], 1.0)
