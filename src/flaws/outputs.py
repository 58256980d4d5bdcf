"""The committed outputs, for a copy of ``flaws`` that is not in a checkout of the repository.

The notebooks and the library read files the repository commits: the executed outcomes and the
other tables under ``data/processed/``, the paper's numbers under ``data/reference/``, the timing
results under ``benchmarks/results/`` and the raw-input registry ``data/sources.toml``. In a
checkout they are read in place. A notebook opened on Colab, or by someone who ``pip install``\\ s
the project from its repository, has the package but not those files; for that case
:func:`flaws.sources.project_root` (the one place every reader locates the project) calls
:func:`root`, which fetches every file of the manifest into a user cache folder, checks its size
and sha256, and returns that folder laid out like a checkout.

The manifest, ``flaws/outputs.json``, is package data (listed in ``pyproject.toml``), so an
installed package carries the list and checksums of the outputs of its own commit. Regenerate it
with ``python -m flaws.outputs manifest`` after changing a committed output; the test suite fails
while it is stale (``python -m flaws.outputs manifest --check``).

Where the files come from: ``$FLAWS_REPO_URL`` when set (a base URL; ``<base>/<path>`` is the
file; ``http(s)://`` or ``file://``), else the raw-content URL of the repository named in the
manifest at the commit pip recorded when it installed the package from git
(``direct_url.json``), else at the branch ``main``. Whatever the source, a file is accepted only
with the manifest's sha256: it is written under a temporary name and renamed into place only
after the check, so the cache never holds a half-written or unverified file.

Stdlib only (``pooch`` for the platform's cache folder, imported when needed).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import re
import sys
import urllib.error
import urllib.request
from pathlib import Path, PurePosixPath

from ._io import atomic_path, write_if_changed

__all__ = ["OutputsError", "MANIFEST", "TREES", "FILES", "REPO_ENV", "CACHE_ENV", "scan",
           "load_manifest", "write_manifest", "stale", "base_url", "cache_dir", "fetch", "root"]

#: the manifest, shipped in the package
MANIFEST = Path(__file__).with_name("outputs.json")
#: folders whose every file is a committed output the library or the notebooks read
TREES = ("data/processed", "data/reference", "benchmarks/results")
#: single files read the same way
FILES = ("data/sources.toml",)
REPO_ENV = "FLAWS_REPO_URL"
CACHE_ENV = "FLAWS_CACHE_DIR"
#: the branch a package without a recorded commit fetches from (``repository.branch`` of _config.yml)
DEFAULT_REF = "main"
_GITHUB = re.compile(r"^(?:https?://|git@|ssh://git@)github\.com[/:]([^/]+)/([^/]+?)(?:\.git)?/?$")


class OutputsError(RuntimeError):
    """A committed output could not be fetched, or failed verification."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _repository(checkout: Path) -> str:
    """The repository URL, from ``CITATION.cff`` (``repository-code``)."""
    text = (checkout / "CITATION.cff").read_text(encoding="utf-8")
    m = re.search(r"^repository-code:\s*[\"']?(\S+?)[\"']?\s*$", text, re.M)
    if not m:
        raise OutputsError(f"{checkout / 'CITATION.cff'}: no repository-code")
    return m.group(1)


def scan(checkout: str | os.PathLike) -> dict:
    """The manifest of the outputs as they are in ``checkout``: every file under :data:`TREES`
    (hidden and temporary files left out) and :data:`FILES`, sorted by path."""
    checkout = Path(checkout)
    paths = [checkout / f for f in FILES]
    for tree in TREES:
        paths += [p for p in (checkout / tree).rglob("*")
                  if p.is_file() and not any(part.startswith(".") for part in p.relative_to(checkout).parts)]
    files = [{"path": p.relative_to(checkout).as_posix(), "sha256": _sha256(p), "bytes": p.stat().st_size}
             for p in paths]
    return {"repository": _repository(checkout), "files": sorted(files, key=lambda f: f["path"])}


