"""Readers of the model-written HumanEval test suites (the verifiers of ``flaws.verifiers``).

Three registered sources hold unit tests written by models of different strength:

* ``codet``: ``codet-codegen16b-tests``, CodeGen-16B-mono's raw continuations of
  ``assert `` (100 per task, T = 0.8). A row maps to its task by exact prompt match against the
  CodeT prompt file of the same source. Each sample is cut into single asserts with CodeT's own
  extraction (``test_case_extract``: split on ``assert ``, keep the parts naming the entry point,
  cut at the first ``\\nclass``, ``\\ndef``, ``\\n#``, ``\\nif`` or ``\\nprint``, keep those that
  compile), the first :data:`CODET_PER_SAMPLE` per sample as CodeT's ``--test_case_limit``, then
  deduplicated per task (first occurrence order);
* ``agentcoder``: ``agentcoder-gpt35``'s ``test_case_list``, five GPT-3.5 scripts per task, each
  run as one test (a script passes when none of its asserts fails). Dropped, and counted: empty
  scripts, scripts that do not compile, scripts without ``assert <entry_point>(`` (AgentCoder
  skips them too), and scripts that define the function under test themselves (the 55 the
  source notes: run after the candidate, they test their own definition, not the candidate);
  duplicates within a task are dropped too;
* ``reflexion``: ``reflexion-gpt4-tests``, GPT-4's single-line asserts (the field is named
  ``solution``), about five per task; asserts that do not name the entry point, do not compile
  or repeat an earlier one are dropped and counted.

:func:`load` returns ``(tests, dropped)``: ``tests[task_id]`` is the task's list of test
sources in a fixed order (an empty list: the suite gives the task no usable test, and a verifier
built on it accepts every program of that task), ``dropped`` counts what was left out, by reason.
Nothing here runs a test: model-written tests are untrusted code and run only in the sandbox
(:mod:`flaws.execute.generated_tests`).
"""

from __future__ import annotations

import ast
import json
import re
from collections import Counter
from pathlib import Path

from .taskmap import field, humaneval_task_id, jsonl_rows

#: suite name -> registered source id
SOURCES = {"codet": "codet-codegen16b-tests", "agentcoder": "agentcoder-gpt35",
           "reflexion": "reflexion-gpt4-tests"}
SUITES = tuple(SOURCES)
#: the model that wrote each suite
MODELS = {"codet": "CodeGen-16B-mono", "agentcoder": "GPT-3.5-turbo-1106", "reflexion": "GPT-4"}
#: CodeT's ``--test_case_limit``: asserts kept from each sample
CODET_PER_SAMPLE = 5
_CODET_STOPS = ("\nclass", "\ndef", "\n#", "\nif", "\nprint")
_CODET_TESTS = ("CodeT/data/generated_data/"
                "HumanEval_codegen16B_temp0.8_topp0.95_num100_max300_test_case.jsonl")
_CODET_PROMPTS = "CodeT/data/dataset/HumanEval_for_test_case_generation.jsonl"
_AGENTCODER = "dataset/gpt-3.5-turbo-1106.json"
_REFLEXION = ("programming_runs/root/testacc_humaneval_py/"
              "humaneval-py..gz_test-acc_1_gpt-4_pass_at_k_1_py.jsonl")


def _compiles(code: str) -> bool:
    try:
        compile(code, "<test>", "exec")
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return True


def _codet_compiles(test: str) -> bool:
    """CodeT's ``_check_test_case_validation``: an assert that compiles inside a try block."""
    if not test.strip() or "assert" not in test:
        return False
    body = test.replace("\n", "\n    ")
    return _compiles(f"try:\n    {body}\nexcept:\n    pass\n")


def codet_extract(content: str, entry_point: str, limit: int | None = CODET_PER_SAMPLE) -> list[str]:
    """CodeT's ``test_case_extract`` of one sample (a continuation of ``assert ``)."""
    parts = [f"assert {p}".strip() for p in f"assert {content}".split("assert ")
             if entry_point.strip() in p and p.strip()]
    out = []
    for p in parts:
        for stop in _CODET_STOPS:
            p = p.split(stop)[0]
        p = p.strip()
        if _codet_compiles(p):
            out.append(p)
    return out[:limit] if limit is not None else out


def _dedupe(tests) -> tuple[list[str], int]:
    seen, out = set(), []
    for t in tests:
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out, len(tests) - len(out)


