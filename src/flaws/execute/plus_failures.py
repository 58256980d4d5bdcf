"""``data/processed/plus_failures.csv.gz``: every plus input each false positive fails.

A program that passes the base tests is accepted by "base + some plus inputs" unless it
fails one of those inputs, so a verifier built from plus inputs needs, for each
base-passing program that fails plus (a false positive of the base tests), the full list
of plus inputs it fails; the executor's default run stops at the first (``first_failed_plus``).
Correct programs pass every plus input and programs failing base are rejected anyway, so
only the false positives are executed again, each distinct program of a task once, with
``evaluate(details=True)`` (EvalPlus's ``--test-details`` analogue), journaled so an
interrupted build resumes.

One row per distinct program (``task_id, solution_sha256``; join to ``outcomes.csv.gz`` on
both), sorted by task number and hash, gzip header ``mtime=0`` (byte-identical re-runs)::

    task_id, solution_sha256, n_plus, reached, failed_plus

``failed_plus`` lists the 0-based indices of the failing inputs as ranges
(``"1,3,5-9"``, :func:`encode_indices`); ``reached`` is the number of leading inputs
judged before the run's CPU budget ran out (``n_plus`` when all were judged): inputs from
``reached`` on are unknown. A file written from an unfinished run (:func:`from_journal`) holds
the programs not executed yet with their first failing input only (``reached`` right after it).
"""

from __future__ import annotations

import csv
import gzip
import io
import os
from pathlib import Path
from .._io import atomic_write

COLUMNS = ["task_id", "solution_sha256", "n_plus", "reached", "failed_plus"]


def encode_indices(indices) -> str:
    """Sorted distinct indices as comma-separated ranges: ``[1, 3, 4, 5]`` -> ``"1,3-5"``."""
    idx = sorted(set(int(i) for i in indices))
    parts, k = [], 0
    while k < len(idx):
        j = k
        while j + 1 < len(idx) and idx[j + 1] == idx[j] + 1:
            j += 1
        parts.append(str(idx[k]) if j == k else f"{idx[k]}-{idx[j]}")
        k = j + 1
    return ",".join(parts)


def decode_indices(text) -> list[int]:
    """Inverse of :func:`encode_indices` (empty text or NaN: no index)."""
    if not isinstance(text, str) or not text:
        return []
    out: list[int] = []
    for part in text.split(","):
        a, _, b = part.partition("-")
        out.extend(range(int(a), int(b or a) + 1))
    return out


def distinct_programs(outcomes, samples) -> list[dict]:
    """The distinct programs (task, hash) of the rows of ``outcomes``, with their text from
    ``samples`` (:func:`flaws.samples.load_all`): ``{task_id, solution_sha256, solution,
    timeout}`` (``timeout``: the plus run timed out), by task number and hash."""
    from .outcomes import _task_number

    from .runner import solution_sha256

    samples = samples.assign(solution_sha256=[solution_sha256(s) for s in samples["solution"]])
    keys = outcomes[["task_id", "solution_sha256", "plus_status"]].drop_duplicates(
        ["task_id", "solution_sha256"])
    text = samples.drop_duplicates(["task_id", "solution_sha256"]).set_index(
        ["task_id", "solution_sha256"])["solution"]
    rows = [{"task_id": t, "solution_sha256": h, "solution": text[(t, h)],
             "timeout": st == "timeout"}
            for t, h, st in keys.itertuples(index=False)]
    rows.sort(key=lambda r: (_task_number(r["task_id"]), r["solution_sha256"]))
    return rows


def false_positive_programs(outcomes, samples):
    """Distinct programs (task, hash, solution) that pass base and fail plus, cheap ones
    (plus ``fail``) before time-outs, then by task number and hash."""
    fp = outcomes[(outcomes["base_status"] == "pass") & (outcomes["plus_status"] != "pass")]
    rows = distinct_programs(fp, samples)
    rows.sort(key=lambda r: r["timeout"])  # stable: task number and hash within each
    return rows


def to_rows(records, n_plus: dict[str, int]) -> list[dict]:
    """Rows of the file from details-mode outcome records."""
    rows = {}
    for r in records:
        rows[(r["task_id"], r["solution_sha256"])] = {
            "task_id": r["task_id"], "solution_sha256": r["solution_sha256"],
            "n_plus": n_plus[r["task_id"]], "reached": r["reached_plus"],
            "failed_plus": encode_indices(r["failed_plus"])}
    return list(rows.values())


def write(rows, path: str | os.PathLike) -> Path:
    from .outcomes import _task_number

    rows = sorted(rows, key=lambda r: (_task_number(r["task_id"]), r["solution_sha256"]))
    return write_csv_gz(rows, COLUMNS, path)


def write_csv_gz(rows, columns, path: str | os.PathLike) -> Path:
    """``rows`` (dicts, in the given order) as a gzipped CSV of ``columns``, header ``mtime=0``
    (byte-identical re-runs), written atomically."""
    path = Path(path)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([r[c] for c in columns])
    raw = io.BytesIO()
    with gzip.GzipFile(filename=path.name.removesuffix(".gz"), mode="wb", fileobj=raw, mtime=0,
                       compresslevel=9) as gz:
        gz.write(buf.getvalue().encode())
    atomic_write(path, raw.getvalue())
    return path


