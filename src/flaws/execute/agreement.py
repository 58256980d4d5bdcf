"""Cross-check with ``evalplus`` 0.3.1 itself: its ``evaluate`` command, in its own process.

:func:`run_evalplus_evaluate` runs ``python -m evalplus.evaluate --dataset
humaneval`` on a list of samples, with its ground truth computed by EvalPlus from
the same HumanEval+ file (``HUMANEVAL_OVERRIDE_PATH``), and returns EvalPlus's
base and plus status per sample.  :func:`compare` lists the samples where our
verdicts and EvalPlus's disagree on pass versus not-pass, base or plus.

:func:`evalplus_all` runs it on every collected sample, one sample set (source,
model, prompt style) at a time, and writes
``data/processed/evalplus_verdicts.csv.gz``.  Each finished set is kept in
``data/interim/agreement/``, so an interrupted run resumes with the next set.
The samples where EvalPlus and our committed outcomes disagree are then given
to EvalPlus once more, alone, with one worker (``evalplus_*_rerun`` columns)::

    FLAWS_MIRROR=../shared/data python -m flaws.execute.agreement --workers 2

``--new-sets`` does the same for the sets of :data:`flaws.samples.NEW_SOURCES`
(HumanEval+ and MBPP+, MBPP+ through EvalPlus's ``MBPP_OVERRIDE_PATH`` pointed at
the 399-task pre-release), writes ``evalplus_verdicts_new_sets.csv.gz`` and lists
every disagreement with its reason in ``evalplus_disagreements_new_sets.csv``;
``--benchmark`` restricts it to one benchmark's sets.

Known, intended sources of disagreement (:func:`explain` names them):

* time-limit borderline programs: EvalPlus measures wall-clock time on a
  possibly loaded machine, we measure the child's CPU time.  Both limits are
  ``max(1 s, 4 x canonical time)``, but the canonical times differ too: EvalPlus
  times each reference call once, in wall-clock seconds, when it first builds
  its ground-truth cache (in one process that holds every earlier expected
  output, on whatever load the machine had then, which every later limit
  inherits); we keep the smaller CPU time of two runs, each in a fresh process
  per input set.  On inputs where four times the reference exceeds a second,
  EvalPlus's limit can be the longer one;
* programs whose return value fools ``==`` (a subclass or object with a custom
  ``__eq__``): EvalPlus compares inside the sample's process, we compare plain
  decoded data in the trusted judge.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .._io import atomic_write


def evalplus_verdicts(samples: list[dict], workers: int = 2) -> list[tuple[str, str]]:
    """EvalPlus's ``(base_status, plus_status)`` for HumanEval+ samples, in order."""
    return run_evalplus_evaluate(samples, workers=workers)[0]


def compare(ours: list[dict], theirs: list[tuple[str, str]]) -> list[dict]:
    """Samples (aligned lists) whose pass/not-pass differs on base or on plus."""
    if len(ours) != len(theirs):
        raise ValueError(f"{len(ours)} outcomes but {len(theirs)} EvalPlus verdicts")
    out = []
    for r, (tb, tp) in zip(ours, theirs):
        base_differs = (r["base_status"] == "pass") != (tb == "pass")
        plus_differs = (r["plus_status"] == "pass") != (tp == "pass")
        if base_differs or plus_differs:
            keys = ("model", "prompt_style", "task_id", "sample_index", "base_status",
                    "plus_status")
            rec = {k: r.get(k) for k in keys}
            rec.update(evalplus_base=tb, evalplus_plus=tp)
            out.append(rec)
    return out


def same_verdicts(committed, rerun: list[dict]) -> list[bool]:
    """For each re-executed outcome record: does it match the committed row?

    Matched by (model, prompt style, task, sample index); compared on the program
    hash and on pass versus not-pass, base and plus.  Among not-pass statuses,
    ``fail`` versus ``error`` for a program that imports a heavy library at load
    time can depend on the environment, so the exact status is not compared.
    """
    keys = ["model", "prompt_style", "task_id", "sample_index"]
    table = committed.set_index(keys)[["solution_sha256", "base_status", "plus_status"]]
    out = []
    for r in rerun:
        sha, base, plus = table.loc[tuple(r[k] for k in keys)]
        out.append((sha, base == "pass", plus == "pass")
                   == (r["solution_sha256"], r["base_status"] == "pass", r["plus_status"] == "pass"))
    return out


