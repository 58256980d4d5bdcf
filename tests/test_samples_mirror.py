"""The real mirrored sample sets: counts, task matching, determinism (needs the data mirror)."""

import hashlib
import math
import os
from collections import Counter

import pytest

from flaws import samples
from flaws.samples import codet, crosscheck

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _needs_mirror(mirror):
    """Skip these tests when $FLAWS_MIRROR is not set (see tests/conftest.py)."""


@pytest.fixture(scope="module")
def tasks():
    return samples.tasks()


def per_set_counts(items):
    per = Counter((s.model, s.prompt_style, s.task_id) for s in items)
    out = {}
    for (model, style, _), n in per.items():
        out.setdefault((model, style), Counter())[n] += 1
    return out


def test_codet_matches_all_164_tasks_exactly_once(tasks):
    from flaws import data

    (name,) = [f for f in data.files("codet-codegen16b") if f.endswith(".jsonl")]
    import json

    rows = [json.loads(line) for line in data.path("codet-codegen16b", name).read_text().splitlines() if line.strip()]
    matched = codet.match_tasks([r["prompt"] for r in rows], tasks)
    assert len(rows) == 164
    all_ids = sorted((t["task_id"] for t in tasks), key=samples.task_number)
    assert sorted(matched, key=samples.task_number) == all_ids
    assert Counter(matched).most_common(1)[0][1] == 1
    # the rows are not in task order, and tasks sharing an entry point are told apart
    assert matched != sorted(matched, key=samples.task_number)
    by_id = {t["task_id"]: t for t in tasks}
    for prompt, tid in zip((r["prompt"] for r in rows), matched):
        assert codet._entry_point(prompt) == by_id[tid]["entry_point"]
    shared = Counter(t["entry_point"] for t in tasks)
    assert {e for e, n in shared.items() if n > 1} >= {"correct_bracketing", "sum_squares"}


def test_codet_counts():
    s = samples.read_source("codet-codegen16b")
    assert per_set_counts(s) == {("CodeGen-16B-mono", "base"): Counter({100: 164})}
    assert {x.temperature for x in s} == {0.8}


def test_davinci_counts():
    s = samples.read_source("multipl-e-davinci-keep")
    assert per_set_counts(s) == {("code-davinci-002", "base"): Counter({200: 161})}
    assert {"HumanEval/32", "HumanEval/38", "HumanEval/50"}.isdisjoint({x.task_id for x in s})


def test_mvce_counts():
    s = samples.read_source("mvce-ollama")
    counts = per_set_counts(s)
    assert len(counts) == 12
    assert set(counts) == {(m, p) for m in mvce_models() for p in ("base", "instruction", "rule")}
    assert all(c == Counter({20: 164}) for c in counts.values())
    assert all(math.isnan(x.temperature) for x in s)


def mvce_models():
    return ["Llama 3 8B", "Llama 3.1 8B", "Mistral Nemo 12B", "Qwen2.5-Coder 7B"]


def test_results_md_counts_and_short_tasks():
    s = samples.read_source("humaneval-results-md")
    counts = per_set_counts(s)
    assert set(counts) == {("GPT-4", "base"), ("GPT-3.5-turbo", "base"), ("CodeLlama-34B-Instruct", "base")}
    for c in counts.values():
        assert sum(c.values()) == 164
    df = samples.to_table(s)
    short = crosscheck.short_tasks(df, 10)
    # the files hold 10 runs for every task; if that ever changes the report lists them
    assert short.empty == all(c == Counter({10: 164}) for c in counts.values())
    assert {x.temperature for x in s} == {0.2}


def sha_list(df):
    return [hashlib.sha256(s.encode()).hexdigest() for s in df["solution"]]


def test_two_loads_are_identical():
    a = samples.load("humaneval-results-md", use_cache=False, progress=False)
    b = samples.load("humaneval-results-md", use_cache=False, progress=False)
    assert a.equals(b)
    assert sha_list(a) == sha_list(b)
    assert list(a.columns) == list(samples.COLUMNS)


def test_load_all_from_cache_matches_rebuild_order():
    a = samples.load_all(progress=False)
    b = samples.load_all(progress=False)
    assert a.equals(b)
    assert list(a.columns) == list(samples.COLUMNS)
    assert len(a) == 164 * 100 + 161 * 200 + 12 * 164 * 20 + 3 * 164 * 10
    assert (a["benchmark"] == "humaneval+").all()
    keys = list(zip(a["model"], a["prompt_style"], a["task_id"].map(samples.task_number), a["sample_index"]))
    assert keys == sorted(keys)
    assert a.duplicated(["model", "prompt_style", "task_id", "sample_index"]).sum() == 0
    assert (a["solution"].str.len() > 0).all()


def test_cache_equals_rebuild_byte_for_byte():
    from flaws.samples import cache

    cached = samples.load("humaneval-results-md", raw=True, progress=False)
    rebuilt = samples.load("humaneval-results-md", raw=True, use_cache=False, progress=False)
    assert cached.equals(rebuilt)
    assert cache.table_to_jsonl_gz(cached) == cache.table_to_jsonl_gz(rebuilt)


def test_cached_solutions_are_the_sanitized_raw_texts(tasks):
    table = samples.load_all(raw=True, progress=False)
    by_id = {t["task_id"]: t for t in tasks}
    picked = table.sample(n=300, random_state=0)
    for raw, tid, solution in zip(picked["raw"], picked["task_id"], picked["solution"]):
        assert samples.sanitize(raw, by_id[tid]) == solution
    # nothing is dropped: every raw text has a non-empty program, unparseable ones are kept verbatim
    unparseable = table[table["shape"] == "unparseable"]
    assert (unparseable["solution"] == unparseable["raw"]).all()
