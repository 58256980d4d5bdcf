"""Task audit: where the false positives are and why the plus tests reject them.

A false positive is a sample that passes the base tests and not the plus tests. This module
answers, from the committed outcomes and by running programs in the sandboxed executor only:

* :func:`concentration` - how many tasks hold half of all false positives, the top task's share;
* :func:`top_tasks` - the tasks holding the most false positives, each with its share, the number
  of configurations (model, prompt style) with a false positive there, the plus input on which
  false positives most often fail first, and the *typical* false positive: the most frequent
  program text among those failing first there (ties: the first in configuration and sample
  order);
* :func:`rejection_reasons` - runs each typical false positive on that one plus input in the
  sandbox (recording mode: the output comes back as data, the comparison happens here) and
  classifies why the plus test rejects it (:func:`classify`);
* :func:`never_passing` - tasks with base passes but no plus pass in any configuration;
* :func:`reference_check` - re-runs a task's canonical solution on its plus inputs in the sandbox
  and compares each output with the stored expected output.

No program is executed in this process: every run goes through :class:`flaws.execute.pool.WorkerPool`.
"""

from __future__ import annotations

import copy
from typing import Mapping

import numpy as np
import pandas as pd

from . import metrics

__all__ = [
    "CONFIG_KEYS",
    "kept_outcomes",
    "false_positives",
    "concentration",
    "top_tasks",
    "short_repr",
    "classify",
    "rejection_reasons",
    "never_passing",
    "reference_check",
    "DOCSTRING_READINGS",
    "mismatch_table",
    "audit_table",
]

CONFIG_KEYS = ("model", "prompt_style")
_SAMPLE_ORDER = ("model", "prompt_style", "source_id", "sample_index")


def kept_outcomes(outcomes: pd.DataFrame, benchmark: str = "humaneval+") -> pd.DataFrame:
    """Outcomes of ``benchmark`` without the tasks the paper's false-negative filter removes."""
    counts = metrics.task_counts(outcomes)
    removed = metrics.false_negative_tasks(counts)
    key = pd.MultiIndex.from_frame(outcomes[["benchmark", "task_id"]])
    out = outcomes
    if len(removed):
        out = outcomes.loc[~key.isin(pd.MultiIndex.from_frame(removed[["benchmark", "task_id"]].astype(str)))]
    return out[out["benchmark"] == benchmark]


def false_positives(outcomes: pd.DataFrame) -> pd.DataFrame:
    """The rows that pass base and not plus."""
    return outcomes[outcomes["base_status"].eq("pass") & ~outcomes["plus_status"].eq("pass")]


def _per_task(fp: pd.DataFrame) -> pd.Series:
    """False positives per task, most first; ties in natural task order."""
    n = fp.groupby("task_id").size()
    order = pd.DataFrame({"n": n, "k": metrics._task_sort_key(pd.Series(n.index, index=n.index))})
    return order.sort_values(["n", "k"], ascending=[False, True], kind="stable")["n"]


def concentration(outcomes: pd.DataFrame) -> dict:
    """How concentrated the false positives are on few tasks.

    ``n_false_positives``, ``n_tasks`` (tasks in ``outcomes``), ``n_tasks_with`` (tasks with at
    least one), ``tasks_for_half`` (the fewest tasks holding at least half of them),
    ``top_task`` and ``top_share``."""
    fp = false_positives(outcomes)
    per = _per_task(fp)
    total = int(per.sum())
    if total == 0:
        raise ValueError("no false positives")
    cum = per.cumsum().to_numpy()
    return {"n_false_positives": total, "n_tasks": int(outcomes["task_id"].nunique()),
            "n_tasks_with": int(len(per)),
            "tasks_for_half": int(np.searchsorted(cum, total / 2) + 1),
            "top_task": str(per.index[0]), "top_share": float(per.iloc[0] / total)}


def top_tasks(outcomes: pd.DataFrame, k: int = 15) -> pd.DataFrame:
    """The ``k`` tasks with the most false positives (see the module doc for the columns)."""
    fp = false_positives(outcomes)
    per = _per_task(fp)
    total = per.sum()
    rows = []
    for task_id, n in per.head(k).items():
        t = fp[fp["task_id"] == task_id]
        first = pd.to_numeric(t["first_failed_plus"].replace("", None), errors="coerce")
        counts = first.value_counts(dropna=True)
        index = int(min(counts.index[counts == counts.max()])) if len(counts) else None
        at = t if index is None else t[first == index]
        at = at.sort_values(list(_SAMPLE_ORDER), kind="stable")
        sha = at["solution_sha256"].value_counts(sort=False)
        typical = at[at["solution_sha256"] == sha.index[int(np.argmax(sha.to_numpy()))]].iloc[0]
        rows.append({"task_id": task_id, "false_positives": int(n), "share": float(n / total),
                     "configurations": int(t.groupby(list(CONFIG_KEYS)).ngroups),
                     "first_failing_input": index,
                     "share_failing_there": float(len(at) / n),
                     "plus_status": typical["plus_status"],
                     **{c: typical[c] for c in ("source_id", "model", "prompt_style", "sample_index",
                                                "solution_sha256")}})
    return pd.DataFrame(rows)


