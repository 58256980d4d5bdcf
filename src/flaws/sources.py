"""The sources registry: every raw input of the project, with its files and checksums.

The registry lives in ``data/sources.toml`` (human-readable, committed). Each ``[[source]]`` has an
``id``, a ``kind`` (benchmark / samples / aggregate / generated-tests / samples+generated-tests), license, citation, a one-line description and
its ``[[source.file]]`` entries (path inside the source, canonical URL, sha256, size in bytes).
"""

from __future__ import annotations

import functools
import os
import pathlib
import tomllib

KINDS = ("benchmark", "samples", "aggregate", "generated-tests", "samples+generated-tests")
_REQUIRED = ("id", "kind", "license", "citation", "description", "file")
_FILE_REQUIRED = ("path", "url", "sha256", "bytes")


class RegistryError(ValueError):
    """The sources registry is malformed."""


def checkout_root() -> pathlib.Path | None:
    """The checkout of the repository this package sits in (the folder above it holding
    ``data/sources.toml``), or None for an installed copy."""
    here = pathlib.Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "data" / "sources.toml").is_file():
            return parent
    return None


def project_root() -> pathlib.Path:
    """The repository root (the folder holding ``data/sources.toml``). Outside a checkout (an
    installed package, Colab) it is a user cache folder holding the committed outputs of the
    package's commit, fetched and verified by :func:`flaws.outputs.root` (network on first use)."""
    root = checkout_root()
    if root is not None:
        return root
    from . import outputs

    return outputs.root()


REGISTRY_ENV = "FLAWS_SOURCES"


def registry_path() -> pathlib.Path:
    """``data/sources.toml``, or the file named by ``$FLAWS_SOURCES`` (for a registry of your own)."""
    env = os.environ.get(REGISTRY_ENV)
    return pathlib.Path(env) if env else project_root() / "data" / "sources.toml"


def parse_registry(path: pathlib.Path) -> list[dict]:
    """Read and validate a registry file; errors name the file, the source and the problem."""
    try:
        text = path.read_text(encoding="utf-8")
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:  # the message carries line and column
        raise RegistryError(f"{path}: not valid TOML: {e}") from e
    sources = doc.get("source")
    if not isinstance(sources, list) or not sources:
        raise RegistryError(f"{path}: no [[source]] entries")
    seen = set()
    for i, src in enumerate(sources):
        where = f"{path}: source #{i + 1} ({src.get('id', '?')})"
        for key in _REQUIRED:
            if key not in src:
                raise RegistryError(f"{where}: missing key {key!r}")
        if src["id"] in seen:
            raise RegistryError(f"{where}: duplicate id")
        seen.add(src["id"])
        if src["kind"] not in KINDS:
            raise RegistryError(f"{where}: kind {src['kind']!r} is not one of {KINDS}")
        paths = set()
        for j, f in enumerate(src["file"]):
            for key in _FILE_REQUIRED:
                if key not in f:
                    raise RegistryError(f"{where}: file #{j + 1} misses key {key!r}")
            sha = f["sha256"]
            if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
                raise RegistryError(f"{where}: file {f['path']!r}: sha256 {sha!r} is not 64 hex digits")
            if f["path"].startswith("/") or ".." in pathlib.PurePosixPath(f["path"]).parts:
                raise RegistryError(f"{where}: file path {f['path']!r} must be relative, without '..'")
            if f["path"] in paths:
                raise RegistryError(f"{where}: file {f['path']!r} listed twice")
            paths.add(f["path"])
    return sources


@functools.lru_cache(maxsize=None)
def _registry_cached(path: str, mtime: float) -> tuple:
    return tuple(parse_registry(pathlib.Path(path)))


def registry() -> list[dict]:
    """All sources of ``data/sources.toml``, in file order."""
    p = registry_path()
    return list(_registry_cached(str(p), p.stat().st_mtime))


def source(source_id: str) -> dict:
    """One source's entry; ``KeyError`` with the known ids when unknown."""
    for src in registry():
        if src["id"] == source_id:
            return src
    known = ", ".join(s["id"] for s in registry())
    raise KeyError(f"unknown source {source_id!r}; known sources: {known}")


def file_entry(source_id: str, file: str) -> dict:
    for f in source(source_id)["file"]:
        if f["path"] == file:
            return f
    raise KeyError(f"source {source_id!r} has no file {file!r} in {registry_path().name}")