def fixed_subset(samples, n: int = 300):
    """A deterministic, hash-chosen subset of about ``n`` rows of a samples table.

    A row is kept when the sha256 of its identity (source, model, prompt style,
    task, index) falls below ``n / len(samples)`` of the hash range, so the
    subset does not depend on the table's order and rarely changes when rows
    are added.
    """
    import hashlib

    keys = (samples["source_id"] + "|" + samples["model"] + "|"
            + samples["prompt_style"].astype(str) + "|" + samples["task_id"] + "|"
            + samples["sample_index"].astype(str))
    h = keys.map(lambda k: int(hashlib.sha256(k.encode()).hexdigest()[:8], 16))
    return samples[h < n / len(samples) * 16**8]


# ----------------------------------------------------------------- every sample
KEYS = ["source_id", "model", "prompt_style", "task_id", "sample_index", "solution_sha256"]
VERDICT_COLUMNS = KEYS + ["evalplus_base", "evalplus_plus"]
RERUN_COLUMNS = ["evalplus_base_rerun", "evalplus_plus_rerun"]
#: EvalPlus's variable that points it at our copy of each benchmark file
OVERRIDE = {"humaneval+": "HUMANEVAL_OVERRIDE_PATH", "mbpp+": "MBPP_OVERRIDE_PATH"}
#: a program for tasks a sample set lacks: ``evalplus.evaluate`` insists on every task
FILLER = "def {entry_point}(*args):\n    return None\n"


#: where the stored verdicts live, relative to the project root
VERDICTS_FILE = "data/processed/evalplus_verdicts.csv.gz"


def verdicts_path() -> Path:
    from flaws.data import project_root

    return project_root() / VERDICTS_FILE


def read_verdicts(path: str | os.PathLike | None = None, layout: "Layout | None" = None):
    """The committed ``evalplus_verdicts.csv.gz`` as a table (with ``layout=NEW_SETS``,
    ``evalplus_verdicts_new_sets.csv.gz``; its empty ``run`` is read as ``""``)."""
    import pandas as pd

    layout = layout or HUMANEVAL
    columns = layout.columns + RERUN_COLUMNS
    p = Path(path or project_file(layout.file))
    dtype = {c: "string" for c in columns if c != "sample_index"}
    v = pd.read_csv(p, dtype={**dtype, "sample_index": int})
    missing = [c for c in columns if c not in v.columns]
    if missing:
        raise ValueError(f"{p}: missing columns {missing}")
    if "run" in v:
        v["run"] = v["run"].fillna("").astype(object)
    return v


def _store_dir() -> Path:
    from flaws.data import project_root

    d = Path(os.environ.get("FLAWS_INTERIM_DIR") or project_root() / "data" / "interim")
    return d / "agreement"


