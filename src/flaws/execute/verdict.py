"""EvalPlus 0.3.1's per-input verdict, re-implemented in trusted code.

This mirrors ``evalplus.eval.unsafe_execute`` line by line (read it side by side),
but runs in the trusted judge on *decoded plain data*, never inside the sample's
process:

* ``exact_match = out == exp``, then the special oracles: MBPP ``are_equivalent``
  (always true), ``sum_div`` (``out == 0`` also accepted), ``surface_Area`` and
  ``digit_distance_nums`` (task-specific reference functions), set-equality tasks,
  not-None tasks; HumanEval ``find_zero`` (``|poly(xs, out)| <= atol``).
* ``atol == 0`` and float expected output (``is_floats``) switch ``atol`` to
  ``1e-6``; **the switch persists for the remaining inputs of the same run**,
  exactly as EvalPlus's local variable does.
* When not an exact match and ``atol != 0``: same type, same length for
  lists/tuples, and ``np.allclose(out, exp, rtol=1e-07, atol=atol)``.
* EvalPlus 0.3.1 quirk, reproduced: for HumanEval ``find_zero`` a satisfied
  oracle ``continue``s before the input is counted, so the run's ``details`` end
  up shorter than its inputs and the sample is judged ``fail`` even though no
  assertion failed.  Every HumanEval/32 sample, the canonical solution included,
  therefore fails under EvalPlus 0.3.1.  ``Judge(find_zero_quirk=True)`` (the
  default, for comparability) reproduces it; ``False`` judges HumanEval/32 by
  its oracle as intended.

Any exception while judging an input makes it a failure, as in EvalPlus.

Shortcut (:meth:`Judge.identical`): when the child's encoded output is byte for
byte the encoded expected output, the decoded values are identical plain data,
so ``out == exp`` holds and the input passes, unless the task has a special
oracle or the expected output contains a NaN (``nan != nan``); the ``atol``
switch is still applied.  The worker then skips decoding and comparing.
"""

from __future__ import annotations

import re

import numpy as np
from evalplus.eval._special_oracle import (
    MBPP_OUTPUT_NOT_NONE_TASKS,
    MBPP_OUTPUT_SET_EQ_TASKS,
    _digit_distance_nums,
    _poly,
    _surface_Area,
)

from .codec import NotNone, decode

__all__ = ["Judge", "is_floats", "is_floats_encoded", "type_name", "MBPP_OUTPUT_NOT_NONE_TASKS"]

_MBPP_SPECIAL = ("are_equivalent", "sum_div", "surface_Area", "digit_distance_nums")


def is_floats(x) -> bool:
    """EvalPlus's ``is_floats`` (float, non-empty list/tuple of floats, float array)."""
    if isinstance(x, float):
        return True
    if isinstance(x, (list, tuple)) and x:
        return all(isinstance(i, float) for i in x)
    if isinstance(x, np.ndarray):
        return x.dtype == np.float64 or x.dtype == np.float32
    return False


#: a list whose first element is an int
_INT_FIRST = re.compile(rb"\[-?[0-9]+[,\]]")
#: tags whose value is never a float or a list/tuple of floats (set, frozenset, dict, bytes,
#: complex, big int, not-None flag)
_NOT_FLOATS_TAGS = tuple(b'{"%s":' % k for k in (b"s", b"f", b"d", b"b", b"c", b"i", b"n"))


def is_floats_encoded(raw: bytes) -> bool:
    """``is_floats(decode(raw)[0])`` of a valid encoding (:mod:`flaws.execute.codec`),
    decoding only when its first bytes leave it open: a string, ``true``/``false``/``null``,
    a tag that never holds floats, an empty list or one whose first element is a string, a
    list, an object, a boolean, null or an int are not floats."""
    head = raw[:1]
    if head in (b'"', b"t", b"f", b"n") or raw.startswith(_NOT_FLOATS_TAGS):
        return False
    if head == b"[" and (raw[1:2] in (b"]", b'"', b"[", b"{", b"t", b"f", b"n")
                         or _INT_FIRST.match(raw)):
        return False
    return is_floats(decode(raw)[0])


