"""The sample cache: atomic, byte-identical rewrites, and refusal of stale or damaged entries."""

import math

from flaws.samples import cache, export
from flaws.samples.record import Sample, to_table


def table():
    samples = [Sample("M", "base", 0.8, "src", "HumanEval/1", 0, "def f():\n    return 'é'\n"),
               Sample("M", "base", math.nan, "src", "HumanEval/0", 1, "x = 1\n")]
    return to_table(samples, ["def f():\n    return 1\n", "y"])


def test_roundtrip_and_byte_identical(tmp_path):
    df = table()
    p1 = cache.write("demo", df, "hash-1", directory=tmp_path)
    first = p1.read_bytes()
    cache.write("demo", df, "hash-1", directory=tmp_path)
    assert p1.read_bytes() == first
    back = cache.read("demo", "hash-1", directory=tmp_path)
    assert back is not None
    assert back.equals(df)
    assert math.isnan(back["temperature"].iloc[0]) and back["temperature"].iloc[1] == 0.8
    assert not list(tmp_path.glob("*.tmp"))


def test_stale_or_damaged_cache_is_ignored(tmp_path):
    df = table()
    p = cache.write("demo", df, "hash-1", directory=tmp_path)
    assert cache.read("demo", "hash-2", directory=tmp_path) is None
    p.write_bytes(p.read_bytes()[:-5])
    assert cache.read("demo", "hash-1", directory=tmp_path) is None
    assert cache.read("missing", "hash-1", directory=tmp_path) is None


def test_export_writes_evalplus_jsonl(tmp_path):
    import json

    out = export(table(), tmp_path / "out.jsonl")
    recs = [json.loads(line) for line in out.read_text().splitlines()]
    assert [list(r)[:2] for r in recs] == [["task_id", "solution"]] * 2
    assert recs[0]["task_id"] == "HumanEval/0" and recs[0]["temperature"] is None
    slim = export(table(), tmp_path / "slim.jsonl", evalplus_only=True)
    assert [sorted(json.loads(line)) for line in slim.read_text().splitlines()] == [["solution", "task_id"]] * 2