def set_slug(*parts: str) -> str:
    """A file name for one sample set: its keys joined by ``__``, other characters made safe."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", "__".join(parts))


def run_evalplus_evaluate(samples: list[dict], workers: int = 2,
                          workdir: str | os.PathLike | None = None,
                          benchmark: str = "humaneval+") -> tuple[list[tuple[str, str]], float]:
    """Run ``python -m evalplus.evaluate --dataset humaneval`` (or ``mbpp``) on ``samples``.

    The benchmark file is ours, given through EvalPlus's override variable
    (:data:`OVERRIDE`): HumanEval+ v0.1.10, or for ``"mbpp+"`` the 399-task MBPP+
    pre-release (EvalPlus reads it and deserialises its inputs itself).

    Returns EvalPlus's ``(base_status, plus_status)`` per sample, in order, and
    the command's wall-clock seconds.  Tasks absent from ``samples`` get one
    filler program each (``evalplus.evaluate`` refuses a file that lacks a task);
    their verdicts are dropped.  Results are matched back by task and order
    within the task (EvalPlus sorts each task's results by completion order),
    and every matched result's ``solution`` must equal the sample's.
    """
    from flaws.data import BENCHMARKS, path
    from flaws.execute.groundtruth import dataset_of, load_tasks

    tasks = load_tasks(benchmark)
    present = {s["task_id"] for s in samples}
    fillers = [{"task_id": t["task_id"], "solution": FILLER.format(entry_point=t["entry_point"])}
               for t in tasks if t["task_id"] not in present]
    env = dict(os.environ)
    env[OVERRIDE[benchmark]] = str(path(*BENCHMARKS[benchmark][:2]))
    own_tmp = workdir is None
    work = Path(tempfile.mkdtemp(prefix="flaws-evalplus-") if own_tmp else workdir)
    work.mkdir(parents=True, exist_ok=True)
    try:
        sp = work / "samples.jsonl"
        with open(sp, "w", encoding="utf-8") as fh:
            for s in list(samples) + fillers:
                fh.write(json.dumps({"task_id": s["task_id"], "solution": s["solution"]}) + "\n")
        rp = work / "samples_eval_results.json"
        if rp.exists():
            rp.unlink()
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "evalplus.evaluate", "--dataset", dataset_of(benchmark),
                        "--samples", str(sp), "--parallel", str(workers), "--i-just-wanna-run"],
                       check=True, env=env, cwd=work, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - t0
        res = json.loads(rp.read_text())["eval"]
    finally:
        if own_tmp:
            shutil.rmtree(work, ignore_errors=True)
    seen: dict[str, int] = {}
    out = []
    for k, s in enumerate(samples):
        tid = s["task_id"]
        j = seen.get(tid, 0)
        seen[tid] = j + 1
        try:
            r = res[tid][j]
        except (KeyError, IndexError):
            raise RuntimeError(f"evalplus.evaluate returned no result for sample {k} ({tid})") from None
        if r["solution"] != s["solution"]:
            raise RuntimeError(f"evalplus result {tid}#{j} does not match sample {k}'s solution")
        out.append((r["base_status"], r["plus_status"]))
    return out, elapsed


def _write_csv_gz(rows: list[dict], columns: list[str], path: Path, name: str) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow(["" if r.get(c) is None else r.get(c) for c in columns])
    raw = io.BytesIO()
    with gzip.GzipFile(filename=name, mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    atomic_write(path, raw.getvalue())
    return path


@dataclasses.dataclass(frozen=True)
class Layout:
    """Which samples one agreement file covers and how its rows are keyed.

    :data:`HUMANEVAL` is ``evalplus_verdicts.csv.gz`` (the HumanEval+ sets of
    ``outcomes.csv.gz``); :data:`NEW_SETS` is ``evalplus_verdicts_new_sets.csv.gz``
    (every set of :data:`flaws.samples.NEW_SOURCES`, HumanEval+ and MBPP+, whose
    repeated runs share model and sample index, so ``benchmark`` and ``run`` are keys).
    """

    set_keys: tuple[str, ...]
    file: str
    store: str
    benchmarks: tuple[str, ...] = ("humaneval+",)

    @property
    def keys(self) -> list[str]:
        return list(self.set_keys) + ["task_id", "sample_index", "solution_sha256"]

    @property
    def columns(self) -> list[str]:
        return self.keys + ["evalplus_base", "evalplus_plus"]


HUMANEVAL = Layout(("source_id", "model", "prompt_style"), VERDICTS_FILE, "")
NEW_SETS = Layout(("source_id", "model", "prompt_style", "benchmark", "run"),
                  "data/processed/evalplus_verdicts_new_sets.csv.gz", "new-sets",
                  ("humaneval+", "mbpp+"))


def sample_sets(samples, layout: Layout = HUMANEVAL) -> list[tuple[tuple[str, ...], object]]:
    """The table split by the layout's set keys (default (source_id, model, prompt_style)), sorted."""
    return [(k, g) for k, g in samples.groupby(list(layout.set_keys), sort=True)]


def stored_path(key: tuple[str, ...], layout: Layout = HUMANEVAL) -> Path:
    """Where :func:`store_set` keeps one set's EvalPlus verdicts (a run skips a set stored there)."""
    return _store_dir() / layout.store / f"{set_slug(*key)}.csv.gz"


def store_set(key: tuple[str, ...], part, verdicts: list[tuple[str, str]],
              layout: Layout = HUMANEVAL) -> Path:
    """Keep one sample set's EvalPlus verdicts in the resumable store."""
    from .runner import solution_sha256

    rows = []
    for rec, (b, p) in zip(part.to_dict("records"), verdicts):
        rows.append({**{c: rec[c] for c in layout.keys[:-1]},
                     "solution_sha256": solution_sha256(rec["solution"]),
                     "evalplus_base": b, "evalplus_plus": p})
    return _write_csv_gz(rows, layout.columns, stored_path(key, layout), "verdicts.csv")


def _read_table(p, columns: list[str]):
    import pandas as pd

    dtype = {c: str for c in columns if c != "sample_index"}
    return pd.read_csv(p, dtype={**dtype, "sample_index": int}, keep_default_na=False)


def evalplus_all(workers: int = 2, progress: bool = True, out: str | os.PathLike | None = None,
                 samples=None, skip_sources: tuple[str, ...] = (), outcomes=None,
                 layout: Layout = HUMANEVAL, benchmarks: tuple[str, ...] | None = None,
                 partial: bool = False) -> Path | None:
    """EvalPlus's verdicts on every collected sample -> ``evalplus_verdicts.csv.gz``.

    Resumable per sample set.  Rows are in the sample table's order.  Sets of
    ``skip_sources`` are not run now (e.g. when the speed benchmark runs them);
    the combined file is written only once every set has its verdicts, with the
    disagreements (against ``outcomes``, default the committed file) re-run.
    With ``layout=NEW_SETS`` the samples default to :data:`flaws.samples.NEW_SOURCES`
    and the output to ``evalplus_verdicts_new_sets.csv.gz``; ``benchmarks`` restricts
    what is *run* now to some benchmarks' sets, while the combined file still holds every
    stored set of every benchmark (as with ``partial``), so a run of one benchmark never drops
    the other's verdicts.  ``partial`` runs nothing new: it combines the sets already stored
    (their disagreements re-run) into the output, for a run that cannot finish in one go; the
    sets left out are named on stderr.
    """
    import pandas as pd
    from tqdm import tqdm

    from .runner import solution_sha256

    if samples is None:
        from flaws.samples import NEW_SOURCES, load_all

        samples = (load_all(NEW_SOURCES, progress=progress) if layout is NEW_SETS
                   else load_all(progress=progress))
    samples = samples[samples["benchmark"].isin(layout.benchmarks)]
    run_now = set(benchmarks or layout.benchmarks)
    combine_stored = partial or run_now != set(layout.benchmarks)  # the other benchmarks: as stored
    frames = []
    bar = tqdm(total=len(samples), desc="evalplus.evaluate", unit="sample", disable=not progress)
    for key, part in sample_sets(samples, layout):
        done = stored_path(key, layout)
        runs = not partial and key[0] not in skip_sources and part["benchmark"].iloc[0] in run_now
        if not done.exists() and not runs:
            if combine_stored:
                print(f"not yet run: {' / '.join(map(str, key))} ({len(part)} samples)", file=sys.stderr)
            bar.update(len(part))
            continue
        if not done.exists():
            verdicts, _ = run_evalplus_evaluate(part.to_dict("records"), workers=workers,
                                                benchmark=part["benchmark"].iloc[0])
            store_set(key, part, verdicts, layout)
        got = _read_table(done, layout.columns)
        shas = [solution_sha256(x) for x in part["solution"]]
        if len(got) != len(part) or list(got["solution_sha256"]) != shas:
            raise RuntimeError(f"{done}: stored verdicts do not match the samples (delete it to redo)")
        frames.append(got)
        bar.update(len(part))
    bar.close()
    if sum(len(f) for f in frames) != len(samples) and not (combine_stored and frames):
        return None
    verdicts = pd.concat(frames, ignore_index=True)
    verdicts = rerun_disagreements(verdicts, samples, outcomes, layout=layout)
    target = Path(out) if out else project_file(layout.file)
    return _write_csv_gz(verdicts.to_dict("records"), layout.columns + RERUN_COLUMNS, target,
                         target.name.removesuffix(".gz"))


def project_file(rel: str) -> Path:
    from flaws.data import project_root

    return project_root() / rel


def merge(outcomes, verdicts, keys: list[str] | None = None):
    """Our outcomes and EvalPlus's verdicts side by side, one row per sample.

    Every verdict must match exactly one outcome (same sample, same program);
    ``keys`` default to :data:`KEYS` (``NEW_SETS.keys`` for the new sets).
    """
    m = verdicts.merge(outcomes, on=keys or KEYS, how="left", validate="1:1", indicator=True)
    missing = m[m["_merge"] != "both"]
    if len(missing):
        r = missing.iloc[0]
        raise ValueError(f"{len(missing)} EvalPlus verdicts have no outcome, e.g. "
                         f"{r['model']} {r['task_id']} #{r['sample_index']}")
    return m.drop(columns="_merge")


def disagreements(merged):
    """Rows of :func:`merge` whose pass/not-pass differs on base or on plus."""
    base = merged["base_status"].eq("pass") != merged["evalplus_base"].eq("pass")
    plus = merged["plus_status"].eq("pass") != merged["evalplus_plus"].eq("pass")
    return merged[base | plus]


def rerun_disagreements(verdicts, samples, outcomes=None, workers: int = 1,
                        layout: Layout = HUMANEVAL):
    """Give EvalPlus the samples it disagreed on once more, alone, with one worker.

    Fills ``evalplus_base_rerun``/``evalplus_plus_rerun`` for those rows (empty
    elsewhere), one ``evalplus.evaluate`` per benchmark.  ``outcomes`` defaults
    to the committed outcomes file of the layout (``outcomes_new_sets.csv.gz``
    for :data:`NEW_SETS`).
    """
    from .outcomes import default_path, new_sets_path, read_outcomes
    from .runner import solution_sha256

    keys = layout.keys
    verdicts = verdicts.copy()
    for c in RERUN_COLUMNS:
        verdicts[c] = None
    if outcomes is None:
        src = new_sets_path() if layout is NEW_SETS else default_path()
        if not src.exists():
            return verdicts
        outcomes = read_outcomes(src, set_fields=layout is NEW_SETS)
    d = disagreements(merge(outcomes, verdicts[layout.columns], keys))
    if d.empty:
        return verdicts
    table = samples.assign(solution_sha256=[solution_sha256(x) for x in samples["solution"]])
    todo = d[keys].merge(table, on=keys, how="left", validate="1:1")
    bench = todo["benchmark"]
    row_of = {tuple(r): i for i, r in zip(verdicts.index, verdicts[keys].itertuples(index=False))}
    for b in sorted(bench.unique()):
        part = todo[bench == b]
        again, _ = run_evalplus_evaluate(part.to_dict("records"), workers=workers, benchmark=b)
        for r, v in zip(part[keys].itertuples(index=False), again):
            verdicts.loc[row_of[tuple(r)], RERUN_COLUMNS] = list(v)
    return verdicts


#: :func:`explain`'s reason when EvalPlus, re-running the sample alone, agrees with us
AGREES_ALONE = ("EvalPlus's wall-clock time limit: it disagreed in the full run and "
                "agrees when re-run alone")


def agrees_alone(listed) -> "pd.Series":
    """Per row of :func:`disagreement_list`: does EvalPlus agree with us when it re-runs the
    sample alone (the difference was its wall-clock limit in the loaded full run)?"""
    return listed["reason"].eq(AGREES_ALONE)


def explain(row, solution: str | None = None) -> str:
    """Why our verdict and EvalPlus's differ for one row of :func:`disagreements`.

    ``solution`` (the program text) lets it recognise programs that import a
    module EvalPlus's own process has already loaded (see :func:`imports_preloaded_by_evalplus`).
    """
    def agrees(b, p):
        return (isinstance(b, str) and (row["base_status"] == "pass") == (b == "pass")
                and (row["plus_status"] == "pass") == (p == "pass"))

    if agrees(row.get("evalplus_base_rerun"), row.get("evalplus_plus_rerun")):
        return AGREES_ALONE
    names = unimported_annotation_names(solution) if solution is not None else []
    if names and "pass" in (row["base_status"], row["plus_status"]):
        return (f"our executor: the program annotates with {', '.join(names)} without importing it; "
                "our zygote compiles the program under its own `from __future__ import annotations` "
                "(compile() inherits it), so the annotation is never evaluated, while EvalPlus's "
                "exec raises NameError")
    mods = imports_preloaded_by_evalplus(solution) if solution is not None else []
    if mods and "error" in (row["base_status"], row["plus_status"]):
        return (f"environment: the program imports {', '.join(mods)}, which EvalPlus's own "
                "process has already loaded (each sample runs in a fork of it); our sandbox "
                "imports it before the guard, but here that import failed")
    for w in ("base", "plus"):
        theirs = row.get(f"evalplus_{w}_rerun")
        theirs = theirs if isinstance(theirs, str) else row[f"evalplus_{w}"]
        if row[f"{w}_status"] == "timeout" and theirs == "pass":
            return ("time-limit borderline: the program needs about the time limit on one "
                    "input; our CPU-time limit expired, EvalPlus's wall-clock limit (four "
                    "times its own reference time, which it measures in wall-clock seconds "
                    "and which can be the longer one) did not")
        if (solution is not None and row[f"{w}_status"] == "pass" and theirs != "pass"
                and near_limit(solution, row["task_id"], w,
                               row.get("benchmark", "humaneval+")) >= 0.5):
            return ("time-limit borderline: the program passes here but needs at least half "
                    f"of the time limit on one {w} input, and EvalPlus's wall-clock limit "
                    "expired")
    return "unexplained"


def unimported_annotation_names(solution: str) -> list[str]:
    """Names used in the program's function annotations that nothing at module level binds
    (import, def, class, assignment) and that are not builtins: a definition that raises
    NameError when annotations are evaluated (parsed, never run; [] if it does not parse)."""
    import ast
    import builtins

    try:
        tree = ast.parse(solution)
    except (SyntaxError, ValueError):
        return []
    bound = set(dir(builtins))
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    used = set()
    for fn in (n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))):
        a = fn.args
        anns = [x.annotation for x in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg]
                if x is not None and x.annotation is not None] + [fn.returns]
        used |= {n.id for ann in anns if ann is not None for n in ast.walk(ann) if isinstance(n, ast.Name)}
    return sorted(used - bound)