def type_name(value, foreign: str | None = None) -> str:
    """Qualified name of the original type of a decoded value."""
    if foreign:
        return foreign
    t = type(value)
    return f"{t.__module__}.{t.__qualname__}"


class Judge:
    """Stateful judge for one run (one sample on one input set: base or plus).

    ``check(inp, out, out_type, exp, exp_type)`` returns ``"ok"`` (input counted as passed),
    ``"uncounted"`` (EvalPlus's find_zero quirk: no failure, but not counted) or
    ``"fail"``.
    """

    def __init__(self, dataset: str, entry_point: str, atol: float,
                 find_zero_quirk: bool = True):
        if dataset not in ("humaneval", "mbpp"):
            raise ValueError(f"dataset must be humaneval or mbpp, not {dataset!r}")
        self.dataset = dataset
        self.entry_point = entry_point
        self.atol = atol
        self.find_zero_quirk = find_zero_quirk

    @property
    def shortcut_allowed(self) -> bool:
        """May byte-identical outputs be passed without decoding? (No special oracle.)"""
        ep = self.entry_point
        if self.dataset == "humaneval":
            return ep != "find_zero"
        return ep not in _MBPP_SPECIAL and ep not in MBPP_OUTPUT_SET_EQ_TASKS \
            and ep not in MBPP_OUTPUT_NOT_NONE_TASKS

    def identical(self, exp=None, *, floats=None) -> str:
        """Verdict for an output whose encoding equals the expected one's (see module doc).

        The caller must have checked :attr:`shortcut_allowed` and that the
        expected encoding holds no NaN.  ``floats``, in place of ``exp``: a function
        giving ``is_floats(exp)``, called only when the ``atol`` switch needs it.
        """
        if self.atol == 0 and (floats() if floats is not None else is_floats(exp)):
            self.atol = 1e-6  # persists for the rest of the run, as in EvalPlus
        return "ok"

    def check(self, inp, out, out_type: str, exp, exp_type: str) -> str:
        """Judge one input; ``*_type`` are qualified type names (see :func:`type_name`)."""
        try:
            return self._check(inp, out, out_type, exp, exp_type)
        except BaseException:  # noqa: BLE001 - EvalPlus counts any exception as failure
            return "fail"

    def _check(self, inp, out, out_type, exp, exp_type) -> str:
        ep = self.entry_point
        if isinstance(out, NotNone) and not (
            self.dataset == "mbpp" and ep in MBPP_OUTPUT_NOT_NONE_TASKS
        ):
            return "fail"
        exact_match = out == exp
        if self.dataset == "mbpp":
            if ep == "are_equivalent":  # Mbpp/164
                exact_match = exact_match or True
            elif ep == "sum_div":  # Mbpp/295
                exact_match = exact_match or out == 0
            elif ep == "surface_Area":  # Mbpp/581
                exact_match = exact_match or abs(out - _surface_Area(*inp)) <= self.atol
            elif ep == "digit_distance_nums":  # Mbpp/558
                exact_match = exact_match or out == _digit_distance_nums(*inp)
            elif ep in MBPP_OUTPUT_SET_EQ_TASKS:
                exact_match = set(out) == set(exp)
            elif ep in MBPP_OUTPUT_NOT_NONE_TASKS:
                if isinstance(out, bool):
                    exact_match = out == exp
                else:
                    if not isinstance(out, NotNone):
                        # plain non-bool data: "is not None" is decidable here
                        exact_match = exp == (out is not None)
                    else:
                        exact_match = exp == out.is_not_none
        if self.dataset == "humaneval" and ep == "find_zero":
            if not abs(_poly(*inp, out)) <= self.atol:
                return "fail"
            return "uncounted" if self.find_zero_quirk else "ok"

        if self.atol == 0 and is_floats(exp):
            self.atol = 1e-6  # persists for the rest of the run, as in EvalPlus
        if not exact_match and self.atol != 0:
            if out_type != exp_type:  # EvalPlus: type(out) == type(exp)
                return "fail"
            if isinstance(exp, (list, tuple)) and len(out) != len(exp):
                return "fail"
            if not np.allclose(out, exp, rtol=1e-07, atol=self.atol):
                return "fail"
            return "ok"
        return "ok" if exact_match else "fail"
