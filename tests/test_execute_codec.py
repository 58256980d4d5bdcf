"""The plain-data codec: exact round trips, strict rejection of anything else."""

from __future__ import annotations

import math

import numpy as np
import pytest

from flaws.execute.codec import NotNone, Unencodable, decode, dumps, encode, loads

VALUES = [
    None, True, False, 0, -1, 2**53, -(2**80), 7**300, 0.0, -0.0, 1.5, 1e308, math.inf, -math.inf,
    "", "héllo\n\x00", "\ud800", b"", b"\x00\xff", 1 + 2j, [], (), {}, set(), frozenset(),
    [1, [2, (3, {4: {5}})]], {(1, 2): [3.5], "k": None, 3: frozenset({1, 2})}, (1,), ((),),
    {1: {2: {3: ()}}}, [True, 1, 1.0],
]


@pytest.mark.parametrize("v", VALUES, ids=[repr(v)[:30] for v in VALUES])
def test_round_trip_exact(v):
    out, foreign = decode(encode(v))
    assert foreign is None
    assert out == v
    assert type(out) is type(v)
    assert repr(out) == repr(v)  # keeps -0.0, tuple vs list, bool vs int
    assert loads(dumps(v)) == v


def test_nan_round_trips():
    out, _ = decode(encode(float("nan")))
    assert math.isnan(out)


def test_nested_types_preserved():
    v = [(1, [2.0, True]), {"a": (None, b"x")}]
    out, _ = decode(encode(v))
    assert type(out[0]) is tuple and type(out[0][1][1]) is bool and type(out[1]["a"][1]) is bytes


def test_subclasses_and_numpy_scalars_are_marked_foreign():
    class MyInt(int):
        def __eq__(self, other):
            return True

        __hash__ = int.__hash__

    out, foreign = decode(encode(MyInt(3)))
    assert (out, type(out), foreign.endswith("MyInt")) == (3, int, True)
    out, foreign = decode(encode(np.float64(0.25)))
    assert (out, type(out), foreign) == (0.25, float, "numpy.float64")
    out, foreign = decode(encode([np.int64(2)]))
    assert (out, foreign) == ([2], None)


@pytest.mark.parametrize("v", [object(), np.array([1, 2]), (x for x in []), print, type, ...])
def test_unencodable(v):
    with pytest.raises(Unencodable):
        encode(v)


def test_not_none_marker():
    out, _ = decode(encode(object(), not_none_task=True))
    assert isinstance(out, NotNone) and out.is_not_none
    out, _ = decode(encode(None, not_none_task=True))
    assert isinstance(out, NotNone) and not out.is_not_none
    out, _ = decode(encode(False, not_none_task=True))
    assert out is False


@pytest.mark.parametrize("bad", [
    b"", b"{", b'{"zz": 1}', b'{"t": 1}', b'{"t": [], "s": []}', b'{"s": [[1]]}',
    b'{"d": [[1]]}', b'{"d": [[[1], 2]]}', b'{"i": 5}', b'{"b": "zz"}', b'{"c": [1]}',
    b'[{"x": ["t", 1]}]', b'{"n": 1}', b"[" * 100000 + b"]" * 100000, b"\xff\xfe",
    b"1" * 5000,
])
def test_malformed_rejected(bad):
    with pytest.raises(ValueError):
        decode(bad)


class _FloatList(list):
    pass


class _FloatTuple(tuple):
    pass


FLOATS_CASES = VALUES + [
    [1.0], [1.0, 2], [1, 2.0], [-1, 2.0], [-1.5, 2.0], (1.0,), (1.0, 2.0), (1.0, "a"), ("a",),
    {1.0}, {"a": 1.0}, math.nan, [math.nan], [math.inf, 1.0], [-math.inf], -math.inf, [[1.0]],
    [True], ["a"], [None], [{1.0}], [(1.0,)], [-0.0], [1e20], [1e300, -5e-3], 12, -12,
    np.float64(1.5), np.int64(3), _FloatList([1.0, 2.0]), _FloatTuple((1.0,)), _FloatList([]),
]


@pytest.mark.parametrize("v", FLOATS_CASES, ids=[repr(v)[:30] for v in FLOATS_CASES])
def test_is_floats_encoded_agrees_with_decoding(v):
    """The judge's shortcut reads EvalPlus's is_floats from the encoding (decoding only when
    the first bytes leave it open): same answer as decoding first."""
    from flaws.execute.verdict import is_floats, is_floats_encoded

    for raw in (encode(v), encode(v, not_none_task=True)):
        assert is_floats_encoded(raw) == is_floats(decode(raw)[0]), raw


@pytest.mark.parametrize("raw", [b"[ 1.0]", b'{ "t": [1.0]}', b" 1.5", b"[1 ,2.0]", b"[1.0 ]",
                                 b'{"t":[1.0,2.5]}', b'{"x":["m.F",[1.0]]}', b"[-Infinity]",
                                 b"NaN", b"[1e3]", b"[-7E-2,1.0]", b"[-7,1.0]"])
def test_is_floats_encoded_other_spellings(raw):
    """Valid encodings the child does not write (spaces) or rarely does (tags, exponents)."""
    from flaws.execute.verdict import is_floats, is_floats_encoded

    assert is_floats_encoded(raw) == is_floats(decode(raw)[0])
