"""Verified raw inputs: the fetcher and the benchmark loader.

Every raw file is registered in ``data/sources.toml`` with its canonical URL and sha256.
:func:`path` returns a local, verified copy under ``data/raw/<source_id>/<file>`` (git-ignored).
The copy comes from ``$FLAWS_MIRROR/<source_id>/<file>`` when that variable is set (machines
without internet, CI), else it is downloaded from the canonical URL. Both go through `pooch`_:
the file is written to a temporary name, its sha256 checked, and only then renamed into place, so
an unverified file is never visible. A verified file is not fetched again.

.. _pooch: https://www.fatiando.org/pooch/
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import pathlib
import shutil

import pooch

from . import sources
from .sources import project_root
from ._io import atomic_path

__all__ = [
    "FetchError",
    "BENCHMARKS",
    "project_root",
    "raw_dir",
    "files",
    "path",
    "fetch",
    "load_benchmark",
    "benchmark_sha256",
    "relpath",
    "interim_dir",
    "MBPP_NOTE",
]

MIRROR_ENV = "FLAWS_MIRROR"
RAW_ENV = "FLAWS_RAW_DIR"
INTERIM_ENV = "FLAWS_INTERIM_DIR"

#: benchmark name -> (source id, file, the hub dataset of the same benchmark)
BENCHMARKS = {
    "humaneval+": ("humanevalplus-v0.1.10", "HumanEvalPlus.jsonl.gz", "evalplus/humanevalplus"),
    "mbpp+": ("mbppplus-2023-11", "MbppPlus.jsonl", "evalplus/mbppplus"),
}

#: the note every use of MBPP+ carries
MBPP_NOTE = (
    "MBPP+ here is the 399-task 2023-11 pre-release from the EvalPlus git history; "
    "the paper used release v0.2.0 (378 tasks)."
)


pooch.get_logger().setLevel("WARNING")  # it would announce a URL even when copying the mirror


class FetchError(RuntimeError):
    """A raw file could not be fetched or failed verification."""


def raw_dir() -> pathlib.Path:
    """Where verified raw files live (``data/raw`` unless ``$FLAWS_RAW_DIR`` says otherwise)."""
    env = os.environ.get(RAW_ENV)
    return pathlib.Path(env) if env else project_root() / "data" / "raw"


def interim_dir() -> pathlib.Path:
    """Git-ignored derived caches (``data/interim`` unless ``$FLAWS_INTERIM_DIR`` says otherwise)."""
    env = os.environ.get(INTERIM_ENV)
    return pathlib.Path(env) if env else project_root() / "data" / "interim"


def relpath(p: os.PathLike | str) -> str:
    """``p`` relative to the project root when inside it (for printing), else as given."""
    p = pathlib.Path(p)
    try:
        return p.resolve().relative_to(project_root()).as_posix()
    except ValueError:
        return str(p)


def files(source_id: str) -> list[str]:
    """The file paths of one source, as registered."""
    return [f["path"] for f in sources.source(source_id)["file"]]


def _sha256(p: pathlib.Path) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class _Downloader:
    """A pooch downloader: copy from the mirror when set, else HTTP; remember what it wrote."""

    def __init__(self, source_id: str, file: str, progressbar: bool):
        self.source_id, self.file = source_id, file
        self.progressbar = progressbar
        self.actual: str | None = None
        self.origin: str | None = None

    def __call__(self, url, output_file, pooch_obj, check_only=False):
        mirror = os.environ.get(MIRROR_ENV)
        if mirror:
            src = pathlib.Path(mirror) / self.source_id / self.file
            self.origin = str(src)
            if not src.is_file():
                raise FetchError(
                    f"source {self.source_id!r}, file {self.file!r}: not in the mirror "
                    f"${MIRROR_ENV}={mirror} (looked for {src})"
                )
            shutil.copyfile(src, output_file)
        else:
            self.origin = url
            try:
                pooch.HTTPDownloader(progressbar=self.progressbar, timeout=60)(
                    url, output_file, pooch_obj
                )
            except Exception as e:  # requests errors, timeouts
                raise FetchError(
                    f"source {self.source_id!r}, file {self.file!r}: download of {url} failed: {e}"
                ) from e
        self.actual = _sha256(pathlib.Path(output_file))


def path(source_id: str, file: str, *, progressbar: bool = False) -> pathlib.Path:
    """Local verified copy of one registered file, fetched if missing or not matching its sha256."""
    entry = sources.file_entry(source_id, file)
    dest_dir = raw_dir() / source_id
    local = dest_dir / file
    # Fast path: a file already in place is re-verified by pooch (hash check), never re-fetched.
    pup = pooch.create(
        path=dest_dir,
        base_url="",
        registry={file: f"sha256:{entry['sha256']}"},
        urls={file: entry["url"]},
        allow_updates=True,
    )
    downloader = _Downloader(source_id, file, progressbar)
    try:
        got = pup.fetch(file, downloader=downloader)
    except FetchError:
        raise
    except ValueError as e:  # pooch's hash mismatch
        raise FetchError(
            f"source {source_id!r}, file {file!r}: sha256 mismatch for {downloader.origin}: "
            f"expected {entry['sha256']}, got {downloader.actual}"
        ) from e
    got = pathlib.Path(got)
    assert got == local, (got, local)
    return local


def fetch(source_ids: list[str] | None = None, *, progress: bool = True) -> dict[str, int]:
    """Fetch and verify every file of the given sources (all when None); return files per source."""
    from tqdm.auto import tqdm

    ids = source_ids or [s["id"] for s in sources.registry()]
    counts = {}
    for sid in ids:
        names = files(sid)
        for name in tqdm(names, desc=sid, unit="file", disable=not progress or len(names) < 2, leave=False):
            path(sid, name, progressbar=progress and len(names) == 1)
        counts[sid] = len(names)
    return counts


def benchmark_sha256(name: str) -> str:
    """The registered sha256 of a benchmark's file (identifies the benchmark version)."""
    sid, file, _ = _benchmark(name)
    return sources.file_entry(sid, file)["sha256"]


