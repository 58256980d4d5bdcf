"""The sample sets added with MBPP+, read from the real mirrored files: exact counts per set, the
MBPP task mapping, name differences, duplicates across LDB and MGDebugger, and the export."""

import json
from collections import Counter

import pytest

from flaws import samples

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _needs_mirror(mirror):
    """Skip these tests when $FLAWS_MIRROR is not set (see tests/conftest.py)."""


def per_set(items):
    """(model, benchmark, sampling, run) -> Counter(samples per task -> tasks)."""
    per = Counter((s.model, s.benchmark, s.sampling, s.run, s.task_id) for s in items)
    out = {}
    for (model, bench, sampling, run, _), n in per.items():
        out.setdefault((model, bench, sampling, run), Counter())[n] += 1
    return out


def test_paircoder_counts():
    s = samples.read_source("paircoder-outputs")
    assert per_set(s) == {(f"{m} (PairCoder)", b, "pipeline", ""): Counter({10: n})
                          for m in ("DeepSeek-Coder", "GPT-3.5-turbo", "GPT-4o")
                          for b, n in (("humaneval+", 164), ("mbpp+", 399))}
    assert samples.unmapped("paircoder-outputs") == []
    # the MBPP+ files hold exactly the 399 tasks of the benchmark
    mbpp = {x.task_id for x in s if x.benchmark == "mbpp+"}
    assert mbpp == {t["task_id"] for t in samples.tasks("mbpp+")}


def test_agentcoder_counts_and_leak_flag():
    s = samples.read_source("agentcoder-gpt35")
    assert per_set(s) == {("GPT-3.5-turbo-1106 (AgentCoder)", "humaneval+", "pipeline", ""): Counter({5: 164})}
    assert {x.temperature for x in s} == {1.0}
    df = samples.load("agentcoder-gpt35", progress=False)
    assert samples.excluded(df).sum() == 10
    assert set(df.loc[samples.excluded(df), "task_id"]) == {"HumanEval/0", "HumanEval/1"}


def test_wizardcoder_counts_two_runs():
    s = samples.read_source("wizardcoder-greedy")
    assert per_set(s) == {("WizardCoder-33B-V1.1", b, "greedy", run): Counter({1: n})
                          for b, n in (("humaneval+", 164), ("mbpp+", 399)) for run in ("transformers", "vllm")}
    assert samples.unmapped("wizardcoder-greedy") == []
    # the two decodes differ on some tasks (61 MBPP+ and 26 HumanEval per the mirror's note)
    by = {(x.benchmark, x.run, x.task_id): x.raw for x in s}
    differ = Counter(b for (b, run, t), raw in by.items() if run == "vllm" and by[(b, "transformers", t)] != raw)
    assert differ == {"mbpp+": 61, "humaneval+": 26}


def test_ldb_counts_and_mbpp_ids_outside_mbppplus():
    s = samples.read_source("llmdebugger-seeds")
    expected = {(f"{m} (LDB seed)", "humaneval+", "greedy", ""): Counter({1: 164})
                for m in ("codellama", "gpt-3.5-turbo-0613", "gpt-4-1106-preview", "starcoder")}
    expected[("reflexion (LDB seed)", "humaneval+", "pipeline", "")] = Counter({1: 164})
    expected.update({(f"{m} (LDB seed)", "mbpp+", "greedy", ""): Counter({1: 239})
                     for m in ("codellama", "gpt-3.5-turbo-0613", "starcoder")})
    assert per_set(s) == expected
    lost = samples.unmapped("llmdebugger-seeds")
    assert Counter(u.model for u in lost) == {f"{m} (LDB seed)": 261 for m in ("codellama", "gpt-3.5-turbo-0613", "starcoder")}
    numbers = {int(u.task.split("/")[1]) for u in lost}
    assert len(numbers) == 261 and min(numbers) >= 11 and max(numbers) <= 510
    assert all(u.task.startswith("MBPP/") and ": line " in u.where for u in lost)


def test_mgdebugger_counts_once_the_files_ldb_already_has():
    dup = samples.duplicate_files("mgdebugger-seeds")
    assert dup == {f: ("llmdebugger-seeds", f) for f in (
        "input_data/humaneval/seed/codellama/seed.jsonl", "input_data/humaneval/seed/starcoder/seed.jsonl",
        "input_data/mbpp/seed/starcoder/seed.jsonl")}
    assert samples.duplicate_files("llmdebugger-seeds") == {}
    s = samples.read_source("mgdebugger-seeds")
    models = ("codeqwen", "codestral", "deepseekcoder", "starcoder2")
    assert per_set(s) == {(f"{m} (MGDebugger seed)", b, "greedy", ""): Counter({1: n})
                          for m in models for b, n in (("humaneval+", 164), ("mbpp+", 239))}
    assert Counter(u.model for u in samples.unmapped("mgdebugger-seeds")) == {f"{m} (MGDebugger seed)": 261 for m in models}


