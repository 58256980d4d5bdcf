"""``data/processed/outcomes.csv.gz``: one row per sample, byte-identical on re-runs.

Rows are sorted by (benchmark, source_id, model, prompt_style, temperature,
task number, sample_index, solution_sha256); the CSV is written with ``\\n`` line
ends and the gzip header carries ``mtime=0`` and the fixed name
``outcomes.csv``, written to a temporary file and renamed.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import os
import re
from pathlib import Path
from typing import Iterable

from .runner import COLUMNS, SET_FIELDS
from .._io import atomic_write

#: columns of ``outcomes_new_sets.csv.gz``: those of ``outcomes.csv.gz`` plus the set fields
NEW_SETS_COLUMNS = COLUMNS + SET_FIELDS


def _task_number(task_id: str):
    m = re.search(r"(\d+)$", task_id or "")
    return (int(m.group(1)) if m else -1, task_id or "")


def _temperature_key(t) -> float:
    if t is None or t == "":
        return float("-inf")
    t = float(t)
    return float("-inf") if math.isnan(t) else t  # NaN would make the sort order-dependent


def sort_key(r: dict):
    t = r.get("temperature")
    return (r.get("benchmark") or "", r.get("source_id") or "", r.get("model") or "",
            r.get("prompt_style") or "", _temperature_key(t), r.get("run") or "",
            _task_number(r["task_id"]), int(r.get("sample_index") or 0), r["solution_sha256"])


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return "" if math.isnan(v) else repr(v)  # unknown temperature: empty
    return str(v)


def to_csv_bytes(records: Iterable[dict], columns: list[str] = COLUMNS) -> bytes:
    # the row's own text breaks any remaining tie, so input order never matters
    rows = sorted(records, key=lambda r: (sort_key(r), [_cell(r.get(c)) for c in columns]))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in columns])
    return buf.getvalue().encode("utf-8")


def write_outcomes(records: Iterable[dict], path: str | os.PathLike, columns: list[str] = COLUMNS) -> Path:
    """Write sorted outcome records as gzipped CSV with ``columns`` (default: those of
    ``outcomes.csv.gz``; :data:`NEW_SETS_COLUMNS` adds ``sampling`` and ``run``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = io.BytesIO()
    with gzip.GzipFile(filename="outcomes.csv", mode="wb", fileobj=raw, mtime=0,
                       compresslevel=9) as gz:
        gz.write(to_csv_bytes(records, columns))
    atomic_write(path, raw.getvalue())
    return path


def read_outcomes(path: str | os.PathLike, set_fields: bool = False, *, as_text: bool = False):
    """An outcomes table, as written (gzipped or not): the one reader of outcome files.

    By default typed as the executor writes it (``first_failed_*`` as ``Int64``; it round-trips
    through :func:`to_csv_bytes` to the same bytes). With ``as_text`` every column but
    ``temperature`` and ``sample_index`` stays text, empty cells empty: the typing
    :func:`flaws.metrics.load_outcomes` validates. With ``set_fields`` a file written before
    ``sampling`` and ``run`` existed gets ``sampling="iid"`` and ``run=""`` (all its sets are iid,
    without runs)."""
    import pandas as pd

    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    if as_text:
        dtype = {c: "string" for c in COLUMNS + SET_FIELDS if c not in ("temperature", "sample_index")}
        na_values = {"temperature": [""], "sample_index": [""]}
    else:
        dtype = {"first_failed_base": "Int64", "first_failed_plus": "Int64", "sample_index": int,
                 "run": str, "sampling": str}
        na_values = {"temperature": [""], "first_failed_base": [""], "first_failed_plus": [""]}
    df = pd.read_csv(io.BytesIO(raw), dtype=dtype, keep_default_na=False, na_values=na_values)
    if set_fields:
        if "sampling" not in df.columns:
            df["sampling"] = "iid"
        if "run" not in df.columns:
            df["run"] = ""
    return df


def default_path() -> Path:
    from flaws.data import project_root

    return project_root() / "data" / "processed" / "outcomes.csv.gz"


def new_sets_path() -> Path:
    """``data/processed/outcomes_new_sets.csv.gz``: the sets of :data:`flaws.samples.NEW_SOURCES`."""
    return default_path().with_name("outcomes_new_sets.csv.gz")


def _judge_all(samples, workers: int, progress: bool, journal_prefix: str,
               journal_dir: Path | None = None) -> list[dict]:
    from .groundtruth import cache_dir
    from .runner import EXECUTOR_VERSION, evaluate

    journal_dir = Path(journal_dir) if journal_dir is not None else cache_dir()
    records = []
    for bench in sorted(samples["benchmark"].unique()):
        part = samples[samples["benchmark"] == bench].to_dict("records")
        journal = journal_dir / f"{journal_prefix}-{bench.rstrip('+')}-v{EXECUTOR_VERSION}.jsonl"
        records += list(evaluate(part, bench, workers=workers, journal=journal,
                                 progress=progress))
    return records


def build(out: str | os.PathLike | None = None, workers: int = 2, progress: bool = True,
          samples=None) -> Path:
    """Judge every collected sample and write ``outcomes.csv.gz`` (resumable).

    ``samples`` defaults to :func:`flaws.samples.load_all`.  Each benchmark's
    outcomes are journaled in ``data/interim/execute/journal-<benchmark>-v<EXECUTOR_VERSION>.jsonl``,
    so an interrupted build resumes where it stopped.
    """
    if samples is None:
        from flaws.samples import load_all

        samples = load_all(progress=progress)
    return write_outcomes(_judge_all(samples, workers, progress, "journal"), out or default_path())


def build_new_sets(out: str | os.PathLike | None = None, workers: int = 1, progress: bool = True,
                   samples=None, journal_dir: str | os.PathLike | None = None) -> Path:
    """Judge the sets of :data:`flaws.samples.NEW_SOURCES` and write them, with ``sampling`` and
    ``run``, to ``outcomes_new_sets.csv.gz`` (resumable; journals ``journal-new-sets-<benchmark>-v<N>.jsonl``).

    ``outcomes.csv.gz`` is not touched: the new rows are meant to be appended to it later."""
    if samples is None:
        from flaws.samples import NEW_SOURCES, load_all

        samples = load_all(NEW_SOURCES, progress=progress)
    records = _judge_all(samples, workers, progress, "journal-new-sets", journal_dir)
    return write_outcomes(records, out or new_sets_path(), NEW_SETS_COLUMNS)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(prog="python -m flaws.execute.outcomes",
                                 description="Judge all collected samples -> outcomes.csv.gz")
    ap.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 2)))
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--new-sets", action="store_true",
                    help="judge the sets added with MBPP+ into outcomes_new_sets.csv.gz instead")
    a = ap.parse_args(argv)
    path = (build_new_sets if a.new_sets else build)(a.out, workers=a.workers)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
