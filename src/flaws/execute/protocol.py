"""What the host and its sandboxed workers share (stdlib only, imported by both sides).

* frames: a little-endian 4-byte length, then that many bytes of compact JSON;
* :data:`MISSING`: the encoded output of an input whose reference run produced none;
* :func:`load_expected_file`: one task's expected outputs from the cache directory.

Keeping these here lets :mod:`~flaws.execute.worker` and :mod:`~flaws.execute.pool` import
them without importing each other or :mod:`~flaws.execute.groundtruth`.
"""

from __future__ import annotations

import gzip
import json
import struct

HOST = struct.Struct("<I")
MISSING = "__flaws_missing__"


def write_frame(f, obj) -> None:
    """Write ``obj`` as one frame and flush."""
    data = json.dumps(obj, separators=(",", ":")).encode()
    f.write(HOST.pack(len(data)) + data)
    f.flush()


def read_frame(f):
    """The next frame of a blocking binary stream, or None at its end (or a torn frame)."""
    head = f.read(HOST.size)
    if len(head) < HOST.size:
        return None
    n = HOST.unpack(head)[0]
    data = f.read(n)
    if len(data) < n:
        return None
    return json.loads(data)


def split_frames(buf: bytearray) -> list:
    """The complete frames at the start of ``buf`` (removed from it), for non-blocking readers."""
    out = []
    while len(buf) >= HOST.size:
        n = HOST.unpack_from(buf)[0]
        if len(buf) < HOST.size + n:
            break
        out.append(json.loads(bytes(buf[HOST.size:HOST.size + n])))
        del buf[:HOST.size + n]
    return out


def load_expected_file(path) -> dict:
    """``{"base": [enc...], "plus": [enc...]}`` of one task (trusted side); ``path`` is a path
    or an open binary file."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)