def test_evalplus_chatgpt_counts():
    s = samples.read_source("evalplus-chatgpt-mbpp")
    assert per_set(s) == {("GPT-3.5-turbo (EvalPlus, Nov 2023)", "mbpp+", "greedy", ""): Counter({1: 399})}
    assert samples.unmapped("evalplus-chatgpt-mbpp") == []
    # the prompt asked for MBPP+'s names; renamed functions are kept and will fail (no alias)
    df = samples.load("evalplus-chatgpt-mbpp", raw=True, progress=False)
    assert (df["shape"] == "unparseable").sum() == 10 and not df["added"].str.contains("=").any()


def test_reflexion_mbpp_counts_two_runs_and_ids_outside():
    s = samples.read_source("reflexion-gpt4-mbpp")
    assert per_set(s) == {("GPT-4 (Reflexion simple)", "mbpp+", "greedy", run): Counter({1: 374}) for run in ("1", "2")}
    lost = samples.unmapped("reflexion-gpt4-mbpp")
    outside = [228, 291, 304, 393, 399, 401, 408, 411, 417, 434, 443, 444, 452, 464, 584, 617, 625, 627, 738,
               747, 756, 776, 802]
    for run in ("1", "2"):
        assert sorted(int(u.task.split("_")[1]) for u in lost if u.run == run) == outside


def test_name_difference_table():
    names = samples.name_mismatches()
    pairs = names[["source_id", "task_id"]].drop_duplicates()
    assert sorted(set(pairs["task_id"])) == sorted(f"Mbpp/{n}" for n in (18, 56, 70, 160, 164, 166, 167))
    assert set(names.loc[names["source_id"] == "reflexion-gpt4-mbpp", "task_id"]) == {"Mbpp/56"}
    assert Counter(names["source_id"]) == {"llmdebugger-seeds": 21, "mgdebugger-seeds": 28, "reflexion-gpt4-mbpp": 2}
    assert len(names[["task_id", "asked", "entry_point"]].drop_duplicates()) == 8
    assert Counter(names["resolution"]) == {"alias": 38, "defines entry point": 10, "neither defined": 3}
    # every aliased program binds MBPP+'s name to the asked one, as its last line
    df = samples.load_all(("llmdebugger-seeds", "mgdebugger-seeds", "reflexion-gpt4-mbpp"), raw=True, progress=False)
    aliased = df[df["added"].str.contains("=", regex=False)]
    assert len(aliased) == 38
    for program, added in zip(aliased["solution"], aliased["added"]):
        entry, asked = added.split(";")[-1].split("=")
        assert program.rstrip("\n").split("\n")[-1] == f"{entry} = {asked}"


def test_every_set_table_and_export_all(tmp_path):
    from flaws.samples.cli import main

    table = samples.set_table(samples.load_all(samples.MIRRORED_SOURCES, progress=False))
    assert len(table) == 47 and int(table["total"].sum()) == 116012
    new = table[table["source_id"].isin(samples.NEW_SOURCES)]
    assert len(new) == 30 and int(new["total"].sum()) == 23132
    assert Counter(new["sampling"]) == {"greedy": 22, "pipeline": 8}
    out = tmp_path / "all.jsonl.gz"
    assert main(["export", "--all", "--out", str(out)]) == 0
    import gzip

    rows = [json.loads(line) for line in gzip.open(out, "rt")]
    assert len(rows) == 116012
    assert {r["source_id"] for r in rows} == set(samples.MIRRORED_SOURCES)
    sets = Counter((r["source_id"], r["model"], r["prompt_style"], r["benchmark"], r["sampling"], r["run"]) for r in rows)
    assert len(sets) == 47
    assert list(rows[0])[:2] == ["task_id", "solution"]


def test_default_load_all_is_still_the_executed_sets():
    df = samples.load_all(progress=False)
    assert set(df["source_id"]) == set(samples.DEFAULT_SOURCES) and len(df) == 92880
    assert set(df["sampling"]) == {"iid"} and set(df["run"]) == {""}
