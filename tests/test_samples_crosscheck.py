"""The cross-check against evalplus.sanitize and the per-set summary, on tiny inputs."""

import math
import textwrap

import pandas as pd

from flaws.samples import crosscheck
from flaws.samples.record import Sample, to_table
from flaws.samples.sanitize import sanitize

TASK = {"task_id": "HumanEval/0", "entry_point": "add_all",
        "prompt": 'from typing import List\n\n\ndef add_all(xs: List[int]) -> int:\n    """ Sum. """\n'}


def test_identical_and_layout():
    prog = "def add_all(xs):\n    return sum(xs)\n"
    assert crosscheck.classify_difference(prog, prog.strip(), prog, TASK) == "identical"
    assert crosscheck.classify_difference(prog, prog.replace(":\n", ":  # comment\n\n"), prog, TASK) \
        == "same statements, other layout"


def test_body_without_entry_point_in_evalplus():
    raw = "    return sum(xs)"
    ours = sanitize(raw, TASK)
    assert crosscheck.classify_difference(ours, "return sum(xs)", raw, TASK) \
        == "evalplus: no entry point (ours completed a body)"


def test_added_prompt_names_and_dropped_statements():
    raw = "def add_all(xs: List[int]) -> int:\n    return sum(xs)\n"
    ours = sanitize(raw, TASK)
    assert crosscheck.classify_difference(ours, raw, raw, TASK) == "ours adds names from the prompt"
    raw2 = "X = 1\ndef add_all(xs):\n    return sum(xs)\n"
    ours2 = sanitize(raw2, TASK)
    assert crosscheck.classify_difference(ours2, raw2, raw2, TASK) == "evalplus keeps statements ours drops"
    raw3 = "def helper():\n    return 1\n\ndef add_all(xs):\n    return sum(xs)\n"
    theirs3 = "def add_all(xs):\n    return sum(xs)"
    assert crosscheck.classify_difference(sanitize(raw3, TASK), theirs3, raw3, TASK) \
        == "ours keeps definitions evalplus drops"


def test_repeated_definitions_and_cut_function():
    raw = "def add_all(xs):\n    return 1\n\ndef add_all(xs):\n    return sum(xs)\n"
    assert crosscheck.classify_difference(sanitize(raw, TASK), "def add_all(xs):\n    return 1", raw, TASK) \
        == "repeated definitions: evalplus keeps the first, Python the last"
    raw2 = "```python\ndef add_all(xs):\n    s = 0\n    return sum(xs)```"
    assert crosscheck.classify_difference(sanitize(raw2, TASK), "def add_all(xs):\n    s = 0", raw2, TASK) \
        == "evalplus cuts the entry point short"


def test_unparseable_and_other_block():
    raw = "def add_all(xs):\nreturn sum(xs"
    assert crosscheck.classify_difference(sanitize(raw, TASK), "", raw, TASK) == "ours: unparseable, kept as is"
    raw2 = "```python\ndef add_all(xs):\n    return 1\n```\n"
    assert crosscheck.classify_difference(sanitize(raw2, TASK), "def add_all(xs):\n    return 2", raw2, TASK) \
        == "other code block or span chosen"


def test_compare_and_summary_with_real_evalplus(monkeypatch):
    import flaws.samples as fs

    monkeypatch.setattr(fs, "tasks", lambda: [TASK])
    raws = ["    return sum(xs)", "def add_all(xs):\n    return sum(xs)\n",
            "def add_all(xs):\n    return sum(xs)\nprint(1)\n"]
    samples = [Sample("M", "base", 0.2, "src", "HumanEval/0", i, r) for i, r in enumerate(raws)]
    samples += [Sample("N", "rule", math.nan, "src", "HumanEval/0", 0, raws[1])]
    df = to_table(samples, [sanitize(s.raw, TASK) for s in samples])
    ref = crosscheck.evalplus_reference(df, progress=False)
    assert ref.iloc[1].strip() == "def add_all(xs):\n    return sum(xs)"
    comp = crosscheck.compare(df, ref, progress=False)
    assert list(comp["differs"]) == [True, False, False, False]
    assert list(comp["changed"]) == [True, False, True, False]
    table = crosscheck.summary_table(df, comp)
    assert list(table["model"]) == ["M", "N"]
    m = table.iloc[0]
    assert (m["tasks"], m["samples/task (min)"], m["samples/task (max)"], m["total"]) == (1, 3, 3, 3)
    assert m["changed by sanitizing"] == 2 / 3 and m["differs from evalplus (text)"] == 1 / 3
    assert m["differs from evalplus (code)"] == 1 / 3
    assert math.isnan(table.iloc[1]["temperature"])
    rep = crosscheck.difference_report(comp)
    assert rep.loc[("M", "base"), "differing"] == 1 and rep.loc[("M", "base"), "compared"] == 3
    assert rep.loc[("M", "base"), "identical"] == 2


