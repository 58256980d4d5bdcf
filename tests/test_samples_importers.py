"""Each importer on tiny files the tests create (no third-party content)."""

import gzip
import json
import math
import textwrap

import pytest

from flaws.samples import codet, evalplus_formats, multipl_e, mvce, results_md
from flaws.samples.record import sort_table, to_table


def task(n, entry, doc, examples="", pre=""):
    prompt = f'{pre}\n\ndef {entry}(x):\n    """ {doc}\n{examples}    """\n'
    return {"task_id": f"HumanEval/{n}", "entry_point": entry, "prompt": prompt}


# two tasks share the entry point ``same``: they must be told apart by their docstrings
TASKS = [
    task(0, "first", "Return x.", "    >>> first(1)\n    1\n"),
    task(1, "same", "Count the open brackets in x.", "    >>> same('(')\n    1\n"),
    task(2, "same", "Square x.", "    >>> same(2)\n    4\n", pre="import math"),
]
BY_ID = {t["task_id"]: t for t in TASKS}


def strip_examples(prompt):
    return "\n".join(ln for ln in prompt.split("\n") if ">>>" not in ln and ln.strip() not in {"1", "4"})


# ---------------------------------------------------------------- codet
def write_codet(path, order, n=2):
    with path.open("w") as fh:
        for i in order:
            fh.write(json.dumps({"prompt": strip_examples(TASKS[i]["prompt"]),
                                 "samples": [f"    return {i} + {k}\n" for k in range(n)]}) + "\n")


def test_codet_matches_rows_to_tasks_out_of_order(tmp_path):
    f = tmp_path / "codet.jsonl"
    write_codet(f, [2, 0, 1])
    samples = codet.read(f, TASKS, 0.8)
    assert len(samples) == 6
    got = {(s.task_id, s.sample_index): s.raw for s in samples}
    # the row built from task 2 must be matched to HumanEval/2 although task 1 has the same name
    assert got[("HumanEval/2", 1)].endswith("    return 2 + 1\n")
    assert got[("HumanEval/1", 0)].endswith("    return 1 + 0\n")
    assert "import math" in got[("HumanEval/2", 0)]
    assert {s.model for s in samples} == {"CodeGen-16B-mono"} and {s.temperature for s in samples} == {0.8}


def test_codet_match_tolerates_moved_lines():
    moved = TASKS[2]["prompt"].replace("import math\n", "").replace('    """ Square', '    import math\n    """ Square')
    assert codet.match_tasks([strip_examples(moved)], [TASKS[2]]) == ["HumanEval/2"]


def test_codet_every_task_must_be_matched_exactly_once(tmp_path):
    f = tmp_path / "codet.jsonl"
    write_codet(f, [0, 1])
    with pytest.raises(ValueError, match=r"matched by no row: \['HumanEval/2'\]"):
        codet.read(f, TASKS, 0.8)
    write_codet(f, [0, 1, 2, 1])
    with pytest.raises(ValueError, match="more than one row"):
        codet.read(f, TASKS, 0.8)


def test_codet_unknown_prompt_and_bad_line_are_reported(tmp_path):
    with pytest.raises(ValueError, match="line 1: prompt of 'nothing' matches no task"):
        codet.match_tasks(['def nothing():\n    """ Completely different text. """\n'], TASKS)
    f = tmp_path / "codet.jsonl"
    f.write_text(json.dumps({"prompt": "x", "samples": []}) + "\n{broken\n")
    with pytest.raises(ValueError, match=r"codet.jsonl: line 2: not valid JSON"):
        codet.read(f, TASKS, 0.8)


# ---------------------------------------------------------------- MultiPL-E
def write_yaml(path, name, prompt, completions):
    import yaml

    path.write_text(yaml.safe_dump({"name": name, "language": "py", "prompt": prompt,
                                    "tests": "def check(candidate):\n    pass\n", "completions": completions}))


def test_multipl_e_reads_prompt_plus_completion(tmp_path):
    write_yaml(tmp_path / "HumanEval_0_first.yaml", "HumanEval_0_first", TASKS[0]["prompt"],
               ["    return x\n", "    pass\n"])
    write_yaml(tmp_path / "HumanEval_2_same.yaml", "HumanEval_2_same", TASKS[2]["prompt"], ["    return x * x\n"])
    samples = multipl_e.read(sorted(tmp_path.glob("*.yaml")), TASKS, 0.8)
    assert [(s.task_id, s.sample_index) for s in samples] == [
        ("HumanEval/0", 0), ("HumanEval/0", 1), ("HumanEval/2", 0)]
    assert samples[2].raw == TASKS[2]["prompt"] + "    return x * x\n"
    assert samples[0].model == "code-davinci-002"


