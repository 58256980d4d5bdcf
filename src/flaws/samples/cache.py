"""The git-ignored cache of sample tables in ``data/interim/samples/``.

Each mirrored source is cached as ``<source_id>.jsonl.gz`` (one JSON object per sample,
canonical fields plus ``raw`` and what the sanitizer did) next to ``<source_id>.meta.json``, which records the hash
of everything the table was built from (the source's files, the benchmark file and the
code of :mod:`flaws.samples`) and the sha256 of the data file.  A cache entry is used only
when both match; files are written to a temporary name and renamed, and gzip is written
without a timestamp so that rebuilding gives byte-identical files.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
from pathlib import Path

import pandas as pd

from .record import COLUMNS, RAW_COLUMN, SANITIZER_COLUMNS
from .._io import atomic_write

FORMAT_VERSION = 2  # 2: sampling and run


def cache_dir() -> Path:
    from flaws import data

    return data.project_root() / "data" / "interim" / "samples"


def table_to_jsonl_gz(df: pd.DataFrame) -> bytes:
    extra = [c for c in (RAW_COLUMN,) + SANITIZER_COLUMNS if c in df.columns]
    columns = tuple(COLUMNS) + tuple(extra)
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=6) as gz:
        for row in df[list(columns)].itertuples(index=False, name=None):
            rec = dict(zip(columns, row))
            rec["temperature"] = None if pd.isna(rec["temperature"]) else float(rec["temperature"])
            rec["sample_index"] = int(rec["sample_index"])
            gz.write((json.dumps(rec, ensure_ascii=False) + "\n").encode("utf-8"))
    return buf.getvalue()


def table_from_jsonl_gz(payload: bytes, where: str) -> pd.DataFrame:
    records = []
    with gzip.GzipFile(fileobj=io.BytesIO(payload)) as gz:
        for lineno, line in enumerate(gz, start=1):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f"{where}: line {lineno}: not valid JSON ({err.msg})") from None
    present = set(records[0]) if records else set()
    columns = list(COLUMNS) + [c for c in (RAW_COLUMN,) + SANITIZER_COLUMNS if c in present]
    df = pd.DataFrame.from_records(records, columns=columns)
    df["temperature"] = df["temperature"].astype(float)
    df["sample_index"] = df["sample_index"].astype("int64")
    return df


def write(name: str, df: pd.DataFrame, input_hash: str, directory: Path | None = None) -> Path:
    """Write one cached table and its metadata (data first, then metadata)."""
    directory = directory or cache_dir()
    payload = table_to_jsonl_gz(df)
    data_path = directory / f"{name}.jsonl.gz"
    atomic_write(data_path, payload)
    meta = {"format_version": FORMAT_VERSION, "input_hash": input_hash,
            "data_sha256": hashlib.sha256(payload).hexdigest(), "rows": int(len(df))}
    atomic_write(directory / f"{name}.meta.json", (json.dumps(meta, indent=1, sort_keys=True) + "\n").encode())
    return data_path


def read(name: str, input_hash: str, directory: Path | None = None) -> pd.DataFrame | None:
    """The cached table if it was built from the same inputs and is intact, else None."""
    directory = directory or cache_dir()
    data_path = directory / f"{name}.jsonl.gz"
    meta_path = directory / f"{name}.meta.json"
    if not (data_path.exists() and meta_path.exists()):
        return None
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    if meta.get("format_version") != FORMAT_VERSION or meta.get("input_hash") != input_hash:
        return None
    payload = data_path.read_bytes()
    if hashlib.sha256(payload).hexdigest() != meta.get("data_sha256"):
        return None
    df = table_from_jsonl_gz(payload, str(data_path))
    return df if len(df) == meta.get("rows") else None


def code_hash(*modules) -> str:
    """sha256 over the source code of the given modules (so code changes invalidate the cache)."""
    h = hashlib.sha256()
    for mod in modules:
        h.update(Path(mod.__file__).read_bytes())
    return h.hexdigest()