def read_codet(tests_path, prompts_path, known: set[str], limit: int | None = CODET_PER_SAMPLE):
    """``(tests, dropped)`` of the CodeT file; rows mapped to tasks by exact prompt."""
    by_prompt = {}
    entry = {}
    for lineno, row in jsonl_rows(prompts_path):
        where = f"{prompts_path}: line {lineno}"
        tid = humaneval_task_id(field(row, "task_id", str, where), known, where)
        by_prompt[field(row, "prompt", str, where)] = tid
        entry[tid] = field(row, "entry_point", str, where)
    tests: dict[str, list[str]] = {}
    dropped: Counter = Counter()
    for lineno, row in jsonl_rows(tests_path):
        where = f"{tests_path}: line {lineno}"
        prompt = field(row, "prompt", str, where)
        if prompt not in by_prompt:
            raise ValueError(f"{where}: prompt matches no task of {prompts_path}")
        tid = by_prompt[prompt]
        if tid in tests:
            raise ValueError(f"{where}: task {tid} has a second row")
        got = []
        for k, s in enumerate(field(row, "samples", list, where)):
            if not isinstance(s, str):
                raise ValueError(f"{where}: sample {k} is not a string")
            if not s.strip():
                dropped["blank samples"] += 1
                continue
            got += codet_extract(s, entry[tid], limit)
        tests[tid], dup = _dedupe(got)
        dropped["duplicates"] += dup
    missing = sorted(known - set(tests), key=_num)
    if missing:
        raise ValueError(f"{tests_path}: no row for {missing}")
    return tests, dict(dropped)


def defines(script: str, name: str) -> bool:
    """Does ``script`` define a function called ``name`` (anywhere)? Parsed, not run."""
    try:
        tree = ast.parse(script)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return bool(re.search(rf"^\s*def\s+{re.escape(name)}\b", script, re.M))
    return any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name
               for n in ast.walk(tree))


def classify_script(script: str, entry_point: str) -> str | None:
    """Why an AgentCoder script is not a usable test (None: it is)."""
    if not script.strip():
        return "empty"
    if defines(script, entry_point):
        return "redefines the function under test"
    if not _compiles(script):
        return "does not compile"
    if not re.search(rf"assert\s+{re.escape(entry_point)}\s*\(", script):
        return f"no 'assert <entry_point>('"
    return None


def _usable(items: list, problem, dropped: Counter, label: str) -> list[str]:
    """The items of a suite's test list that ``problem`` (item -> reason or None) accepts, in
    order; each rejected item counts under its reason in ``dropped``. A non-string item is an
    input error naming ``label`` and its index."""
    keep = []
    for k, item in enumerate(items):
        if not isinstance(item, str):
            raise ValueError(f"{label} {k} is not a string")
        why = problem(item)
        if why:
            dropped[why] += 1
        else:
            keep.append(item)
    return keep


def _assert_problem(test: str, entry_point: str) -> str | None:
    """Why a single model-written assert is not usable (None: usable)."""
    if entry_point not in test:
        return "does not name the entry point"
    if not _compiles(test):
        return "does not compile"
    return None


def read_agentcoder(path, known: set[str]):
    path = Path(path)
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(doc, list):
        raise ValueError(f"{path}: expected a JSON array of task objects")
    tests: dict[str, list[str]] = {}
    dropped: Counter = Counter()
    for i, row in enumerate(doc):
        where = f"{path}: task object #{i + 1}"
        tid = humaneval_task_id(field(row, "task_id", str, where), known, where)
        ep = field(row, "entry_point", str, where)
        keep = _usable(field(row, "test_case_list", list, where), lambda script: classify_script(script, ep),
                       dropped, f"{where} ({tid}): test script")
        tests[tid], dup = _dedupe(keep)
        dropped["duplicates"] += dup
    return tests, dict(dropped)


def read_reflexion(path, known: set[str]):
    tests: dict[str, list[str]] = {}
    dropped: Counter = Counter()
    for lineno, row in jsonl_rows(path):
        where = f"{path}: line {lineno}"
        tid = humaneval_task_id(field(row, "task_id", str, where), known, where)
        ep = field(row, "entry_point", str, where)
        keep = [t.strip() for t in _usable(field(row, "solution", list, where),
                                           lambda t: _assert_problem(t, ep), dropped, f"{where}: test")]
        if tid in tests:
            raise ValueError(f"{where}: task {tid} listed twice")
        tests[tid], dup = _dedupe(keep)
        dropped["duplicates"] += dup
    return tests, dict(dropped)


def _num(task_id: str) -> int:
    return int(task_id.rsplit("/", 1)[1])


def load(name: str) -> tuple[dict[str, list[str]], dict[str, int]]:
    """The suite ``name`` (one of :data:`SUITES`) from its verified raw files: ``(tests,
    dropped)``, ``tests`` holding every HumanEval task (in task order)."""
    from flaws import data

    from . import _ids

    known = _ids("humaneval+")
    src = SOURCES.get(name)
    if src is None:
        raise ValueError(f"unknown test suite {name!r}; one of {', '.join(SUITES)}")
    if name == "codet":
        tests, dropped = read_codet(data.path(src, _CODET_TESTS), data.path(src, _CODET_PROMPTS), known)
    elif name == "agentcoder":
        tests, dropped = read_agentcoder(data.path(src, _AGENTCODER), known)
    else:
        tests, dropped = read_reflexion(data.path(src, _REFLEXION), known)
    for tid in known:
        tests.setdefault(tid, [])
    return {t: tests[t] for t in sorted(tests, key=_num)}, dropped
