"""Atomic file writes: the one helper every writer of the package uses (stdlib only, imports
nothing of ``flaws``, so any module may import it).

A file is written under a unique temporary name in its own folder and renamed over the target
with :func:`os.replace`: a reader sees the old file or the whole new one, never half of it, and
on an exception the temporary file is removed (nothing half-written is left behind).
"""

from __future__ import annotations

import os
import secrets
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def atomic_path(path: str | os.PathLike, *, suffix: str = "", mode: int = 0o666) -> Iterator[Path]:
    """Yield a fresh temporary path beside ``path`` (an empty file, created with ``mode`` under
    the umask) for a writer that wants a file name (``nbformat.write``, a browser's screenshot);
    ``suffix`` ends the name (``".png"`` for a writer that picks the format by extension). On
    normal exit it replaces ``path``; on an exception it is removed and ``path`` is untouched."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp{suffix}")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode))
            break
        except FileExistsError:
            continue
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write(path: str | os.PathLike, data: bytes | str, *, mode: int = 0o666,
                 fsync: bool = False) -> Path:
    """Write ``data`` (bytes, or text written as UTF-8 with ``\\n`` line ends) to ``path``
    atomically; ``fsync`` flushes it to disk before the rename. Returns ``path``."""
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with atomic_path(path, mode=mode) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
    return path


def write_if_changed(path: str | os.PathLike, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically, and only when it differs (committed outputs keep
    their timestamps). Returns whether it wrote."""
    path = Path(path)
    if path.is_file() and path.read_bytes() == data:
        return False
    atomic_write(path, data)
    return True