def _benchmark(name: str):
    try:
        return BENCHMARKS[name]
    except KeyError:
        raise KeyError(f"unknown benchmark {name!r}; known: {', '.join(BENCHMARKS)}") from None


_COLUMNS = ("task_id", "prompt", "entry_point", "canonical_solution", "contract", "base_input", "plus_input", "atol")
_ENCODED = ("base_input", "plus_input")  # heterogeneous nested values: JSON-encoded for Arrow


def _normalized_jsonl(name: str, raw: pathlib.Path, sha: str) -> pathlib.Path:
    """Write (once per benchmark version) a copy whose test inputs are JSON strings.

    The inputs mix types across tasks and hold integers beyond 64 bits, which Arrow (and hence
    ``datasets``) cannot type; encoding them as JSON text keeps them exact.
    """
    out_dir = interim_dir() / "benchmarks"
    out = out_dir / f"{name.replace('+', 'plus')}-{sha[:16]}.jsonl"
    if out.is_file():
        return out
    opener = gzip.open if raw.suffix == ".gz" else open
    with atomic_path(out) as tmp:
        _write_normalized(raw, tmp, opener)
    return out


def _write_normalized(raw: pathlib.Path, tmp: pathlib.Path, opener) -> None:
    with opener(raw, "rt", encoding="utf-8") as fin, open(tmp, "w", encoding="utf-8") as fout:
        for lineno, line in enumerate(fin, 1):
            if not line.strip():
                continue
            try:
                task = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{relpath(raw)}, line {lineno}: not valid JSON: {e}") from e
            missing = [k for k in ("task_id", "prompt", "entry_point", "canonical_solution", "base_input", "plus_input") if k not in task]
            if missing:
                raise ValueError(f"{relpath(raw)}, line {lineno}: task misses {missing}")
            rec = {k: task.get(k) for k in _COLUMNS}
            rec["contract"] = rec["contract"] or ""
            rec["atol"] = float(rec["atol"] or 0.0)
            for k in _ENCODED:
                rec[k] = json.dumps(task[k])
            if "assertion" in task:
                rec["assertion"] = task["assertion"]
            fout.write(json.dumps(rec) + "\n")


def _decode(name: str, rows) -> list[dict]:
    tasks = []
    for row in rows:
        task = dict(row)
        for k in _ENCODED:
            task[k] = json.loads(task[k])
        if name == "mbpp+":  # exactly as evalplus.data.get_mbpp_plus does
            from evalplus.data.mbpp import mbpp_deserialize_inputs

            for k in _ENCODED:
                task[k] = mbpp_deserialize_inputs(task["task_id"], task[k])
        if task.get("assertion") is None:
            task.pop("assertion", None)
        tasks.append(task)
    return tasks


def load_benchmark(name: str, *, source: str = "local") -> list[dict]:
    """The tasks of ``"humaneval+"`` or ``"mbpp+"``, in file order.

    Each task has task_id, prompt, entry_point, canonical_solution, contract, base_input,
    plus_input, atol (and assertion where present). ``source="local"`` (the default) reads the
    verified registered file with ``datasets.load_dataset("json", ...)``; ``source="hub"`` asks the
    Hugging Face hub (needs internet) and requires separate base/plus input columns there.
    For ``"mbpp+"`` note :data:`MBPP_NOTE`.
    """
    import datasets

    sid, file, hub_id = _benchmark(name)
    if source == "hub":
        ds = datasets.load_dataset(hub_id, split="test")
        cols = set(ds.column_names)
        if not {"base_input", "plus_input"} <= cols:
            raise ValueError(
                f"hub dataset {hub_id} has columns {sorted(cols)}: it carries no separate "
                "base_input/plus_input, which the verifier analysis needs; use source='local'"
            )
        rows = [{k: (json.dumps(v) if k in _ENCODED else v) for k, v in r.items()} for r in ds]
        return _decode(name, rows)
    if source != "local":
        raise ValueError(f"source must be 'local' or 'hub', not {source!r}")
    raw = path(sid, file)
    sha = benchmark_sha256(name)
    norm = _normalized_jsonl(name, raw, sha)
    features = datasets.Features(
        {
            **{k: datasets.Value("string") for k in _COLUMNS if k != "atol"},
            "atol": datasets.Value("float64"),
            **({"assertion": datasets.Value("string")} if name == "mbpp+" else {}),
        }
    )
    cache_dir = interim_dir() / "hf-datasets"
    datasets.disable_progress_bars()
    try:
        ds = datasets.load_dataset(
            "json", data_files=str(norm), split="train", features=features, cache_dir=str(cache_dir)
        )
    finally:
        datasets.enable_progress_bars()
    return _decode(name, ds)