def near_limit(solution: str, task_id: str, which: str, benchmark: str = "humaneval+",
               cap: float = 10.0) -> float:
    """The largest share of our time limit the program uses on any ``which`` input
    (its CPU seconds over the limit; runs it sandboxed in recording mode, at most
    ``cap`` seconds per input; inf when an input does not finish within the cap)."""
    from .pool import WorkerPool
    from .runner import judge_spec

    spec = judge_spec(benchmark, options={"record_time_limit": cap})
    task = next(t for t in spec["tasks"] if t["task_id"] == task_id)
    opts = spec["options"]
    job = {"task_id": task_id, "solution": solution, "mode": "record", "which": [which]}
    with WorkerPool(spec, workers=1) as pool:
        (_job, res), = list(pool.run([job]))
    times = res[which]["times"]
    if len(times) < task[f"n_{which}"]:
        return float("inf")
    limits = [max(opts["min_time_limit"], opts["factor"] * (x or 0.0)) for x in task[f"{which}_time"]]
    return max((t / lim for t, lim in zip(times, limits)), default=0.0)


@functools.lru_cache(maxsize=1)
def _zygote_modules() -> frozenset:
    """Modules our zygote has loaded before it forks a sample's process."""
    from .groundtruth import modules_after

    return frozenset(modules_after("from flaws.execute import zygote; zygote._preload()"))


