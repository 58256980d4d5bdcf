"""flaws.audit on tiny hand-made outcome tables; one sandboxed run on a real task (slow)."""

import pandas as pd
import pytest

from flaws import audit
from flaws.execute import codec


def _rows(task, model, statuses, first=None, shas=None, style="base"):
    """One outcome row per (base, plus) status pair of ``statuses``."""
    out = []
    for k, (b, p) in enumerate(statuses):
        out.append({"benchmark": "humaneval+", "model": model, "prompt_style": style,
                    "source_id": "s", "task_id": task, "sample_index": k,
                    "solution_sha256": (shas or ["x"] * len(statuses))[k],
                    "base_status": b, "plus_status": p,
                    "first_failed_plus": "" if p == "pass" else str((first or [0] * len(statuses))[k])})
    return out


FP, OK, NO = ("pass", "fail"), ("pass", "pass"), ("fail", "fail")


@pytest.fixture
def table():
    rows = (_rows("HumanEval/1", "A", [FP, FP, FP, OK], first=[5, 5, 2, 0], shas=["a", "b", "b", "c"])
            + _rows("HumanEval/1", "B", [FP, NO], first=[2, 0])
            + _rows("HumanEval/2", "A", [FP, OK])
            + _rows("HumanEval/10", "A", [FP, NO])
            + _rows("HumanEval/3", "B", [OK, NO]))
    return pd.DataFrame(rows)


def test_concentration_counts_tasks_for_half(table):
    c = audit.concentration(table)
    assert c["n_false_positives"] == 6
    assert c["n_tasks"] == 4 and c["n_tasks_with"] == 3
    assert c["tasks_for_half"] == 1  # HumanEval/1 holds 4 of 6
    assert c["top_task"] == "HumanEval/1" and c["top_share"] == pytest.approx(4 / 6)


def test_concentration_needs_more_tasks_when_spread():
    rows = sum((_rows(f"HumanEval/{i}", "A", [FP]) for i in range(4)), [])
    assert audit.concentration(pd.DataFrame(rows))["tasks_for_half"] == 2


def test_top_tasks_modal_input_and_typical_program(table):
    top = audit.top_tasks(table, k=2)
    assert list(top["task_id"]) == ["HumanEval/1", "HumanEval/2"]  # tie 1 vs 1: natural order
    t = top.iloc[0]
    assert t["false_positives"] == 4 and t["configurations"] == 2
    # inputs 5 (twice) and 2 (twice): the smaller index wins the tie
    assert t["first_failing_input"] == 2 and t["share_failing_there"] == pytest.approx(0.5)
    # failing first at 2: model A sample 2 (sha b) and model B sample 0 (sha x): tie, first in order
    assert (t["model"], t["sample_index"], t["solution_sha256"]) == ("A", 2, "b")


def test_top_tasks_prefers_the_most_frequent_program():
    rows = _rows("HumanEval/1", "A", [FP, FP, FP], first=[1, 1, 1], shas=["a", "b", "b"])
    t = audit.top_tasks(pd.DataFrame(rows)).iloc[0]
    assert (t["solution_sha256"], t["sample_index"]) == ("b", 1)


def test_never_passing_lists_tasks_without_a_plus_pass(table):
    never = audit.never_passing(table)
    assert list(never["task_id"]) == ["HumanEval/10"]
    assert never.iloc[0]["base_passes"] == 1 and never.iloc[0]["configurations"] == 1
    assert audit.never_passing(table, min_base=2).empty


def test_short_repr_cuts_long_values():
    assert audit.short_repr("ab") == "'ab'"
    s = audit.short_repr(list(range(100)), width=20)
    assert len(s) == 20 and s.endswith("…")


def _run(status="pass", reason=None, out=None):
    return {"status": status, "reason": reason, "limit": 1.0,
            "outputs": [] if out is None else [codec.dumps(out)]}