def test_very_long_texts_are_not_given_to_evalplus(monkeypatch):
    import flaws.samples as fs

    monkeypatch.setattr(fs, "tasks", lambda: [TASK])
    raw = "def add_all(xs):\n    return sum(xs)\n" + "# pad\n" * crosscheck.EVALPLUS_MAX_LINES
    df = to_table([Sample("M", "base", 0.2, "src", "HumanEval/0", 0, raw)], [sanitize(raw, TASK)])
    ref = crosscheck.evalplus_reference(df, progress=False)
    comp = crosscheck.compare(df, ref, progress=False)
    assert list(comp["category"]) == ["not compared (text too long for evalplus)"]
    assert not comp["compared"].any() and not comp["differs"].any()
    assert math.isnan(crosscheck.summary_table(df, comp).iloc[0]["differs from evalplus (text)"])


def test_sanitizer_outcomes_and_statement_counts():
    from flaws.samples.sanitize import sanitize_report

    raws = ["    return sum(xs)", "```python\ndef add_all(xs: List[int]):\n    return sum(xs)\n```\nprint(1)",
            "def add_all(xs):\n    return sum(xs)\nprint(add_all([1]))\nassert add_all([]) == 0\n", "def add_all(xs:\n"]
    samples = [Sample("M", "base", 0.2, "src", "HumanEval/0", i, r) for i, r in enumerate(raws)]
    df = to_table(samples, reports=[sanitize_report(r, TASK) for r in raws])
    out = crosscheck.sanitizer_outcomes(df)
    row = out.loc[("M", "base")]
    assert row["samples"] == 4
    assert (row["program"], row["body"], row["unparseable"]) == (0.5, 0.25, 0.25)
    assert row["fenced"] == 0.25 and row["dropped code"] == 0.25 and row["added from prompt"] == 0.25
    dropped = crosscheck.statement_counts(df, "dropped")
    assert dropped.loc["print", "src"] == 1 and dropped.loc["assert", "src"] == 1
    assert crosscheck.statement_counts(df, "added").loc["List", "src"] == 1
    import pytest

    with pytest.raises(ValueError, match="raw=True"):
        crosscheck.sanitizer_outcomes(df[["model", "prompt_style", "solution"]])


def _summary(rows):
    return pd.DataFrame(rows, columns=["source", "model", "prompt style", "tasks", "samples/task (min)",
                                       "samples/task (max)", "changed by sanitizing"])


def test_size_check_compares_each_set_with_the_size_its_source_states():
    summary = _summary([("mvce-ollama", "Llama 3 8B", "rule", 164, 20, 20, 0.5),
                        ("mvce-ollama", "Llama 3 8B", "base", 164, 19, 20, 0.4),
                        ("codet-codegen16b", "CodeGen-16B-mono", "base", 164, 100, 100, 0.01),
                        ("unknown", "X", "base", 1, 1, 1, 0.0)])
    lines = crosscheck.size_check(summary)
    assert lines[0] == "Llama 3 8B               rule          164 tasks x  20- 20 samples: as expected"
    assert [line.rsplit(": ", 1)[1] for line in lines] == ["as expected", "UNEXPECTED", "as expected", "UNEXPECTED"]
    shares = crosscheck.changed_shares(summary, chat_sources=("mvce-ollama",))
    assert shares == {"chat_min": 0.4, "chat_max": 0.5, "completion_max": 0.01}


def test_describe_counts_samples_sets_and_sources():
    df = pd.DataFrame({"model": ["a", "a", "b"], "prompt_style": ["base", "rule", "base"],
                       "source_id": ["s", "s", "t"]})
    assert crosscheck.describe(df) == "3 samples in 3 sample sets from 2 sources"