def imports_preloaded_by_evalplus(solution: str) -> list[str]:
    """Modules the program imports that an ``evalplus.evaluate`` process has already
    loaded but our zygote has not: the ones :func:`flaws.execute.zygote._preimport`
    imports before the guard (parsed, never run)."""
    from .groundtruth import evalplus_modules
    from .zygote import imported_modules

    evalplus_mods = set(evalplus_modules())
    ours = _zygote_modules()
    return sorted(n for n in imported_modules(solution) if n in evalplus_mods and n not in ours)


#: every pass/not-pass difference of the new sets, with its reason (no program text)
DISAGREEMENTS_FILE = "data/processed/evalplus_disagreements_new_sets.csv"


def disagreement_columns(layout: Layout) -> list[str]:
    """The columns of :func:`disagreement_list` for the sets of ``layout``."""
    return [c for c in layout.keys if c != "solution_sha256"] + [
        "base_status", "plus_status", "evalplus_base", "evalplus_plus", *RERUN_COLUMNS, "reason"]


DISAGREEMENT_COLUMNS = disagreement_columns(NEW_SETS)


def disagreement_list(merged, samples, layout: Layout = NEW_SETS):
    """:func:`disagreements` of ``merged`` with :func:`explain`'s reason for each
    (``samples`` supplies the program text the explanation may need); columns
    :func:`disagreement_columns` of ``layout``."""
    import pandas as pd

    from .runner import solution_sha256

    d = disagreements(merged)
    columns = disagreement_columns(layout)
    table = samples.assign(solution_sha256=[solution_sha256(x) for x in samples["solution"]])
    sol = d[layout.keys].merge(table[layout.keys + ["solution"]], on=layout.keys, how="left",
                               validate="1:1")["solution"]
    rows = [{**{c: r.get(c) for c in columns[:-1]}, "reason": explain(r, s)}
            for r, s in zip(d.to_dict("records"), sol)]
    return pd.DataFrame(rows, columns=columns)