def test_multipl_e_checks_name_and_fields(tmp_path):
    f = tmp_path / "HumanEval_0_wrong.yaml"
    write_yaml(f, "HumanEval_0_wrong", "p", ["c"])
    with pytest.raises(ValueError, match="entry point 'wrong' but HumanEval/0 has 'first'"):
        multipl_e.read([f], TASKS, 0.8)
    f.write_text("name: HumanEval_0_first\nprompt: [unclosed\n")
    with pytest.raises(ValueError, match=r"HumanEval_0_wrong.yaml: line \d+: not valid YAML"):
        multipl_e.read([f], TASKS, 0.8)
    f.write_text("name: HumanEval_0_first\nprompt: p\n")
    with pytest.raises(ValueError, match="missing field 'completions'"):
        multipl_e.read([f], TASKS, 0.8)


# ---------------------------------------------------------------- mvce
def test_mvce_file_names_give_model_and_prompt_style():
    assert mvce.parse_name("results/HumanEval_llama3.json") == ("Llama 3 8B", "base")
    assert mvce.parse_name("HumanEval_llama3.1_instruction.json") == ("Llama 3.1 8B", "instruction")
    assert mvce.parse_name("HumanEval_mistral-nemo_rule.json") == ("Mistral Nemo 12B", "rule")
    assert mvce.parse_name("HumanEval_qwen2.5-coder.json") == ("Qwen2.5-Coder 7B", "base")
    with pytest.raises(ValueError, match="file name is not"):
        mvce.parse_name("HumanEval_gpt5.json")


def test_mvce_reads_answers_and_ignores_labels(tmp_path):
    f = tmp_path / "HumanEval_llama3_rule.json"
    f.write_text(json.dumps({"HumanEval/0": [["    return x", {"result": "passed"}],
                                             ["```\nreturn x\n```", {"result": "failed"}]],
                             "HumanEval/1": [["return 1", {}]]}))
    samples = mvce.read([f])
    assert [(s.task_id, s.sample_index, s.prompt_style) for s in samples] == [
        ("HumanEval/0", 0, "rule"), ("HumanEval/0", 1, "rule"), ("HumanEval/1", 0, "rule")]
    assert samples[1].raw == "```\nreturn x\n```"
    assert all(math.isnan(s.temperature) for s in samples)
    f.write_text(json.dumps({"HumanEval/0": [[1, {}]]}))
    with pytest.raises(ValueError, match="HumanEval/0: answer 0 is not a"):
        mvce.read([f])


# ---------------------------------------------------------------- markdown traces
def trace(n, runs, total=None, temperature="0.2"):
    parts = [f"# Results of GPT-4 on HumanEval/{n}", "Date: 1 January, 2023<br />", "Model: gpt-4<br />",
             f"Temperature: {temperature}<br />", "Passing runs: 1<br />", f"Total runs: {total or len(runs)}<br />",
             "## Prompt", "```python", "def first(x):", "```",
             "## Unit tests", "```python", "def check(c): pass", "```",
             "## Runs"]
    for k, body in enumerate(runs, start=1):
        parts += [f"### \u2705 Run {k}", "Start time: 2023-01-01 00:00:00<br />", "Result: Pass",
                  "```python", body, "```"]
    return "\n".join(parts) + "\n"


def test_results_md_reads_runs_verbatim(tmp_path):
    d = tmp_path / "gpt-4"
    d.mkdir()
    inner = "```python\ndef first(x):\n    return x```"
    (d / "0.md").write_text(trace(0, ["def first(x):\n    return x", inner]))
    (d / "10.md").write_text(trace(10, ["return x"]))
    samples = results_md.read_model_dir(d)
    assert [(s.task_id, s.sample_index) for s in samples] == [
        ("HumanEval/0", 0), ("HumanEval/0", 1), ("HumanEval/10", 0)]
    assert samples[1].raw == inner
    assert {s.model for s in samples} == {"GPT-4"} and {s.temperature for s in samples} == {0.2}


def test_results_md_errors_name_the_problem(tmp_path):
    f = tmp_path / "3.md"
    f.write_text(trace(3, ["x"], total=10))
    with pytest.raises(ValueError, match="header says 10 runs but 1 are listed"):
        results_md.read_file(f, "GPT-4")
    f.write_text(trace(4, ["x"]))
    with pytest.raises(ValueError, match="title names HumanEval/4, file name says HumanEval/3"):
        results_md.read_file(f, "GPT-4")
    f.write_text("no title\n")
    with pytest.raises(ValueError, match="line 1: no '# Results of"):
        results_md.read_file(f, "GPT-4")