@pytest.mark.parametrize("run, expected, says", [
    (_run("timeout"), 1, "time-out"),
    (_run("fail", "exception"), 1, "raises an exception"),
    (_run("fail", "unencodable"), 1, "not plain data"),
    (_run("error"), 1, "does not load"),
    (_run(out="1"), 1, "wrong type: str instead of int"),
    (_run(out=2), 1, "wrong value: 2 instead of 1"),
    (_run(out=1.0), 1, "passes this input"),  # 1.0 == 1
    (_run(out=[1, 2]), [1, 3], "wrong value: [1, 2] instead of [1, 3]"),
])
def test_classify(run, expected, says):
    assert says in audit.classify(run, codec.dumps(expected), "f", 0, [0])


def test_classify_uses_the_float_tolerance():
    assert "passes" in audit.classify(_run(out=0.1 + 0.2), codec.dumps(0.3), "f", 0, [0])
    assert "wrong value" in audit.classify(_run(out=0.31), codec.dumps(0.3), "f", 0, [0])


def test_one_input_spec_keeps_only_the_picked_input():
    spec = {"options": {}, "tasks": [
        {"task_id": "t1", "plus_input": codec.dumps([[1], [2], [3]]), "n_plus": 3, "plus_time": [0.1, 0.2, 0.3]},
        {"task_id": "t2", "plus_input": codec.dumps([[9]]), "n_plus": 1, "plus_time": [0.0]}]}
    small = audit._one_input_spec(spec, {"t1": 1})
    assert [t["task_id"] for t in small["tasks"]] == ["t1"]
    t = small["tasks"][0]
    assert codec.loads(t["plus_input"]) == [[2]] and t["n_plus"] == 1 and t["plus_time"] == [0.2]
    assert codec.loads(spec["tasks"][0]["plus_input"]) == [[1], [2], [3]]  # the original is untouched


@pytest.mark.slow
@pytest.mark.usefixtures("mirror")
def test_rejection_reasons_runs_in_the_sandbox():
    head = "from typing import List\n\ndef has_close_elements(numbers: List[float], threshold: float) -> bool:\n"
    top = pd.DataFrame({"task_id": ["HumanEval/0"], "first_failing_input": [0]})
    got = {}
    for body, label in (("    return 'x'\n", "wrong type"), ("    return 1 / 0\n", "raises an exception"),
                        ("    while True:\n        pass\n", "time-out")):
        got[label] = audit.rejection_reasons(top, {"HumanEval/0": head + body}).iloc[0]["reason"]
    assert all(got[label].startswith(label) for label in got), got
    ref = audit.reference_check("HumanEval/0", which="base")
    assert ref["n_identical"] == ref["n_inputs"] > 0 and ref["mismatches"] == []
    wrong = audit.reference_check("HumanEval/0", which="base", solution=head + "    return True\n")
    assert 0 < len(wrong["mismatches"]) < wrong["n_inputs"]
    table = audit.mismatch_table("HumanEval/0", wrong, which="base", k=2)
    assert len(table) == 2 and set(table["this program"]) == {"True"} and set(table["expected"]) == {"False"}


def test_audit_table_is_reader_facing():
    top = pd.DataFrame({"task_id": ["T/1", "T/2"], "share": [0.25, 0.125], "configurations": [3, 1],
                        "first_failing_input": [4, None], "share_failing_there": [0.5, 1.0]})
    reasons = pd.DataFrame({"task_id": ["T/1"], "input": ["'abc'"], "reason": ["raises an exception"]})
    t = audit.audit_table(top, reasons)
    assert list(t["share of false positives"]) == ["25.0%", "12.5%"]
    assert t.loc[1, "first failing plus input"] == "#4: 'abc'" and t.loc[2, "first failing plus input"] == "none"
    assert list(t.index) == [1, 2]


def test_docstring_reading_of_91_is_a_program():
    import ast

    tree = ast.parse(audit.DOCSTRING_READINGS["HumanEval/91"])  # parsed, never run here
    assert any(isinstance(n, ast.FunctionDef) and n.name == "is_bored" for n in tree.body)
