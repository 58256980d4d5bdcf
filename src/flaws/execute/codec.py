"""Plain-data codec between an untrusted sample process and the trusted judge.

The sandboxed child never pickles anything: it encodes each return value as JSON
with a handful of single-key tag objects, and the trusted side decodes it with
the C JSON parser plus a strict ``object_hook``.  Only builtin plain data comes
out of :func:`decode`: ``None bool int float complex str bytes list tuple dict
set frozenset`` (nested).  Anything else is rejected by the child encoder
(:class:`Unencodable`) and judged a failure.

Encoding (``enc(x)``):

* ``None``, ``bool``, ``str``, ``float`` (including ``nan``/``inf``/``-0.0``,
  written with ``repr`` so they round-trip exactly) and ``list`` map to JSON.
* ``int``: a JSON number when ``|x| < 2**53``, else ``{"i": hex}`` (hex avoids
  Python's limit on decimal digit conversions).
* ``{"t": [...]}`` tuple, ``{"s": [...]}`` set, ``{"f": [...]}`` frozenset,
  ``{"d": [[k, v], ...]}`` dict, ``{"b": hex}`` bytes, ``{"c": [re, im]}``
  complex.
* ``{"n": bool}``: "the output was some non-bool object and it was (not) None";
  only produced for EvalPlus's MBPP *not-None* tasks, whose outputs are not
  serialisable (``re.Match``) and are judged on ``out is not None``.
* ``{"x": [type_name, v]}`` at top level only: the value's type was a *subclass* of a builtin
  or a NumPy scalar (``np.float64``, ``np.int64``...).  Its plain value is sent
  with the type's qualified name, so the judge can still evaluate EvalPlus's
  ``type(out) == type(exp)`` (it matters on the float path).  A subclass' own ``__eq__`` is never used:
  this is the one intended difference from EvalPlus, which compares inside the
  sample's process and is fooled by an always-True ``__eq__``.
"""

from __future__ import annotations

import json
import math

__all__ = ["Unencodable", "NotNone", "Foreign", "encode", "decode", "dumps", "loads"]

_BIG = 1 << 53


class Unencodable(Exception):
    """The value is not plain builtin data."""


class NotNone:
    """Decoded ``{"n": flag}``: an unserialisable output that was (not) None."""

    __slots__ = ("is_not_none",)

    def __init__(self, flag: bool):
        self.is_not_none = bool(flag)

    def __eq__(self, other):  # never equal to real data
        return isinstance(other, NotNone) and other.is_not_none == self.is_not_none

    def __hash__(self):
        return hash(("NotNone", self.is_not_none))

    def __repr__(self):
        return f"NotNone({self.is_not_none})"


class Foreign:
    """Top-level marker: the output's type was not exactly the builtin type."""

    __slots__ = ("value", "name")

    def __init__(self, value, name: str = ""):
        self.value = value
        self.name = name


def _plain(x, depth: int):
    """Convert ``x`` to the JSON-ready tagged tree (runs in the child)."""
    if depth > 200:
        raise Unencodable("nesting too deep")
    t = type(x)
    if x is None or t is bool or t is str:
        return x
    if t is int:
        return x if -_BIG < x < _BIG else {"i": format(x, "x")}
    if t is float:
        return x
    if t is list:
        return [_plain(v, depth + 1) for v in x]
    if t is tuple:
        return {"t": [_plain(v, depth + 1) for v in x]}
    if t is dict:
        return {"d": [[_plain(k, depth + 1), _plain(v, depth + 1)] for k, v in x.items()]}
    if t is set:
        return {"s": [_plain(v, depth + 1) for v in x]}
    if t is frozenset:
        return {"f": [_plain(v, depth + 1) for v in x]}
    if t is bytes:
        return {"b": x.hex()}
    if t is complex:
        return {"c": [x.real, x.imag]}
    base = _builtin_base(x)
    if base is None:
        raise Unencodable(f"unsupported output type {t.__module__}.{t.__qualname__}")
    return _plain(base, depth)


