"""The full agreement run's machinery (``flaws.execute.agreement.evalplus_all``),
with ``evalplus.evaluate`` replaced by a stand-in that records what it was given:
resume per sample set, re-run of disagreements alone, refusal of stale stores."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from flaws.execute import agreement
from flaws.execute.runner import solution_sha256


def _table():
    rows = []
    for model in ("m1", "m2"):
        for k in range(3):
            rows.append({"benchmark": "humaneval+", "source_id": "src", "model": model,
                         "prompt_style": "base", "temperature": 0.8, "task_id": f"HumanEval/{k}",
                         "sample_index": 0, "solution": f"# {model} {k}\n"})
    return pd.DataFrame(rows)


def _outcomes(table, plus="fail"):
    o = table.assign(solution_sha256=[solution_sha256(x) for x in table["solution"]],
                     base_status="pass", plus_status=plus)
    return o.drop(columns=["solution"])


@pytest.fixture
def fake_evalplus(monkeypatch, tmp_path):
    monkeypatch.setenv("FLAWS_INTERIM_DIR", str(tmp_path / "interim"))
    calls = []

    def fake(samples, workers=2, workdir=None, benchmark="humaneval+"):
        assert all(s["benchmark"] == benchmark for s in samples)
        calls.append([(s["model"], s["task_id"]) for s in samples])
        return [("pass", "fail") for _ in samples], 0.0

    monkeypatch.setattr(agreement, "run_evalplus_evaluate", fake)
    return calls


def test_full_run_resumes_per_sample_set(fake_evalplus, tmp_path):
    table = _table()
    out = tmp_path / "v.csv.gz"
    outcomes = _outcomes(table)
    # a set whose source is skipped is not run and nothing is combined yet
    assert agreement.evalplus_all(samples=table, out=out, progress=False,
                                  skip_sources=("src",), outcomes=outcomes) is None
    assert fake_evalplus == [] and not out.exists()
    agreement.evalplus_all(samples=table, out=out, progress=False, outcomes=outcomes)
    assert len(fake_evalplus) == 2  # one evalplus.evaluate per (source, model, prompt style)
    first = out.read_bytes()
    agreement.evalplus_all(samples=table, out=out, progress=False, outcomes=outcomes)
    assert len(fake_evalplus) == 2, "finished sets are not run again"
    assert out.read_bytes() == first
    v = pd.read_csv(out)
    assert list(v.columns) == agreement.VERDICT_COLUMNS + agreement.RERUN_COLUMNS
    assert len(v) == 6 and v["evalplus_base_rerun"].isna().all()
    assert gzip.decompress(first).decode().count("\n") == 7


def test_disagreements_are_rerun_alone(fake_evalplus, tmp_path):
    table = _table()
    outcomes = _outcomes(table)
    outcomes.loc[4, "plus_status"] = "pass"  # m2 HumanEval/1: we say pass, "EvalPlus" fail
    out = agreement.evalplus_all(samples=table, out=tmp_path / "v.csv.gz", progress=False,
                                 outcomes=outcomes)
    assert fake_evalplus[-1] == [("m2", "HumanEval/1")]
    v = pd.read_csv(out)
    d = agreement.disagreements(agreement.merge(outcomes, v))
    assert list(d["model"]) == ["m2"] and list(d["task_id"]) == ["HumanEval/1"]
    assert d.iloc[0]["evalplus_plus_rerun"] == "fail"
    assert agreement.explain(d.iloc[0]) == "unexplained"
    flipped = d.iloc[0].copy()
    flipped["evalplus_plus_rerun"] = "pass"
    assert "wall-clock" in agreement.explain(flipped)


def test_stored_set_that_no_longer_matches_is_refused(fake_evalplus, tmp_path):
    table = _table()
    agreement.evalplus_all(samples=table, out=tmp_path / "v.csv.gz", progress=False,
                           outcomes=_outcomes(table))
    changed = table.copy()
    changed.loc[0, "solution"] = "# another program\n"
    with pytest.raises(RuntimeError, match="do not match the samples"):
        agreement.evalplus_all(samples=changed, out=tmp_path / "w.csv.gz", progress=False,
                               outcomes=_outcomes(changed))


def _new_sets_table():
    """Two runs of one model on HumanEval+ (same sample indices) and one MBPP+ set."""
    rows = []
    for bench, run, tid in (("humaneval+", "a", "HumanEval/0"), ("humaneval+", "b", "HumanEval/0"),
                            ("mbpp+", "", "Mbpp/2")):
        rows.append({"benchmark": bench, "source_id": "src", "model": "m", "prompt_style": "base",
                     "temperature": 0.0, "task_id": tid, "sample_index": 0, "sampling": "greedy",
                     "run": run, "solution": f"# {bench} {run}\n"})
    return pd.DataFrame(rows)


def test_new_sets_keyed_by_benchmark_and_run(fake_evalplus, tmp_path, monkeypatch):
    monkeypatch.setattr(agreement, "near_limit", lambda *a: 0.0)  # not a real program
    table = _new_sets_table()
    outcomes = _outcomes(table)
    outcomes.loc[2, "plus_status"] = "pass"  # the MBPP+ sample: we say pass, "EvalPlus" fail
    out = agreement.evalplus_all(samples=table, out=tmp_path / "n.csv.gz", progress=False,
                                 outcomes=outcomes, layout=agreement.NEW_SETS)
    # one evalplus.evaluate per (set, benchmark, run), then the MBPP+ disagreement alone
    assert len(fake_evalplus) == 4 and fake_evalplus[-1] == [("m", "Mbpp/2")]
    v = agreement.read_verdicts(out, agreement.NEW_SETS)
    assert list(v["run"]) == ["a", "b", ""] and list(v["benchmark"]) == ["humaneval+"] * 2 + ["mbpp+"]
    merged = agreement.merge(outcomes, v, agreement.NEW_SETS.keys)
    d = agreement.disagreement_list(merged, table)
    assert list(d.columns) == agreement.DISAGREEMENT_COLUMNS
    assert d[["task_id", "plus_status", "evalplus_plus", "reason"]].values.tolist() == [
        ["Mbpp/2", "pass", "fail", "unexplained"]]
    p = agreement.write_disagreements(d, tmp_path / "d.csv")
    assert p.read_text().splitlines()[1].startswith("src,m,base,mbpp+,,Mbpp/2,0,pass,pass,")
    # a run restricted to one benchmark still combines the other's stored sets (it once dropped
    # them from the combined file), and runs nothing that is stored
    both = agreement.evalplus_all(samples=table, out=tmp_path / "h.csv.gz", progress=False,
                                  outcomes=outcomes, layout=agreement.NEW_SETS,
                                  benchmarks=("humaneval+",))
    assert list(pd.read_csv(both)["benchmark"]) == ["humaneval+"] * 2 + ["mbpp+"]
    assert len(fake_evalplus) == 5  # only the MBPP+ disagreement, re-run alone again


def test_run_of_one_benchmark_keeps_the_others_stored_sets(fake_evalplus, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(agreement, "near_limit", lambda *a: 0.0)
    table = _new_sets_table()
    outcomes = _outcomes(table)
    # MBPP+ first: only its set runs; the HumanEval+ sets are named as not yet run
    first = agreement.evalplus_all(samples=table, out=tmp_path / "a.csv.gz", progress=False,
                                   outcomes=outcomes, layout=agreement.NEW_SETS, benchmarks=("mbpp+",))
    assert list(pd.read_csv(first)["benchmark"]) == ["mbpp+"] and len(fake_evalplus) == 1
    assert capsys.readouterr().err.count("not yet run") == 2
    # then HumanEval+: its two sets run, and the combined file holds all three
    second = agreement.evalplus_all(samples=table, out=tmp_path / "b.csv.gz", progress=False,
                                    outcomes=outcomes, layout=agreement.NEW_SETS, benchmarks=("humaneval+",))
    assert list(pd.read_csv(second)["benchmark"]) == ["humaneval+"] * 2 + ["mbpp+"]
    assert len(fake_evalplus) == 3


def test_merge_refuses_verdicts_without_outcome():
    table = _table()
    v = _outcomes(table).rename(columns={"base_status": "evalplus_base",
                                         "plus_status": "evalplus_plus"})
    v = v[agreement.VERDICT_COLUMNS]
    with pytest.raises(ValueError, match="2 EvalPlus verdicts have no outcome"):
        agreement.merge(_outcomes(table).iloc[:4], v)




def test_same_verdicts_compares_hash_and_pass_not_pass():
    committed = pd.DataFrame([
        {"model": "m", "prompt_style": "base", "task_id": "HumanEval/0", "sample_index": 0,
         "solution_sha256": "aa", "base_status": "pass", "plus_status": "fail"},
        {"model": "m", "prompt_style": "base", "task_id": "HumanEval/0", "sample_index": 1,
         "solution_sha256": "bb", "base_status": "error", "plus_status": "error"},
    ])
    rec = dict(model="m", prompt_style="base", task_id="HumanEval/0")
    rerun = [
        dict(rec, sample_index=0, solution_sha256="aa", base_status="pass", plus_status="timeout"),
        dict(rec, sample_index=1, solution_sha256="bb", base_status="fail", plus_status="fail"),
        dict(rec, sample_index=0, solution_sha256="aa", base_status="fail", plus_status="fail"),
        dict(rec, sample_index=1, solution_sha256="cc", base_status="fail", plus_status="fail"),
    ]
    assert agreement.same_verdicts(committed, rerun) == [True, True, False, False]


def test_explain_names_the_known_classes():
    row = {"base_status": "error", "plus_status": "error", "evalplus_base": "pass",
           "evalplus_plus": "pass", "evalplus_base_rerun": "pass", "evalplus_plus_rerun": "pass"}
    prog = "def f(x):\n    return x\nimport pandas as pd\n"
    assert agreement.imports_preloaded_by_evalplus(prog) == ["pandas"]
    assert agreement.imports_preloaded_by_evalplus("import numpy\nimport scipy\n") == []
    assert agreement.imports_preloaded_by_evalplus("def (:") == []
    assert "imports pandas" in agreement.explain(row, prog)
    assert agreement.explain(row, "def f(x):\n    return x\n") == "unexplained"
    slow = {"base_status": "pass", "plus_status": "timeout", "evalplus_base": "pass",
            "evalplus_plus": "pass", "evalplus_base_rerun": "pass", "evalplus_plus_rerun": "pass"}
    assert agreement.explain(slow).startswith("time-limit borderline")


def test_command_line_runs_the_full_agreement(fake_evalplus, monkeypatch, tmp_path, capsys):
    table = _table()
    monkeypatch.setattr("flaws.samples.load_all", lambda **kw: table)
    monkeypatch.setattr(agreement, "rerun_disagreements", lambda v, s, o=None, layout=None: v.assign(
        evalplus_base_rerun=None, evalplus_plus_rerun=None))
    out = tmp_path / "v.csv.gz"
    assert agreement.main(["--out", str(out)]) == 0
    assert out.exists() and len(fake_evalplus) == 2
    assert "wrote" in capsys.readouterr().out


def test_partial_combines_only_the_stored_sets(fake_evalplus, tmp_path, capsys):
    table = _table()
    outcomes = _outcomes(table)
    assert agreement.evalplus_all(samples=table, out=tmp_path / "p.csv.gz", progress=False,
                                  outcomes=outcomes, partial=True) is None  # nothing stored yet
    agreement.evalplus_all(samples=table[table.model.eq("m1")], out=tmp_path / "m1.csv.gz",
                           progress=False, outcomes=outcomes)
    out = agreement.evalplus_all(samples=table, out=tmp_path / "p.csv.gz", progress=False,
                                 outcomes=outcomes, partial=True)
    assert len(fake_evalplus) == 1 and list(pd.read_csv(out)["model"]) == ["m1"] * 3
    assert "not yet run: src / m2 / base (3 samples)" in capsys.readouterr().err


def test_humaneval_disagreements_listed_for_the_reader(monkeypatch):
    monkeypatch.setattr(agreement, "near_limit", lambda *a: 0.0)  # not a real program
    table = _table()
    outcomes = _outcomes(table)
    outcomes.loc[1, "plus_status"] = "timeout"
    outcomes.loc[4, "base_status"] = "fail"
    verdicts = outcomes[agreement.HUMANEVAL.keys].assign(evalplus_base="pass", evalplus_plus="fail")
    verdicts.loc[1, "evalplus_plus"] = "pass"  # we time out, EvalPlus passes: a borderline program
    verdicts.loc[4, ["evalplus_base_rerun", "evalplus_plus_rerun"]] = ["fail", "fail"]  # agrees alone
    merged = agreement.merge(outcomes, verdicts)
    listed = agreement.disagreement_list(merged, table, agreement.HUMANEVAL)
    assert list(listed.columns) == agreement.disagreement_columns(agreement.HUMANEVAL)
    assert "run" not in listed.columns and list(listed["task_id"]) == ["HumanEval/1", "HumanEval/1"]
    shown = agreement.disagreement_table(listed)
    assert list(shown.columns)[:4] == ["model", "prompt style", "task", "sample"]
    assert list(shown["reason"]) == ["time-limit borderline", "EvalPlus's wall-clock time limit"]
    assert list(shown["ours: plus"]) == ["timeout", "fail"]
    counts = agreement.reason_counts(listed)
    assert list(counts.columns) == ["explanation", "samples"] and counts["samples"].tolist() == [1, 1]
    assert counts["explanation"].iloc[0].startswith("EvalPlus's wall-clock time limit: ")


def test_agrees_alone_reads_explains_reason():
    row = {"base_status": "pass", "plus_status": "pass", "evalplus_base": "pass",
           "evalplus_plus": "fail", "evalplus_base_rerun": "pass", "evalplus_plus_rerun": "pass"}
    listed = pd.DataFrame({"reason": [agreement.explain(row), "time-limit borderline: x"]})
    assert list(agreement.agrees_alone(listed)) == [True, False]
