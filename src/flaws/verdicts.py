"""Verdict words of the reproduction report, computed from estimates and intervals by stated rules.

No verdict in the book is typed by hand: a notebook computes the estimate, its interval and (where
there is a test) its p-value, calls one of the functions below and glues the word it returns.
The rules (``book/report.md`` states them in the same words):

:func:`effect`
    The paper reports an effect (a slope, a difference) with a sign and a size; we have our
    estimate with a 95% interval and a p-value (already corrected for multiple comparisons where
    there is a family of tests).
    *reproduced*: our estimate has the paper's sign, is significant (p < alpha) and the paper's
    estimate lies inside our interval. *inconclusive*: our estimate is not significant and its
    interval holds both 0 and the paper's estimate: the data cannot tell the paper's effect from
    none. *partly reproduced*: our estimate has the paper's sign and exactly one of the other two
    holds (significant but of another size, or of a compatible size but not significant while
    the interval excludes 0). *not reproduced*: anything else (the opposite sign, or neither).

:func:`share`
    A claim about each member of a group (each weak model lies below the cutoff; each cost ratio
    has a small optimal budget): k of the n members for which it holds *with their whole interval*;
    the claim is read from one end of each member's interval, and the n ends hold jointly at 95%
    (each a one-sided bound at 1 - 0.05/n, Bonferroni: a two-sided interval at
    ``joint_level(n, 0.90)``), so that the count is not inflated by the number of members.
    *reproduced*: at least ``majority`` (default one half) of the n; *partly reproduced*: at least
    one; *not reproduced*: none.

:func:`family`
    A family of tests of one claim (one per coding rule and model), Holm-corrected: *reproduced*
    when at least ``majority`` of the tests are significant in the claimed direction and none is
    significant in the opposite one; *partly reproduced* when at least one is significant in the
    claimed direction; *not reproduced* otherwise.

:func:`consistency`
    A model fitted by the paper and by us (the two-type model): *consistent with the paper's
    fit* when every recomputed quantity is within ``tolerance`` of the paper's value; *not
    consistent* otherwise. This is a check of the fit, never "reproduced": agreeing fitted numbers
    do not show that the model explains the curves.

Every function returns one of the words in :data:`WORDS`; a ``kind="supported"`` argument gives
the "supported" family of words for claims that are not a number of the paper ("supported",
"partly supported", "not supported").
"""

from __future__ import annotations

import math
import operator
from typing import Sequence

__all__ = ["WORDS", "effect", "share", "joint_level", "family", "consistency", "word"]

WORDS = (
    "reproduced", "partly reproduced", "not reproduced",
    "supported", "partly supported", "not supported",
    "consistent with the paper's fit", "not consistent with the paper's fit",
    "inconclusive",
)
ALPHA = 0.05


def word(level: int, kind: str = "reproduced") -> str:
    """Level 2/1/0 as a verdict word of ``kind`` ("reproduced" or "supported")."""
    if kind not in ("reproduced", "supported"):
        raise ValueError(f"unknown verdict kind {kind!r}")
    return {2: kind, 1: f"partly {kind}", 0: f"not {kind}"}[level]


def _finite(*xs) -> bool:
    return all(x is not None and math.isfinite(float(x)) for x in xs)


def effect(paper: float, ours: float, ci: Sequence[float], p: float, *, alpha: float = ALPHA,
           kind: str = "reproduced") -> str:
    """Verdict on an effect the paper reports (see the module's rule)."""
    lo, hi = ci
    if not _finite(paper, ours, lo, hi, p):
        raise ValueError("effect(): every input must be a finite number")
    if lo > hi:
        raise ValueError(f"effect(): interval [{lo}, {hi}] is reversed")
    same_sign = math.copysign(1, ours) == math.copysign(1, paper) and ours != 0
    significant = p < alpha
    inside = lo <= paper <= hi
    if same_sign and significant and inside:
        return word(2, kind)
    if not significant and inside and lo <= 0 <= hi:
        return "inconclusive"
    if same_sign and (significant or inside):
        return word(1, kind)
    return word(0, kind)


def joint_level(n: int, level: float = 0.95) -> float:
    """Confidence of each of ``n`` intervals so that all n hold together at ``level`` (Bonferroni:
    1 - (1 - level) / n). A :func:`share` count uses intervals at this level; for a one-sided
    claim read from the upper end of a two-sided interval, pass the two-sided ``level`` (0.90 for
    a one-sided 95% bound)."""
    try:
        whole = operator.index(n)
    except TypeError:
        whole = None
    if whole is None or isinstance(n, bool) or whole < 1:
        raise ValueError(f"joint_level(): need a whole number of intervals n >= 1, got {n!r}")
    if not 0 < level < 1:
        raise ValueError(f"joint_level(): level must lie in (0, 1), got {level!r}")
    return 1 - (1 - level) / whole


def share(k: int, n: int, *, majority: float = 0.5, kind: str = "reproduced") -> str:
    """Verdict on a claim about each of ``n`` members, holding (whole interval) for ``k``."""
    if n <= 0 or not 0 <= k <= n:
        raise ValueError(f"share(): need 0 <= k <= n and n > 0, got k={k}, n={n}")
    if k >= majority * n and k > 0:
        return word(2, kind)
    return word(1, kind) if k >= 1 else word(0, kind)


def family(estimates: Sequence[float], p_adjusted: Sequence[float], claimed_sign: int, *,
           alpha: float = ALPHA, majority: float = 0.5, kind: str = "reproduced") -> str:
    """Verdict on a Holm-corrected family of tests of one directional claim."""
    if claimed_sign not in (-1, 1):
        raise ValueError("family(): claimed_sign must be -1 or 1")
    pairs = [(e, p) for e, p in zip(estimates, p_adjusted) if _finite(e, p)]
    if not pairs:
        raise ValueError("family(): no finite test")
    hits = sum(1 for e, p in pairs if p < alpha and e * claimed_sign > 0)
    against = sum(1 for e, p in pairs if p < alpha and e * claimed_sign < 0)
    if hits >= majority * len(pairs) and hits > 0 and against == 0:
        return word(2, kind)
    return word(1, kind) if hits >= 1 else word(0, kind)


def consistency(paper: Sequence[float], ours: Sequence[float], *, tolerance: float = 0.01) -> str:
    """Do our recomputed values of a fitted model agree with the paper's (absolute tolerance)?"""
    if len(paper) != len(ours) or not paper:
        raise ValueError("consistency(): need two equally long, non-empty lists")
    ok = all(_finite(a, b) and abs(float(a) - float(b)) <= tolerance for a, b in zip(paper, ours))
    return WORDS[6] if ok else WORDS[7]