def short_repr(value, width: int = 60) -> str:
    """``repr(value)`` cut to at most ``width`` characters (an ellipsis marks the cut)."""
    r = repr(value)
    return r if len(r) <= width else r[: width - 1] + "…"


def classify(run: dict, expected_encoded: str, entry_point: str, atol: float, inp,
             dataset: str = "humaneval", width: int = 30) -> str:
    """One line: why the plus test rejects a program on one input.

    ``run`` is a recording-mode result on that input (``status``, ``reason``, ``outputs``),
    recorded with the input's time limit as its cap, with ``limit`` (that limit) added."""
    from .execute.codec import decode
    from .execute.verdict import Judge, type_name

    if run["status"] == "timeout":
        return f"time-out: over its time limit ({run['limit']:g} s of CPU time)"
    if run["status"] == "error":
        return "does not load"
    if run.get("reason") == "exception":
        return "raises an exception"
    if run.get("reason") == "unencodable":
        return "returns a value that is not plain data"
    if run["status"] != "pass" or not run.get("outputs"):
        return f"fails ({run.get('reason') or run['status']})"
    out, out_foreign = decode(run["outputs"][0].encode())
    exp, exp_foreign = decode(expected_encoded.encode())
    out_t, exp_t = type_name(out, out_foreign), type_name(exp, exp_foreign)
    if Judge(dataset, entry_point, atol).check(inp, out, out_t, exp, exp_t) != "fail":
        return "passes this input when run alone"
    if out_t != exp_t and not (isinstance(out, (int, float)) and isinstance(exp, (int, float))
                               and not isinstance(out, bool) and not isinstance(exp, bool)):
        return f"wrong type: {out_t.replace('builtins.', '')} instead of {exp_t.replace('builtins.', '')}"
    return f"wrong value: {short_repr(out, width)} instead of {short_repr(exp, width)}"


def _one_input_spec(spec: dict, picks: Mapping[str, int], which: str = "plus") -> dict:
    """A worker spec whose tasks hold only the picked input of ``which`` (task id -> index)."""
    from .execute import codec

    out = copy.deepcopy(spec)
    tasks = []
    for t in out["tasks"]:
        if t["task_id"] not in picks:
            continue
        i = picks[t["task_id"]]
        t[f"{which}_input"] = codec.dumps([codec.loads(t[f"{which}_input"])[i]])
        t[f"n_{which}"] = 1
        t[f"{which}_time"] = [t[f"{which}_time"][i]]
        tasks.append(t)
    out["tasks"] = tasks
    return out


def rejection_reasons(top: pd.DataFrame, solutions: Mapping[str, str],
                      benchmark: str = "humaneval+") -> pd.DataFrame:
    """Run each task's typical false positive (``solutions``: task id -> program) on its first
    failing plus input, sandboxed, and classify the rejection. Returns ``task_id``,
    ``input`` (short repr of the plus input), ``reason``.

    Each run is recorded with that input's own time limit as its cap (programs with the same
    limit share a worker pool), so a run over the limit comes back as a time-out."""
    from .execute import codec, groundtruth
    from .execute.pool import WorkerPool
    from .execute.runner import judge_spec

    tasks = {t["task_id"]: t for t in groundtruth.load_tasks(benchmark)}
    todo = top.dropna(subset=["first_failing_input"])
    picks = {r.task_id: int(r.first_failing_input) for r in todo.itertuples()}
    spec = judge_spec(benchmark, [tasks[t] for t in picks])
    opts = spec["options"]
    limits = {t["task_id"]: max(opts["min_time_limit"], opts["factor"] * (t["plus_time"][picks[t["task_id"]]] or 0.0))
              for t in spec["tasks"]}
    results = {}
    for limit in sorted(set(limits.values())):
        group = {t: i for t, i in picks.items() if limits[t] == limit}
        small = _one_input_spec({**spec, "options": {**opts, "record_time_limit": limit}}, group)
        jobs = [{"task_id": t, "solution": solutions[t], "mode": "record", "which": ["plus"]} for t in group]
        with WorkerPool(small, workers=1) as pool:
            results.update({job["task_id"]: res["plus"] for job, res in pool.run(jobs)})
    exp_dir = groundtruth.expected_outputs(benchmark, progress=False)
    index = groundtruth.expected_index(exp_dir)
    rows = []
    for task_id, i in picks.items():
        task = tasks[task_id]
        expected = groundtruth.load_expected_file(exp_dir / index[task_id]["file"])["plus"][i]
        inp = codec.loads(codec.dumps(task["plus_input"][i]))
        run = {**results[task_id], "limit": limits[task_id]}
        rows.append({"task_id": task_id,
                     "input": short_repr(tuple(inp) if len(inp) != 1 else inp[0]),
                     "reason": classify(run, expected, task["entry_point"], task["atol"], inp,
                                        groundtruth.dataset_of(benchmark))})
    return pd.DataFrame(rows, columns=["task_id", "input", "reason"])


