"""Notebook plumbing for the book: glued values that read as text.

``myst_nb.glue`` stores a value's ``repr`` and ``{glue:text}`` evaluates it back: a float then
renders with every digit, a count from pandas as ``153.0``, a formatted ``92,880`` as the tuple
``(92, 880)``. The helpers here format a value the way the book prints it and glue it as a
string, which comes back unchanged:

>>> number(0.20137), interval(0.141, 0.277), count(1, "model"), percent(0.117)
('0.201', '[0.141, 0.277]', '1 model', '11.7%')

``glue_text(name, text)`` glues it (no output in the notebook). :func:`check_text` is the rule a
test applies to every glued value of the book: no quotes, no ``e+00``, no ``.0`` count, no
"1 models".
"""

from __future__ import annotations

import math
import numbers
import re

__all__ = ["Text", "number", "interval", "count", "percent", "p_value", "glue_text", "check_text", "Table", "table"]


class Text(str):
    """A formatted value to glue. Its ``repr`` is an ordinary string literal: myst-nb's
    ``{glue:text}`` role evaluates the stored ``text/plain`` as a Python literal, so a literal
    comes back as exactly this text, where a bare ``92,880`` would come back as the tuple
    ``(92, 880)`` and ``0.20`` as ``0.2``."""


def number(x, digits: int = 3) -> str:
    """``x`` with ``digits`` decimals; -0.000 becomes 0.000; integers print without decimals."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if isinstance(x, numbers.Integral) or digits == 0:
        return f"{int(round(float(x))):,}"
    s = f"{float(x):.{digits}f}"
    if re.fullmatch(r"-0\.?0*", s):
        s = s[1:]
    return s


def interval(low, high, digits: int = 3) -> str:
    """``[low, high]`` with :func:`number`'s formatting."""
    return f"[{number(low, digits)}, {number(high, digits)}]"


def count(n, noun: str, plural: str | None = None) -> str:
    """``n`` as a whole number with its noun in agreeing number: '1 model', '2 models', '1,204 samples'."""
    k = int(round(float(n)))
    word = noun if k == 1 else (plural or noun + "s")
    return f"{k:,} {word}"


def percent(share, digits: int = 1) -> str:
    """A share in [0, 1] as a percentage: 0.117 -> '11.7%'."""
    return f"{number(100 * float(share), digits)}%"


def p_value(p) -> str:
    """A p-value as a reader expects it: 'p = 0.012', 'p < 0.001'."""
    p = float(p)
    if math.isnan(p):
        return "p = n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def glue_text(name: str, text) -> Text:
    """Glue ``text`` (already formatted) under ``name`` without showing it; returns it."""
    from myst_nb import glue

    value = Text(str(text))
    glue(name, value, display=False)
    return value


_BAD = [
    (re.compile(r"^['\"]|['\"]$"), "quoted"),
    (re.compile(r"\d[eE][+-]\d"), "scientific notation"),
    (re.compile(r"^\d+\.0$"), "a count with '.0'"),
    (re.compile(r"(?<![\d.,])\b1 [a-z]*[^s\W]s\b"), "'1 <plural>'"),
    (re.compile(r"^-0\.0+$"), "negative zero"),
    (re.compile(r"\bnan\b", re.I), "NaN"),
]


def check_text(text: str) -> list[str]:
    """Problems a reader would see in a glued value (empty list: fine)."""
    return [why for rx, why in _BAD if rx.search(str(text))]


class Table:
    """A table as the reader sees it: no index column (HTML in the book, plain text elsewhere).
    Deterministic output (no ids), so a notebook's stored output does not change between runs."""

    def __init__(self, frame) -> None:
        self.frame = frame

    def __repr__(self) -> str:
        return self.frame.to_string(index=False)

    def _repr_html_(self) -> str:
        return self.frame.to_html(index=False, na_rep="", border=0)


def table(frame) -> Table:
    """Show ``frame`` without its index (its columns are already the reader's names)."""
    return Table(frame)