def read(path: str | os.PathLike | None = None):
    """The file as a table with ``failed`` (list of indices) decoded."""
    import pandas as pd

    df = pd.read_csv(path or default_path(), dtype={"failed_plus": str}, keep_default_na=False)
    df["failed"] = [decode_indices(x) for x in df["failed_plus"]]
    return df


def default_path() -> Path:
    from flaws.data import project_root

    return project_root() / "data" / "processed" / "plus_failures.csv.gz"


def build(out=None, workers: int = 1, time_cap: float | None = None, progress: bool = True,
          limit: int | None = None) -> Path:
    """Execute the false positives of ``outcomes.csv.gz`` in details mode (resumable)."""
    from flaws.samples import load_all

    from .groundtruth import cache_dir, load_tasks
    from .outcomes import default_path as outcomes_path, read_outcomes
    from .runner import EXECUTOR_VERSION, evaluate

    progs = false_positive_programs(read_outcomes(outcomes_path()), load_all(progress=False))
    if limit is not None:
        progs = progs[:limit]
    n_plus = {t["task_id"]: len(t["plus_input"]) for t in load_tasks("humaneval+")}
    journal = cache_dir() / f"journal-plus-details-v{EXECUTOR_VERSION}.jsonl"
    import time

    stats: dict = {}
    t0 = time.monotonic()
    recs = list(evaluate(progs, "humaneval+", workers=workers, journal=journal,
                         progress=progress, details=True, details_time_cap=time_cap,
                         stats=stats))
    if stats.get("runs"):
        print(f"executed {stats['runs'] // 2} programs (base and plus runs) in "
              f"{time.monotonic() - t0:.0f} s wall, {stats['child_cpu_seconds']:.0f} s "
              f"CPU of the programs, {workers} worker(s)")
    return write(to_rows(recs, n_plus), out or default_path())


def from_journal(out=None) -> tuple[Path, int]:
    """Write the file from the journal of an unfinished :func:`build`: programs not executed yet
    get the one failing input the outcomes record (``first_failed_plus``) and
    ``reached = first_failed_plus + 1`` (every later input unknown). Returns the path and the
    number of programs filled in that way."""
    from .groundtruth import cache_dir, load_tasks
    from .outcomes import default_path as outcomes_path, read_outcomes
    from .runner import EXECUTOR_VERSION, read_journal

    journal = cache_dir() / f"journal-plus-details-v{EXECUTOR_VERSION}.jsonl"
    n_plus = {t["task_id"]: len(t["plus_input"]) for t in load_tasks("humaneval+")}
    rows = {(r["task_id"], r["solution_sha256"]): r
            for r in to_rows(read_journal(journal).values(), n_plus)}
    o = read_outcomes(outcomes_path())
    fp = o[(o["base_status"] == "pass") & (o["plus_status"] != "pass")].drop_duplicates(
        ["task_id", "solution_sha256"])
    filled = 0
    for t, h, first in fp[["task_id", "solution_sha256", "first_failed_plus"]].itertuples(index=False):
        if (t, h) not in rows:
            rows[(t, h)] = {"task_id": t, "solution_sha256": h, "n_plus": n_plus[t],
                            "reached": int(first) + 1, "failed_plus": encode_indices([first])}
            filled += 1
    return write(rows.values(), out or default_path()), filled


def cost_summary(programs_executed: int, wall_seconds: float, time_cap: float, workers: int = 1,
                 path=None) -> dict:
    """Measured cost of a run and its extrapolation to every distinct program of the outcomes
    that fails plus (correct programs already run every plus input in the default mode)."""
    from .outcomes import default_path as outcomes_path, read_outcomes

    path = Path(path or default_path())
    o = read_outcomes(outcomes_path())
    failing = o[o["plus_status"] != "pass"].drop_duplicates(["task_id", "solution_sha256"])
    n_file = max(1, sum(1 for _ in gzip.open(path, "rt")) - 1)
    size = path.stat().st_size
    per = wall_seconds / max(1, programs_executed)
    return {"programs_executed": int(programs_executed), "wall_seconds": round(float(wall_seconds), 1),
            "workers": workers, "time_cap_cpu_seconds": time_cap, "file_bytes": size,
            "file_programs": n_file, "all_plus_failing_programs": int(len(failing)),
            "extrapolated_wall_hours_all": round(per * len(failing) / 3600, 2),
            "extrapolated_bytes_all": int(size / n_file * len(failing))}


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m flaws.execute.plus_failures",
                                 description="Every failing plus input of the false positives")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--time-cap", type=float, default=None,
                    help="CPU seconds per program over all its plus inputs (default: EvalPlus's "
                         "per-run cap, min(60, sum of limits) + 1)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N programs")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--from-journal", action="store_true",
                    help="write the file from an unfinished run's journal (no execution)")
    a = ap.parse_args(argv)
    if a.from_journal:
        path, filled = from_journal(a.out)
        print(f"wrote {path} ({filled} programs not executed: first failing input only)")
        return 0
    print(f"wrote {build(a.out, a.workers, a.time_cap, limit=a.limit)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