#: reader-facing names of :func:`disagreement_list`'s columns
READER_NAMES = {
    "model": "model", "prompt_style": "prompt style", "task_id": "task", "sample_index": "sample",
    "base_status": "ours: original", "plus_status": "ours: plus", "evalplus_base": "EvalPlus: original",
    "evalplus_plus": "EvalPlus: plus", "evalplus_base_rerun": "EvalPlus re-run: original",
    "evalplus_plus_rerun": "EvalPlus re-run: plus"}


def disagreement_table(listed):
    """:func:`disagreement_list` as the book lists it: one row per sample (configuration, task,
    sample, both tools' verdicts, EvalPlus's re-run) under reader-facing names, and the short
    ``reason`` (the explanation up to its first colon)."""
    shown = listed.assign(reason=listed["reason"].str.split(":").str[0])
    return shown[list(READER_NAMES) + ["reason"]].rename(columns=READER_NAMES)


def reason_counts(listed):
    """Samples per full explanation of :func:`disagreement_list` (columns explanation, samples),
    explanations in alphabetical order."""
    return listed.groupby("reason", sort=True).size().rename("samples").rename_axis("explanation").reset_index()


def write_disagreements(table, path: str | os.PathLike | None = None) -> Path:
    p = Path(path) if path else project_file(DISAGREEMENTS_FILE)
    p.parent.mkdir(parents=True, exist_ok=True)
    text = table.fillna("").to_csv(index=False, lineterminator="\n")
    if not p.exists() or p.read_text() != text:
        p.write_text(text)
    return p


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m flaws.execute.agreement",
                                 description="Run evalplus.evaluate on every collected sample")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--skip-source", action="append", default=[],
                    help="leave this source's sets for later (repeatable)")
    ap.add_argument("--new-sets", action="store_true",
                    help="the sets of flaws.samples.NEW_SOURCES (HumanEval+ and MBPP+) -> "
                         "evalplus_verdicts_new_sets.csv.gz, and their disagreements listed")
    ap.add_argument("--partial", action="store_true",
                    help="run nothing new: combine the sets already stored (and list the rest)")
    ap.add_argument("--benchmark", action="append", choices=sorted(OVERRIDE), default=None,
                    help="with --new-sets: only this benchmark's sets (repeatable)")
    a = ap.parse_args(argv)
    layout = NEW_SETS if a.new_sets else HUMANEVAL
    out = evalplus_all(workers=a.workers, out=a.out, skip_sources=tuple(a.skip_source),
                       layout=layout, benchmarks=tuple(a.benchmark) if a.benchmark else None,
                       partial=a.partial)
    from flaws.data import relpath

    print(f"wrote {relpath(out)}" if out else "some sample sets were skipped: nothing combined yet")
    if out and a.new_sets:
        from flaws.samples import NEW_SOURCES, load_all

        from .outcomes import new_sets_path, read_outcomes

        if new_sets_path().exists():
            merged = merge(read_outcomes(new_sets_path(), set_fields=True),
                           read_verdicts(out, NEW_SETS), NEW_SETS.keys)
            d = disagreement_list(merged, load_all(NEW_SOURCES, progress=False))
            print(f"{len(merged)} samples compared, {len(d)} disagree: wrote "
                  f"{relpath(write_disagreements(d))}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
