"""The importers of the sources added with MBPP+, on tiny files the tests create (no third-party
content): task-id mapping, runs, sampling, name differences and errors that name file and line."""

import json
import math
import zipfile

import pandas as pd
import pytest

from flaws import metrics, samples
from flaws.execute import outcomes as outcomes_mod
from flaws.execute.runner import EXECUTOR_VERSION
from flaws.samples import agentcoder, evalplus_chatgpt, paircoder, reflexion_mbpp, seeds, taskmap, wizardcoder
from flaws.samples.record import Sample, sort_table, to_table

HE = {"HumanEval/0", "HumanEval/1"}
MBPP = {"Mbpp/2": "similar", "Mbpp/3": "is_not_prime"}
EPS = {"HumanEval/0": "first", "HumanEval/1": "second", **MBPP}


def write_jsonl(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


# ---------------------------------------------------------------- task ids
@pytest.mark.parametrize("raw", ["MBPP/11", "Mbpp/11", 11, "mbpp_11_some_name"])
def test_mbpp_ids_are_normalised(raw):
    assert taskmap.mbpp_task_id(raw, "here") == "Mbpp/11"


@pytest.mark.parametrize("raw", ["HumanEval/11", "11", True, None, "mbpp-11"])
def test_bad_mbpp_ids_name_the_place(raw):
    with pytest.raises(ValueError, match="here: .* is not an MBPP task id"):
        taskmap.mbpp_task_id(raw, "here")


def test_jsonl_errors_name_file_and_line(tmp_path):
    p = tmp_path / "x.jsonl"
    p.write_text('{"a": 1}\n\n{"a": \n')
    with pytest.raises(ValueError, match=r"x\.jsonl: line 3: not valid JSON"):
        list(taskmap.jsonl_rows(p))
    p.write_text('{"a": 1}\n[1]\n')
    with pytest.raises(ValueError, match=r"x\.jsonl: line 2: expected a JSON object"):
        list(taskmap.jsonl_rows(p))


# ---------------------------------------------------------------- paircoder
def test_paircoder_reads_ten_runs_per_task_and_reports_ids_outside(tmp_path):
    p = write_jsonl(tmp_path / "results-mbpp_gpt-4o" / "mbpp.jsonl", [
        {"name": "Mbpp/2", "completions": [f"def similar(a, b):\n    return {k}\n" for k in range(10)]},
        {"name": "Mbpp/999", "completions": ["x"] * 10},
    ])
    got, lost = paircoder.read_file(p, HE, set(MBPP))
    assert [(s.task_id, s.sample_index) for s in got] == [("Mbpp/2", k) for k in range(10)]
    assert {(s.model, s.benchmark, s.sampling, s.run) for s in got} == {("GPT-4o (PairCoder)", "mbpp+", "pipeline", "")}
    assert all(math.isnan(s.temperature) for s in got)
    assert [(u.task, u.where.endswith("line 2")) for u in lost] == [("Mbpp/999", True)]


def test_paircoder_errors(tmp_path):
    with pytest.raises(ValueError, match="results-<humaneval|mbpp>_<model>"):
        paircoder.parse_path(tmp_path / "results-mbpp_llama" / "mbpp.jsonl")
    p = write_jsonl(tmp_path / "results-humaneval_gpt-4o" / "humaneval.jsonl",
                    [{"name": "HumanEval/0", "completions": ["a"] * 9}])
    with pytest.raises(ValueError, match=r"humaneval\.jsonl: line 1: 9 completions, expected 10"):
        paircoder.read_file(p, HE, set(MBPP))
    p = write_jsonl(tmp_path / "results-humaneval_gpt-4o" / "humaneval.jsonl",
                    [{"name": "HumanEval/0", "completions": ["a"] * 10}, {"name": "HumanEval/0", "completions": ["a"] * 10}])
    with pytest.raises(ValueError, match=r"line 2: task HumanEval/0 already at line 1"):
        paircoder.read_file(p, HE, set(MBPP))
    p = write_jsonl(tmp_path / "results-humaneval_gpt-4o" / "humaneval.jsonl", [{"name": "HumanEval/7", "completions": ["a"] * 10}])
    with pytest.raises(ValueError, match=r"line 1: unknown HumanEval task id 'HumanEval/7'"):
        paircoder.read_file(p, HE, set(MBPP))


# ---------------------------------------------------------------- agentcoder
def test_agentcoder_appends_completions_to_the_prompt(tmp_path):
    p = tmp_path / "a.json"
    p.write_text(json.dumps([{"task_id": "HumanEval/1", "prompt": "def second(x):\n",
                              "completion_list": ["    return 1\n", "", "def second(x):\n    return 2\n", "x", "y"]}]))
    got = agentcoder.read(p, HE)
    assert [s.raw for s in got][:2] == ["def second(x):\n    return 1\n", "def second(x):\n"]
    assert {(s.sampling, s.temperature, s.benchmark) for s in got} == {("pipeline", 1.0, "humaneval+")}
    p.write_text('[{"task_id": "HumanEval/1",\n "prompt": }]')
    with pytest.raises(ValueError, match=r"a\.json: line 2: not valid JSON"):
        agentcoder.read(p, HE)


def test_leaked_agentcoder_tasks_are_listed_and_left_out_of_metrics(tmp_path):
    assert set(samples.EXCLUDED) == {("agentcoder-gpt35", "HumanEval/0"), ("agentcoder-gpt35", "HumanEval/1")}
    rows = [{"benchmark": "humaneval+", "model": "m", "prompt_style": "base", "temperature": 1.0,
             "source_id": sid, "task_id": tid, "sample_index": 0, "solution_sha256": "0" * 64,
             "base_status": "pass", "plus_status": "pass", "first_failed_base": None, "first_failed_plus": None,
             "sampling": "pipeline", "run": ""}
            for sid in ("agentcoder-gpt35", "other") for tid in ("HumanEval/0", "HumanEval/1", "HumanEval/2")]
    path = outcomes_mod.write_outcomes(rows, tmp_path / "o.csv.gz", outcomes_mod.NEW_SETS_COLUMNS)
    df = metrics.load_outcomes(path)
    assert sorted(zip(df["source_id"], df["task_id"])) == [
        ("agentcoder-gpt35", "HumanEval/2"), ("other", "HumanEval/0"), ("other", "HumanEval/1"), ("other", "HumanEval/2")]
    assert samples.excluded(pd.DataFrame(rows)).sum() == 2


# ---------------------------------------------------------------- wizardcoder
def test_wizardcoder_zip_gives_two_runs(tmp_path):
    p = tmp_path / "w.zip"
    with zipfile.ZipFile(p, "w") as zf:
        for bench, ids in (("humaneval", ["HumanEval/1", "HumanEval/0"]), ("MBPP", ["Mbpp/3", "Mbpp/2", "Mbpp/5"])):
            for suffix in ("", "_vllm"):
                zf.writestr(f"T0.0_N1_{bench}_wizardcoder33b_v1.1{suffix}.jsonl",
                            "".join(json.dumps({"task_id": t, "completion": f"# {t}{suffix}", "all_code": ""}) + "\n"
                                    for t in ids))
    got, lost = wizardcoder.read(p, HE, set(MBPP))
    table = to_table(got)
    assert list(zip(table["benchmark"], table["run"], table["task_id"])) == [
        ("humaneval+", "transformers", "HumanEval/0"), ("humaneval+", "transformers", "HumanEval/1"),
        ("humaneval+", "vllm", "HumanEval/0"), ("humaneval+", "vllm", "HumanEval/1"),
        ("mbpp+", "transformers", "Mbpp/2"), ("mbpp+", "transformers", "Mbpp/3"),
        ("mbpp+", "vllm", "Mbpp/2"), ("mbpp+", "vllm", "Mbpp/3")]
    assert set(table["sampling"]) == {"greedy"} and set(table["temperature"]) == {0.0}
    assert sorted((u.run, u.task) for u in lost) == [("transformers", "Mbpp/5"), ("vllm", "Mbpp/5")]
    assert all("!T0.0_N1_MBPP" in u.where and u.where.endswith("line 3") for u in lost)


def test_wizardcoder_rejects_unknown_members(tmp_path):
    with pytest.raises(ValueError, match="is not T0.0_N1_"):
        wizardcoder.parse_member("other.jsonl")


# ---------------------------------------------------------------- LDB / MGDebugger seeds
def test_seed_files_map_mbpp_ids_and_record_the_asked_name(tmp_path):
    f = "input_data/mbpp/seed/codellama/seed.jsonl"
    p = write_jsonl(tmp_path / f, [
        {"task_id": "MBPP/3", "prompt": "", "entry_point": "isNotPrime", "solution": "def isNotPrime(n): pass"},
        {"task_id": "MBPP/11", "prompt": "", "entry_point": "remove_Occ", "solution": "x"},
        {"task_id": "MBPP/2", "prompt": "", "entry_point": "similar", "solution": "def similar(a, b): pass"},
    ])
    got, lost = seeds.read_file("llmdebugger-seeds", f, p, HE, EPS)
    assert [(s.task_id, s.asked_entry_point) for s in got] == [("Mbpp/3", "isNotPrime"), ("Mbpp/2", None)]
    assert {(s.model, s.sampling, s.temperature) for s in got} == {("codellama (LDB seed)", "greedy", 0.0)}
    assert [(u.task, u.source_id) for u in lost] == [("MBPP/11", "llmdebugger-seeds")]
    assert lost[0].where.endswith("seed.jsonl: line 2")


def test_reflexion_seed_is_a_pipeline_body_after_the_prompt(tmp_path):
    f = "input_data/humaneval/seed/reflexion/seed.jsonl"
    p = write_jsonl(tmp_path / f, [{"task_id": "HumanEval/0", "prompt": "def first(x):\n", "entry_point": "first",
                                    "solution": "    return x\n"}])
    got, _ = seeds.read_file("llmdebugger-seeds", f, p, HE, EPS)
    assert [(s.raw, s.sampling) for s in got] == [("def first(x):\n    return x\n", "pipeline")]
    got, _ = seeds.read_file("mgdebugger-seeds", f, p, HE, EPS)
    assert math.isnan(got[0].temperature) and got[0].model == "reflexion (MGDebugger seed)"


def test_seed_errors(tmp_path):
    with pytest.raises(ValueError, match="not input_data/<humaneval|mbpp>/seed/<model>/seed.jsonl"):
        seeds.parse_path("input_data/mbpp/codellama.jsonl")
    f = "input_data/humaneval/seed/codellama/seed.jsonl"
    p = write_jsonl(tmp_path / f, [{"task_id": "HumanEval/0", "prompt": "", "entry_point": "first"}])
    with pytest.raises(ValueError, match=r"seed\.jsonl: line 1: missing field 'solution'"):
        seeds.read_file("llmdebugger-seeds", f, p, HE, EPS)


# ---------------------------------------------------------------- EvalPlus ChatGPT, Reflexion MBPP
def test_evalplus_chatgpt_integer_ids_completion_alone(tmp_path):
    p = write_jsonl(tmp_path / "c.jsonl", [{"task_id": 2, "prompt": "assert similar(1, 2)\n", "completion": "def similar(a, b): pass"},
                                           {"task_id": 4, "prompt": "", "completion": ""}])
    got, lost = evalplus_chatgpt.read(p, set(MBPP))
    assert [(s.task_id, s.raw, s.sampling) for s in got] == [("Mbpp/2", "def similar(a, b): pass", "greedy")]
    assert [u.task for u in lost] == ["4"]
    p = write_jsonl(tmp_path / "c.jsonl", [{"task_id": "2", "completion": ""}])
    with pytest.raises(ValueError, match=r"c\.jsonl: line 1: field 'task_id' is str, expected int"):
        evalplus_chatgpt.read(p, set(MBPP))


def test_reflexion_mbpp_runs_names_and_ids(tmp_path):
    rows = [{"name": "mbpp_3_is_not_prime", "entry_point": "is_not_prime", "solution": "def is_not_prime(n): pass"},
            {"name": "mbpp_2_similars", "entry_point": "similars", "solution": "def similars(a, b): pass"},
            {"name": "mbpp_228_all_bits", "entry_point": "all_bits", "solution": ""}]
    p = write_jsonl(tmp_path / "simple_mbpp_py2" / "run.jsonl", rows)
    got, lost = reflexion_mbpp.read_file(p, MBPP)
    assert [(s.task_id, s.run, s.asked_entry_point) for s in got] == [("Mbpp/3", "2", None), ("Mbpp/2", "2", "similars")]
    assert [(u.task, u.run) for u in lost] == [("mbpp_228_all_bits", "2")]
    p = write_jsonl(tmp_path / "simple_mbpp_py" / "run.jsonl", [{**rows[0], "entry_point": "other"}])
    with pytest.raises(ValueError, match=r"run\.jsonl: line 1: name 'mbpp_3_is_not_prime' is not mbpp_<N>_other"):
        reflexion_mbpp.read_file(p, MBPP)
    with pytest.raises(ValueError, match="run directory 'x' is not one of"):
        reflexion_mbpp.run_of(tmp_path / "x" / "run.jsonl")


# ---------------------------------------------------------------- name differences
MBPP_TASK = {"task_id": "Mbpp/3", "entry_point": "is_not_prime", "prompt": '"""\nSay whether n is not prime.\n"""\n'}


def sample(raw, asked):
    return Sample(model="m", prompt_style="base", temperature=0.0, source_id="s", task_id="Mbpp/3", sample_index=0,
                  raw=raw, benchmark="mbpp+", sampling="greedy", asked_entry_point=asked)


def test_a_name_the_prompt_asked_for_is_aliased_to_the_benchmark_name():
    rep = samples.sanitize_sample(sample("def isNotPrime(n):\n    return n > 1\n\nprint(isNotPrime(4))\n", "isNotPrime"),
                                  MBPP_TASK)
    assert rep.shape == "program" and rep.added == ("is_not_prime=isNotPrime",)
    ns = {}
    exec(rep.program, ns)
    assert ns["is_not_prime"](4) is True and "print" not in rep.program


def test_a_program_defining_the_benchmark_name_is_left_alone_and_others_fail_honestly():
    rep = samples.sanitize_sample(sample("def is_not_prime(n):\n    return 1\n", "isNotPrime"), MBPP_TASK)
    assert rep.added == () and "=" not in rep.program.replace("==", "")
    rep = samples.sanitize_sample(sample("def other(n):\n    return 1\n", "isNotPrime"), MBPP_TASK)
    assert rep.shape == "unparseable" and "is_not_prime" not in rep.program
    # no asked name (the prompt asked for the benchmark's own name): no alias, even for a renamed function
    rep = samples.sanitize_sample(sample("def isNotPrime(n):\n    return 1\n", None), MBPP_TASK)
    assert rep.shape == "unparseable" and rep.added == ()


# ---------------------------------------------------------------- records and tables
def test_records_check_sampling_and_benchmark():
    with pytest.raises(ValueError, match="sampling 'random' is not one of"):
        Sample(model="m", prompt_style="b", temperature=0.0, source_id="s", task_id="Mbpp/2", sample_index=0, raw="",
               benchmark="mbpp+", sampling="random")
    with pytest.raises(ValueError, match="benchmark 'mbpp' is not one of"):
        Sample(model="m", prompt_style="b", temperature=0.0, source_id="s", task_id="Mbpp/2", sample_index=0, raw="",
               benchmark="mbpp")


def test_old_tables_get_iid_and_no_run():
    old = pd.DataFrame({"benchmark": ["humaneval+"] * 2, "model": ["b", "a"], "prompt_style": ["base"] * 2,
                        "temperature": [0.8] * 2, "source_id": ["s"] * 2, "task_id": ["HumanEval/0"] * 2,
                        "sample_index": [0, 0], "solution": ["x", "y"]})
    out = sort_table(old)
    assert list(out["model"]) == ["a", "b"] and set(out["sampling"]) == {"iid"} and set(out["run"]) == {""}


def test_new_sets_outcomes_keep_run_and_sampling_and_old_files_read_as_iid(tmp_path):
    base = {"benchmark": "mbpp+", "model": "W", "prompt_style": "base", "temperature": 0.0, "source_id": "w",
            "task_id": "Mbpp/2", "sample_index": 0, "solution_sha256": "a" * 64, "base_status": "pass",
            "plus_status": "fail", "first_failed_base": None, "first_failed_plus": 3, "sampling": "greedy"}
    rows = [{**base, "run": "vllm"}, {**base, "run": "transformers"}]
    new = outcomes_mod.write_outcomes(rows, tmp_path / "new.csv.gz", outcomes_mod.NEW_SETS_COLUMNS)
    df = outcomes_mod.read_outcomes(new)
    assert list(df.columns)[-2:] == ["sampling", "run"] and list(df["run"]) == ["transformers", "vllm"]
    assert len(metrics.load_outcomes(new)) == 2  # the two runs are not duplicates
    old = outcomes_mod.write_outcomes(rows[:1], tmp_path / "old.csv.gz")
    assert "run" not in outcomes_mod.read_outcomes(old).columns
    filled = outcomes_mod.read_outcomes(old, set_fields=True)
    assert list(filled["sampling"]) == ["iid"] and list(filled["run"]) == [""]


@pytest.mark.slow
def test_build_new_sets_judges_each_run_and_keeps_the_set_fields(tmp_path, mirror):
    from flaws.samples import tasks

    task = {t["task_id"]: t for t in tasks()}["HumanEval/0"]
    good = task["prompt"] + task["canonical_solution"]
    rows = [{"benchmark": "humaneval+", "model": "W", "prompt_style": "base", "temperature": 0.0, "source_id": "test",
             "task_id": "HumanEval/0", "sample_index": 0, "solution": sol, "sampling": "greedy", "run": run}
            for run, sol in (("transformers", good), ("vllm", good), ("other", "def has_close_elements(*a):\n    return 1\n"))]
    df = pd.DataFrame(rows)
    out = outcomes_mod.build_new_sets(tmp_path / "new.csv.gz", workers=1, progress=False, samples=df,
                                      journal_dir=tmp_path)
    got = outcomes_mod.read_outcomes(out)
    assert list(got.columns) == outcomes_mod.NEW_SETS_COLUMNS
    assert list(zip(got["run"], got["base_status"], got["sampling"])) == [
        ("other", "fail", "greedy"), ("transformers", "pass", "greedy"), ("vllm", "pass", "greedy")]
    # rebuilt from the journal (same program in two runs: one journal key), the runs stay apart
    again = outcomes_mod.build_new_sets(tmp_path / "again.csv.gz", workers=1, progress=False, samples=df,
                                        journal_dir=tmp_path)
    assert len((tmp_path / f"journal-new-sets-humaneval-v{EXECUTOR_VERSION}.jsonl").read_text().splitlines()) == 3
    assert again.read_bytes() == out.read_bytes()