def _dump(manifest: dict) -> bytes:
    return (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode("utf-8")


def write_manifest(checkout: str | os.PathLike, path: str | os.PathLike = MANIFEST) -> bool:
    """Write the manifest of ``checkout``'s outputs (only when it changed); return whether it did."""
    return write_if_changed(Path(path), _dump(scan(checkout)))


def load_manifest(path: str | os.PathLike = MANIFEST) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def stale(checkout: str | os.PathLike, path: str | os.PathLike = MANIFEST) -> list[str]:
    """What differs between the manifest and ``checkout``'s files, one line per path (empty: current)."""
    have = {f["path"]: f for f in load_manifest(path)["files"]}
    now = {f["path"]: f for f in scan(checkout)["files"]}
    out = [f"{p}: in the manifest, not in the checkout" for p in sorted(have.keys() - now.keys())]
    out += [f"{p}: in the checkout, not in the manifest" for p in sorted(now.keys() - have.keys())]
    out += [f"{p}: sha256 {have[p]['sha256']} in the manifest, {now[p]['sha256']} in the checkout"
            for p in sorted(have.keys() & now.keys()) if have[p] != now[p]]
    return out


def _installed_from() -> tuple[str | None, str | None]:
    """(repository URL, commit) that pip recorded when it installed this package from git, else Nones."""
    from importlib import metadata

    try:
        dist = metadata.distribution("flaws")
        text = dist.read_text("direct_url.json")
        here = Path(__file__).resolve().parent
        if not text or Path(dist.locate_file("flaws/__init__.py")).resolve().parent != here:
            return None, None  # another copy's metadata (an editable install elsewhere)
        info = json.loads(text)
    except (metadata.PackageNotFoundError, ValueError, OSError):
        return None, None
    vcs = info.get("vcs_info") or {}
    return (info.get("url"), vcs.get("commit_id")) if vcs.get("vcs") == "git" else (None, None)


def base_url(manifest: dict | None = None) -> str:
    """Where the outputs come from: ``$FLAWS_REPO_URL``, else the raw-content URL of the GitHub
    repository at the commit pip installed (or :data:`DEFAULT_REF`)."""
    env = os.environ.get(REPO_ENV)
    if env:
        return env.rstrip("/")
    manifest = manifest or load_manifest()
    url, commit = _installed_from()
    m = _GITHUB.match(url or "") or _GITHUB.match(manifest["repository"])
    if not m:
        raise OutputsError(f"repository {manifest['repository']!r} is not on GitHub: set ${REPO_ENV}")
    return f"https://raw.githubusercontent.com/{m.group(1)}/{m.group(2)}/{commit or DEFAULT_REF}"


def cache_dir(manifest_bytes: bytes | None = None) -> Path:
    """The folder laid out like a checkout: ``$FLAWS_CACHE_DIR`` (or the platform's user cache,
    ``~/.cache/flaws`` on Linux) / ``outputs-<first 16 hex of the manifest's sha256>``, so each
    version of the outputs has its own folder."""
    env = os.environ.get(CACHE_ENV)
    if env:
        base = Path(env)
    else:
        import pooch

        base = Path(pooch.os_cache("flaws"))
    digest = hashlib.sha256(manifest_bytes if manifest_bytes is not None else MANIFEST.read_bytes())
    return base / f"outputs-{digest.hexdigest()[:16]}"


def _verified(path: Path, entry: dict) -> bool:
    return path.is_file() and path.stat().st_size == entry["bytes"] and _sha256(path) == entry["sha256"]


def fetch(entry: dict, dest_root: Path, base: str, *, timeout: float = 60) -> Path:
    """One file of the manifest into ``dest_root``: kept when already verified, else downloaded
    from ``<base>/<path>`` under a temporary name, checked (size and sha256) and renamed into
    place. A failed download or check raises :class:`OutputsError` and leaves nothing behind."""
    rel = PurePosixPath(entry["path"])
    if rel.is_absolute() or ".." in rel.parts:
        raise OutputsError(f"manifest path {entry['path']!r} is not inside the project")
    dest = dest_root.joinpath(*rel.parts)
    if _verified(dest, entry):
        return dest
    url = f"{base}/{rel.as_posix()}"
    with atomic_path(dest) as tmp:
        h, n = hashlib.sha256(), 0
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp, open(tmp, "wb") as out:
                for chunk in iter(lambda: resp.read(1 << 20), b""):
                    h.update(chunk)
                    n += len(chunk)
                    out.write(chunk)
        except (urllib.error.URLError, OSError) as e:
            raise OutputsError(
                f"{rel}: download from {url} failed: {e}. This copy of flaws is not in a checkout of "
                f"the repository, so it fetches the committed outputs; set ${REPO_ENV} to a base URL "
                f"that serves them (the raw files of the repository at the package's commit)."
            ) from e
        if h.hexdigest() != entry["sha256"] or n != entry["bytes"]:
            raise OutputsError(
                f"{rel}: the file from {url} does not match the manifest: expected sha256 "
                f"{entry['sha256']} ({entry['bytes']} bytes), got sha256 {h.hexdigest()} ({n} bytes). "
                f"${REPO_ENV} (or the installed commit) points at another version of the repository "
                f"than this package's; nothing was written."
            )
    return dest


@functools.lru_cache(maxsize=None)
def _root(base: str | None, cache: str | None) -> Path:  # the environment is part of the key
    data = MANIFEST.read_bytes()
    manifest = json.loads(data)
    base = base_url(manifest)
    dest = cache_dir(data)
    for entry in manifest["files"]:
        fetch(entry, dest, base)
    return dest


def root() -> Path:
    """The folder of a copy of the project outside a checkout: every file of the manifest,
    fetched (once, then only re-verified once per process) and verified."""
    if not MANIFEST.is_file():
        raise OutputsError(f"{MANIFEST} is missing: run flaws from a checkout of the repository, "
                           "or install it from the repository (the manifest is package data)")
    return _root(os.environ.get(REPO_ENV), os.environ.get(CACHE_ENV))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="flaws outputs", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("manifest", help=f"write {MANIFEST.name} from the checkout's committed outputs")
    m.add_argument("--check", action="store_true", help="only check it; exit 1 when it is stale")
    sub.add_parser("fetch", help="fetch and verify the outputs into the cache (outside a checkout)")
    args = p.parse_args(argv)
    from .sources import checkout_root

    checkout = checkout_root()
    if args.cmd == "fetch":
        print(checkout if checkout is not None else root())
        return 0
    if checkout is None:
        print(f"{MANIFEST.name} is made from a checkout of the repository; this copy is not in one",
              file=sys.stderr)
        return 2
    if args.check:
        diff = stale(checkout)
        for line in diff:
            print(line, file=sys.stderr)
        if diff:
            print(f"{MANIFEST.name} is stale: run `python -m flaws.outputs manifest`", file=sys.stderr)
        return 1 if diff else 0
    print(f"{MANIFEST}: {'written' if write_manifest(checkout) else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