def _builtin_base(x):
    """Plain builtin value of a subclass instance or NumPy scalar, else None."""
    # order matters: bool is an int subclass, but bool cannot be subclassed
    for b in (int, float, str, bytes, complex, tuple, list, dict, frozenset, set):
        if isinstance(x, b):
            if b in (tuple, list, frozenset, set):
                return b(x)
            if b is dict:
                return dict(dict.items(x))
            return b(x) if b is not str else str.__str__(x)
    mod = type(x).__module__
    if mod == "numpy" and hasattr(x, "item") and getattr(x, "shape", None) == ():
        v = x.item()
        if type(v) in (bool, int, float, complex, str, bytes):
            return v
    return None


def encode(x, *, not_none_task: bool = False) -> bytes:
    """Encode one return value (child side). Raises :class:`Unencodable`."""
    if not_none_task and type(x) is not bool:
        return json.dumps({"n": x is not None}).encode()
    try:
        tree = _plain(x, 0)
    except RecursionError as e:  # pragma: no cover - defensive
        raise Unencodable("nesting too deep") from e
    if type(x) not in (type(None), bool, int, float, complex, str, bytes,
                       list, tuple, dict, set, frozenset):
        t = type(x)
        tree = {"x": [f"{t.__module__}.{t.__qualname__}", tree]}
    return json.dumps(tree, separators=(",", ":"), allow_nan=True).encode()


def _hook(obj: dict):
    if len(obj) != 1:
        raise ValueError("bad tag object")
    (k, v), = obj.items()
    if k == "t":
        return tuple(_check_list(v))
    if k == "s":
        return set(_check_list(v))
    if k == "f":
        return frozenset(_check_list(v))
    if k == "d":
        out = {}
        for kv in _check_list(v):
            if type(kv) is not list or len(kv) != 2:
                raise ValueError("bad dict item")
            out[kv[0]] = kv[1]
        return out
    if k == "i":
        if type(v) is not str or len(v) > 1_000_000:
            raise ValueError("bad int")
        return int(v, 16)
    if k == "b":
        if type(v) is not str:
            raise ValueError("bad bytes")
        return bytes.fromhex(v)
    if k == "c":
        v = _check_list(v)
        if len(v) != 2 or not all(type(p) in (int, float) for p in v):
            raise ValueError("bad complex")
        return complex(float(v[0]), float(v[1]))
    if k == "n":
        if type(v) is not bool:
            raise ValueError("bad not-none flag")
        return NotNone(v)
    if k == "x":
        v = _check_list(v)
        if len(v) != 2 or type(v[0]) is not str:
            raise ValueError("bad foreign marker")
        f = Foreign(v[1])
        f.name = v[0]
        return f
    raise ValueError(f"unknown tag {k!r}")


def _check_list(v):
    if type(v) is not list:
        raise ValueError("tag payload must be a list")
    return v


def _strip_inner_foreign(x):
    # ``{"x": ...}`` is only legal at the top; reject it anywhere else
    stack = [x]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is Foreign:
            raise ValueError("nested foreign marker")
        if t in (list, tuple, set, frozenset):
            stack.extend(v)
        elif t is dict:
            stack.extend(v.keys())
            stack.extend(v.values())


def decode(data: bytes):
    """Decode bytes produced by :func:`encode` (trusted side).

    Returns ``(value, foreign)`` where ``foreign`` is ``None`` or, when the
    top-level type was not exactly a builtin, that type's qualified name.
    Raises ``ValueError`` on anything malformed.
    """
    try:
        v = json.loads(data, object_hook=_hook)
    except RecursionError as e:
        raise ValueError("nesting too deep") from e
    except (TypeError, OverflowError, UnicodeDecodeError) as e:
        raise ValueError(str(e)) from e
    foreign = None
    if type(v) is Foreign:
        foreign, v = v.name, v.value
        if type(v) is NotNone:
            raise ValueError("bad foreign payload")
    _strip_inner_foreign(v)
    return v, foreign


# -- trusted-side helpers for caches and worker hand-over (not for untrusted data
#    only; same format everywhere keeps one decoder) --------------------------------

def dumps(x) -> str:
    """Encode trusted plain data to a JSON string (same tags as :func:`encode`)."""
    return json.dumps(_plain(x, 0), separators=(",", ":"), allow_nan=True)


def loads(s):
    """Inverse of :func:`dumps`."""
    return json.loads(s, object_hook=_hook)


def is_nan_safe_float(x) -> bool:  # small helper used by tests
    return type(x) is float and not math.isnan(x)
