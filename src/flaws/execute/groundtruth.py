"""Tasks and expected outputs (the ground truth every verdict is compared with).

* Tasks come from :func:`flaws.data.load_benchmark`, whose MBPP+ inputs are
  deserialised with EvalPlus's own ``mbpp_deserialize_inputs`` (tuples, sets,
  complex numbers), as ``evalplus.data.get_mbpp_plus`` does.
* Expected outputs: each task's reference program (``prompt +
  canonical_solution``, as EvalPlus's ``get_groundtruth``) is run on every base
  and every plus input **in the same sandbox as the samples** (a fresh process
  per input set), never in this process.  Its outputs come back through the
  plain-data codec, together with the CPU seconds each input took (measured by
  the worker from ``/proc``, like the samples' times; the reference runs ``reps``
  times and the per-input minimum is kept, so a loaded machine does not inflate
  the time limits).  For MBPP's not-None tasks the expected output is
  ``out is not None``, as EvalPlus's ``trusted_exec(output_not_none=True)``.
* The result is cached once per benchmark version in
  ``data/interim/execute/expected-<benchmark>-<sha256 of the benchmark file>/``
  (git-ignored, mode 0700; see :func:`expected_outputs`).  Workers get it
  bind-mounted read-only; the unprivileged sample process cannot read it.
* If the reference itself cannot produce an input's output inside the sandbox
  limits (memory, time), that input's expected output is recorded as missing
  and every sample fails on it; :func:`reference_failures` lists such inputs.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

from . import codec
from .protocol import MISSING, load_expected_file  # noqa: F401 - part of this module's API

DATASET = {"humaneval+": "humaneval", "mbpp+": "mbpp"}
CACHE_VERSION = 2

#: Where EvalPlus 0.3.1 itself does not judge a canonical solution "pass" on both
#: test sets, or judges a constant program "pass": reproduced by this executor and
#: asserted by ``tests/test_execute_selfcheck.py``.  task -> (what, why).
EVALPLUS_EXCEPTIONS = {
    "humaneval+": {
        "HumanEval/32": ("canonical fails base and plus",
                         "find_zero's special oracle `continue`s before the input is counted, so "
                         "EvalPlus 0.3.1 judges every HumanEval/32 sample 'fail'"),
    },
    "mbpp+": {
        "Mbpp/255": ("canonical fails plus",
                     "the reference cannot produce the output of its largest plus inputs within "
                     "EvalPlus's 4 GiB address-space limit, so no program can pass them"),
        "Mbpp/164": ("a constant program passes",
                     "EvalPlus's are_equivalent oracle accepts any output"),
        "Mbpp/787": ("a constant program passes plus",
                     "text_match_three is judged on `out is not None` and every plus input "
                     "expects no match, so returning None passes the plus tests"),
        "Mbpp/793": ("a constant program passes plus",
                     "this MBPP+ pre-release has no plus inputs for Mbpp/793, so every program "
                     "passes plus"),
    },
}

#: Canonical solutions EvalPlus 0.3.1 fails only *sometimes*: its limits are wall-clock
#: seconds, so on a busy machine the reference misses its own 4x limit on a large plus
#: input (observed here for Mbpp/392 get_max_sum(10**6); also Mbpp/599 and Mbpp/630 under
#: heavy load).  Counted in CPU seconds they pass reliably under this executor.
EVALPLUS_INTERMITTENT = {"mbpp+": ("Mbpp/392", "Mbpp/599", "Mbpp/630")}

# Inputs whose reference output could not be recorded are stored as this marker;
# the worker judges any output against it as a failure.


def dataset_of(benchmark: str) -> str:
    try:
        return DATASET[benchmark]
    except KeyError:
        raise ValueError(f"unknown benchmark {benchmark!r}; expected one of {sorted(DATASET)}") from None


def load_tasks(benchmark: str) -> list[dict]:
    """Benchmark tasks, inputs deserialised as EvalPlus does.

    :func:`flaws.data.load_benchmark` already applies EvalPlus's
    ``mbpp_deserialize_inputs`` to MBPP+ (applying it twice would corrupt
    Mbpp/115), so this only checks the benchmark name.
    """
    from flaws.data import load_benchmark

    dataset_of(benchmark)
    return load_benchmark(benchmark)


def reference_program(task: dict) -> str:
    return task["prompt"] + task["canonical_solution"]


def cache_dir() -> Path:
    """``execute/`` under the interim directory (``data/interim`` or ``$FLAWS_INTERIM_DIR``)."""
    from flaws.data import interim_dir

    d = interim_dir() / "execute"
    d.mkdir(parents=True, exist_ok=True)
    os.chmod(d, 0o700)
    return d


def _not_none_task(dataset: str, entry_point: str) -> bool:
    from evalplus.eval._special_oracle import MBPP_OUTPUT_NOT_NONE_TASKS

    return dataset == "mbpp" and entry_point in MBPP_OUTPUT_NOT_NONE_TASKS


def task_spec(benchmark: str, tasks: list[dict]) -> list[dict]:
    """Per-task entries of the worker spec (inputs only, no expected outputs)."""
    ds = dataset_of(benchmark)
    return [{
        "task_id": t["task_id"], "entry_point": t["entry_point"], "atol": t["atol"],
        "not_none": _not_none_task(ds, t["entry_point"]),
        "base_input": codec.dumps(t["base_input"]), "plus_input": codec.dumps(t["plus_input"]),
        "n_base": len(t["base_input"]), "n_plus": len(t["plus_input"]),
    } for t in tasks]


def modules_after(setup: str) -> list[str]:
    """The modules a fresh interpreter has loaded after running ``setup`` (trusted code)."""
    out = subprocess.run([sys.executable, "-c", f"import json, sys; {setup}; "
                          "print(json.dumps(sorted(sys.modules)))"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


@functools.lru_cache(maxsize=1)
def evalplus_modules() -> list[str]:
    """Modules loaded in a process that has imported ``evalplus.evaluate``.

    EvalPlus runs each sample in a fork of such a process, so these import for
    free there (see :func:`flaws.execute.zygote._preimport`).  Computed once per
    process, in a subprocess.
    """
    return modules_after("import evalplus.evaluate")


def options(**over) -> dict:
    """Execution options (EvalPlus defaults)."""
    from evalplus.config import DEFAULT_GT_TIME_LIMIT_FACTOR, DEFAULT_MIN_TIME_LIMIT

    try:
        import psutil

        total = psutil.virtual_memory().total
    except Exception:  # noqa: BLE001
        total = 4 << 30
    o = {
        "min_time_limit": DEFAULT_MIN_TIME_LIMIT,   # 1.0 s
        "factor": DEFAULT_GT_TIME_LIMIT_FACTOR,     # 4.0
        "task_time_cap": 60.0,                      # EVALPLUS_TIMEOUT_PER_TASK default
        "memory_bytes": min(4 << 30, total),        # EvalPlus's RLIMIT_AS
        "wall_factor": 3.0, "wall_slack": 5.0,
        "file_bytes": 64 << 20, "open_files": 256, "processes": 32,
        "max_frame_bytes": 512 << 20,
        "record_time_limit": 120.0,
        "find_zero_quirk": True,
    }
    o.update(over)
    return o


def _cache_path(benchmark: str) -> Path:
    from flaws.data import benchmark_sha256

    return cache_dir() / f"expected-{benchmark.rstrip('+')}-{benchmark_sha256(benchmark)}"


def expected_outputs(benchmark: str, workers: int = 1, reps: int = 2,
                     progress: bool = True) -> Path:
    """Directory of the cached expected outputs (computed once per benchmark version).

    Layout: ``index.json`` maps each task id to its canonical CPU times per input
    (``base_time``, ``plus_time``), the reference run's statuses, the first input
    without a reference output (``base_missing``/``plus_missing``, or null) and
    the name of its output file; ``<n>.json.gz`` holds ``{"base": [...], "plus": [...]}``
    (codec-encoded outputs).  Workers read a task's file when they first judge it,
    so a pool starts without copying hundreds of megabytes of outputs (HumanEval/15
    and /130 alone have 260 MB).  Directory mode 0700, files 0600.
    """
    path = _cache_path(benchmark)
    if _current(path):
        return path
    # one process computes, concurrent ones (several runs, Dask workers of one
    # machine) wait for it and then find the cache
    import fcntl

    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _current(path):
            return path
        _compute_expected_dir(benchmark, path, workers, reps, progress)
    return path


def _current(path: Path) -> bool:
    idx = path / "index.json"
    if not idx.exists():
        return False
    return json.loads(idx.read_text()).get("version") == CACHE_VERSION


def _compute_expected_dir(benchmark: str, path: Path, workers: int, reps: int,
                          progress: bool) -> None:
    tasks = load_tasks(benchmark)
    data = compute_expected(benchmark, tasks, workers=workers, reps=reps, progress=progress)
    tmp = path.with_name(path.name + ".tmp")
    if tmp.exists():
        import shutil

        shutil.rmtree(tmp)
    tmp.mkdir(mode=0o700)
    index = {}
    for k, (tid, e) in enumerate(data.items()):
        fname = f"{k}.json.gz"
        fd = os.open(tmp / fname, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, gzip.GzipFile(filename=fname[:-3], mode="wb",
                                                       fileobj=raw, mtime=0) as fh:
            fh.write(json.dumps({"base": e["base"], "plus": e["plus"]}).encode())
        index[tid] = {"file": fname,
                      **{f"{w}_{x}": e[f"{w}_{x}"] for w in ("base", "plus")
                         for x in ("time", "status")},
                      **{f"{w}_missing": (e[w].index(MISSING) if MISSING in e[w] else None)
                         for w in ("base", "plus")}}
    (tmp / "index.json").write_text(json.dumps({"version": CACHE_VERSION, "benchmark": benchmark,
                                                "tasks": index}, sort_keys=True))
    if path.exists():
        import shutil

        shutil.rmtree(path)
    os.replace(tmp, path)


def expected_index(path: Path) -> dict:
    """``{task_id: {"file", "base_time", "plus_time", ...}}`` of a cache directory."""
    return json.loads((Path(path) / "index.json").read_text())["tasks"]


def compute_expected(benchmark: str, tasks: list[dict], workers: int = 1, reps: int = 2,
                     progress: bool = True) -> dict:
    from tqdm import tqdm

    from .pool import WorkerPool

    ds = dataset_of(benchmark)
    spec = {"dataset": ds, "tasks": task_spec(benchmark, tasks), "options": options()}
    by_id = {t["task_id"]: t for t in tasks}
    jobs = [{"task_id": t["task_id"], "solution": reference_program(t), "mode": "record",
             "which": [which], "rep": r}
            for r in range(reps) for t in tasks for which in ("base", "plus")]
    runs: dict = {}
    with WorkerPool(spec, workers=workers) as pool:
        bar = tqdm(total=len(jobs), desc=f"expected outputs {benchmark}", disable=not progress)
        for job, res in pool.run(jobs):
            which = job["which"][0]
            runs.setdefault((job["task_id"], which), []).append(res[which])
            bar.update()
        bar.close()
    out: dict = {}
    for tid, t in by_id.items():
        entry = {}
        not_none = _not_none_task(ds, t["entry_point"])
        for which in ("base", "plus"):
            n = len(t[f"{which}_input"])
            rs = runs[(tid, which)]
            first = rs[0]
            outs = list(first["outputs"]) + [MISSING] * (n - len(first["outputs"]))
            if not_none:
                outs = [o if o == MISSING else _as_not_none(o) for o in outs]
            times = []
            for k in range(n):
                ts = [r["times"][k] for r in rs if k < len(r["times"])]
                times.append(min(ts) if ts else None)
            entry[which] = outs
            entry[f"{which}_time"] = times
            entry[f"{which}_status"] = first["status"]
        out[tid] = entry
    return out


def _as_not_none(enc: str) -> str:
    v, _ = codec.decode(enc.encode())
    flag = v.is_not_none if isinstance(v, codec.NotNone) else v is not None
    return codec.dumps(flag)


def reference_failures(index: dict) -> list[tuple[str, str, int]]:
    """``(task_id, base|plus, first input index)`` where the reference produced no output."""
    return [(tid, w, e[f"{w}_missing"]) for tid, e in index.items() for w in ("base", "plus")
            if e.get(f"{w}_missing") is not None]
