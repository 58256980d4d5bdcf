"""flaws.stages: the set-up the stage notebooks share, on a hand-made outcomes table."""

import pandas as pd

from flaws import stages


def _outcomes():
    rows = []
    # task 0: one false positive for model a; task 1: plus passes more often than base for model b
    # (a false negative of the verifier: the filter removes it); an MBPP+ task that must be ignored
    for model, task, base, plus in [("a", "HumanEval/0", "pass", "fail"), ("a", "HumanEval/0", "pass", "pass"),
                                    ("a", "HumanEval/1", "pass", "pass"), ("b", "HumanEval/0", "pass", "pass"),
                                    ("b", "HumanEval/1", "fail", "pass"), ("b", "Mbpp/2", "pass", "fail")]:
        rows.append({"benchmark": "mbpp+" if task.startswith("Mbpp") else "humaneval+", "model": model,
                     "prompt_style": "base", "task_id": task, "base_status": base, "plus_status": plus})
    return pd.DataFrame(rows)


def test_humaneval_kept_filters_the_false_negative_task_and_other_benchmarks():
    data = stages.humaneval_kept(_outcomes())
    assert set(data.outcomes.benchmark) == {"humaneval+"} and len(data.outcomes) == 5
    assert list(data.removed.task_id) == ["HumanEval/1"]
    assert set(data.counts.task_id) == {"HumanEval/0", "HumanEval/1"}
    assert set(data.kept.task_id) == {"HumanEval/0"}
    a = stages.config_rows(data.kept, "a")
    assert (a.n.tolist(), a.base_passes.tolist(), a.correct.tolist()) == ([2], [2], [1])
    assert stages.config_label("a", "rule") == "a (rule)" and stages.config_label("a") == "a (base)"


def test_tables_have_no_index_and_fixed_decimals(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    df = pd.DataFrame({"model": ["a", "b"], "share": [0.12345, None]})
    html = stages.html_table(df, digits=2, na_rep="–").data
    assert "0.12" in html and "0.123" not in html and "–" in html and "<th></th>" not in html
    assert "0.12345" in stages.html_table(df).data
    stages.show(pd.DataFrame({"model": ["a"], "conditional accuracy": [0.81234]}))
    (html,) = [obj._repr_html_() if hasattr(obj, "_repr_html_") else obj.data for obj in shown]
    assert "0.812" in html and "0.81234" not in html