def never_passing(outcomes: pd.DataFrame, min_base: int = 1) -> pd.DataFrame:
    """Tasks with at least ``min_base`` base passes and no plus pass in any configuration:
    ``task_id``, ``base_passes``, ``configurations`` (with a base pass), ``samples``."""
    base = outcomes["base_status"].eq("pass")
    g = outcomes.assign(base=base, plus=outcomes["plus_status"].eq("pass"))
    per = g.groupby("task_id").agg(base_passes=("base", "sum"), plus_passes=("plus", "sum"),
                                   samples=("base", "size"))
    cfg = g[g["base"]].groupby("task_id")[list(CONFIG_KEYS)].apply(lambda d: d.drop_duplicates().shape[0])
    per["configurations"] = cfg.reindex(per.index).fillna(0).astype(int)
    sel = per[(per["plus_passes"] == 0) & (per["base_passes"] >= min_base)].reset_index()
    sel["_k"] = metrics._task_sort_key(sel["task_id"])
    sel = sel.sort_values("_k", kind="stable").drop(columns=["_k", "plus_passes"]).reset_index(drop=True)
    return sel[["task_id", "base_passes", "configurations", "samples"]].astype({"base_passes": int})


#: Our literal reading of a task's docstring, as a program, for :func:`reference_check`
#: (``solution=``). HumanEval/91: "A boredom is a sentence that starts with the word "I".
#: Sentences are delimited by '.', '?' or '!'" - a sentence whose first word is exactly "I".
DOCSTRING_READINGS = {
    "HumanEval/91": (
        "import re\n\n\n"
        "def is_bored(S):\n"
        "    return sum(1 for s in re.split(r'[.?!]', S) if s.split()[:1] == ['I'])\n"
    ),
}


def reference_check(task_id: str, benchmark: str = "humaneval+", which: str = "plus",
                    solution: str | None = None) -> dict:
    """Run a program (default: the canonical solution of ``task_id``) on its ``which`` inputs in
    the sandbox and compare each output with the stored expected output (as encoded data).

    ``n_inputs``, ``n_identical``, ``mismatches`` (indices), ``outputs`` and ``expected`` (the
    encoded values), ``status`` of the recorded run."""
    from .execute import groundtruth
    from .execute.pool import WorkerPool
    from .execute.runner import judge_spec

    task = next(t for t in groundtruth.load_tasks(benchmark) if t["task_id"] == task_id)
    spec = judge_spec(benchmark, [task])
    exp_dir = groundtruth.expected_outputs(benchmark, progress=False)
    index = groundtruth.expected_index(exp_dir)
    expected = groundtruth.load_expected_file(exp_dir / index[task_id]["file"])[which]
    program = groundtruth.reference_program(task) if solution is None else solution
    job = {"task_id": task_id, "solution": program, "mode": "record", "which": [which]}
    with WorkerPool(spec, workers=1) as pool:
        (_job, res), = list(pool.run([job]))
    outs = res[which]["outputs"]
    mismatches = [i for i, e in enumerate(expected) if i >= len(outs) or outs[i] != e]
    return {"n_inputs": len(expected), "n_identical": len(expected) - len(mismatches),
            "mismatches": mismatches, "outputs": outs, "expected": expected,
            "status": res[which]["status"]}


def mismatch_table(task_id: str, check: dict, benchmark: str = "humaneval+", which: str = "plus",
                   k: int = 5) -> pd.DataFrame:
    """The first ``k`` mismatches of a :func:`reference_check`: input index, a short repr of the
    input, the stored expected output and the checked program's output."""
    from .execute import codec, groundtruth

    task = next(t for t in groundtruth.load_tasks(benchmark) if t["task_id"] == task_id)
    rows = []
    for i in check["mismatches"][:k]:
        inp = task[f"{which}_input"][i]
        got = check["outputs"][i] if i < len(check["outputs"]) else None
        rows.append({"input": i, "value": short_repr(inp[0] if len(inp) == 1 else tuple(inp)),
                     "expected": short_repr(codec.loads(check["expected"][i]), 20),
                     "this program": "no output" if got is None else short_repr(codec.loads(got), 20)})
    return pd.DataFrame(rows, columns=["input", "value", "expected", "this program"])


def audit_table(top: pd.DataFrame, reasons: pd.DataFrame) -> pd.DataFrame:
    """Reader-facing table of :func:`top_tasks` joined with :func:`rejection_reasons`."""
    t = top.merge(reasons, on="task_id", how="left")
    out = pd.DataFrame({
        "task": t["task_id"],
        "share of false positives": (100 * t["share"]).map("{:.1f}%".format),
        "configurations": t["configurations"],
        "first failing plus input": [f"#{int(i)}: {v}" if pd.notna(i) else "none"
                                     for i, v in zip(t["first_failing_input"], t["input"])],
        "of its false positives": (100 * t["share_failing_there"]).map("{:.0f}%".format),
        "why the typical false positive fails": t["reason"],
    })
    out.index = range(1, len(out) + 1)
    return out