# ---------------------------------------------------------------- EvalPlus layouts
def test_evalplus_jsonl_with_solution_or_completion(tmp_path):
    f = tmp_path / "mymodel.jsonl.gz"
    with gzip.open(f, "wt") as fh:
        fh.write(json.dumps({"task_id": "HumanEval/0", "solution": "def first(x):\n    return x\n"}) + "\n")
        fh.write(json.dumps({"task_id": "HumanEval/0", "completion": "    return x\n"}) + "\n")
        fh.write(json.dumps({"task_id": "HumanEval/1", "completion": "    return 0\n"}) + "\n")
    samples, status = evalplus_formats.read(f, BY_ID)
    assert status == {}
    assert [(s.model, s.task_id, s.sample_index) for s in samples] == [
        ("mymodel", "HumanEval/0", 0), ("mymodel", "HumanEval/0", 1), ("mymodel", "HumanEval/1", 0)]
    assert samples[1].raw == TASKS[0]["prompt"] + "    return x\n"
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"task_id": "HumanEval/0", "solution": "x"}) + "\n"
                   + json.dumps({"task_id": "Nope/1", "solution": "x"}) + "\n")
    with pytest.raises(ValueError, match=r"bad.jsonl: line 2: unknown task id 'Nope/1'"):
        evalplus_formats.read(bad, BY_ID)


def test_evalplus_samples_directory(tmp_path):
    root = tmp_path / "my-model"
    for n, files in {"HumanEval_0": ["0.py", "1.py", "10.py", "2.py"], "HumanEval_2": ["0.py"]}.items():
        (root / n).mkdir(parents=True)
        for name in files:
            (root / n / name).write_text(f"# {n} {name}\n")
    assert evalplus_formats.detect(root) == "dir"
    samples, _ = evalplus_formats.read(root, BY_ID)
    assert [s.raw for s in samples if s.task_id == "HumanEval/0"] == [
        "# HumanEval_0 0.py\n", "# HumanEval_0 1.py\n", "# HumanEval_0 2.py\n", "# HumanEval_0 10.py\n"]
    assert {s.model for s in samples} == {"my-model"}


def test_evalplus_eval_results_directory(tmp_path):
    for model in ["model-a", "model-b"]:
        (tmp_path / model).mkdir()
        doc = {"date": "2024", "hash": "x", "eval": {"HumanEval/0": [
            {"task_id": "HumanEval/0", "solution": f"def first(x):\n    return '{model}'\n",
             "base_status": "pass", "plus_status": "fail"},
            {"task_id": "HumanEval/0", "solution": "def first(x): pass\n",
             "base_status": "fail", "plus_status": "fail"}]}}
        (tmp_path / model / "eval_results.json").write_text(json.dumps(doc))
    assert evalplus_formats.detect(tmp_path) == "eval-results"
    samples, status = evalplus_formats.read(tmp_path, BY_ID)
    assert sorted({s.model for s in samples}) == ["model-a", "model-b"]
    assert status[("model-b", "HumanEval/0", 0)] == ("pass", "fail")
    assert status[("model-a", "HumanEval/0", 1)] == ("fail", "fail")


def test_evalplus_detect_rejects_unknown_layouts(tmp_path):
    with pytest.raises(ValueError, match="no eval_results.json files"):
        evalplus_formats.detect(tmp_path)
    with pytest.raises(FileNotFoundError):
        evalplus_formats.detect(tmp_path / "missing")


# ---------------------------------------------------------------- table
def test_table_is_sorted_by_model_style_task_number_index():
    from flaws.samples.record import Sample

    keys = [("B", "base", "HumanEval/10", 0), ("A", "rule", "HumanEval/2", 1), ("A", "rule", "HumanEval/2", 0),
            ("A", "base", "HumanEval/10", 0), ("A", "base", "HumanEval/9", 0)]
    samples = [Sample(m, p, 0.8, "s", t, i, "x") for m, p, t, i in keys]
    df = to_table(samples)
    assert list(zip(df.model, df.prompt_style, df.task_id, df.sample_index)) == [
        ("A", "base", "HumanEval/9", 0), ("A", "base", "HumanEval/10", 0), ("A", "rule", "HumanEval/2", 0),
        ("A", "rule", "HumanEval/2", 1), ("B", "base", "HumanEval/10", 0)]
    assert list(df.columns[:8]) == ["benchmark", "model", "prompt_style", "temperature", "source_id", "task_id",
                                    "sample_index", "solution"]
    assert sort_table(df.iloc[::-1]).equals(df)
