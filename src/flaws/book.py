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

:func:`table` shows a data frame the way the book prints tables: no index column, reader-facing
column names (it refuses a raw ``snake_case`` name), numbers with three significant digits (or as
percentages), "—" for a missing value, never "NaN".
"""

from __future__ import annotations

import math
import numbers
import re

__all__ = ["Text", "number", "interval", "count", "percent", "p_value", "glue_text", "check_text",
           "significant", "table", "table_html", "MISSING", "RAW_NAME"]


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


def estimate(value, low, high, digits: int = 3) -> str:
    """A point estimate with its interval: ``0.119 [0.084, 0.161]``."""
    return f"{number(value, digits)} {interval(low, high, digits)}"


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


#: what a table cell shows for a missing value
MISSING = "—"
#: a raw code name as a column header: lower-case words joined by underscores (``lt_only``)
RAW_NAME = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")


def significant(x, digits: int = 3) -> str:
    """``x`` with ``digits`` significant digits, never in scientific notation: 0.22537 -> '0.225',
    0.000123456 -> '0.000123', 1234.4 -> '1,234' (a number of 10**digits or more keeps its
    integer digits), -0.0 -> '0'; NaN -> '—'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return MISSING
    if isinstance(x, numbers.Integral):
        return f"{int(x):,}"
    x = float(x)
    if x == 0:
        return "0"
    if abs(x) >= 10 ** (digits - 1):
        return f"{round(x):,}"
    decimals = digits - 1 - math.floor(math.log10(abs(x)))
    rounded = round(x, decimals)
    if rounded != 0 and math.floor(math.log10(abs(rounded))) > math.floor(math.log10(abs(x))):
        decimals -= 1  # 0.99999 -> 1.00, 99.95 -> 100: the carry adds a digit
        if abs(rounded) >= 10 ** (digits - 1):
            return f"{round(rounded):,}"
    text = f"{round(x, decimals):.{decimals}f}"
    return text[1:] if re.fullmatch(r"-0\.?0*", text) else text


def _cell(value, as_percent: bool, digits: int) -> str:
    if value is None:
        return MISSING
    try:
        import pandas as pd

        if pd.isna(value):
            return MISSING
    except (TypeError, ValueError):
        pass
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, numbers.Number):
        return percent(value) if as_percent else significant(value, digits)
    return str(value)


def table_html(df, *, percent_columns=(), digits: int = 3, escape: bool = True) -> str:
    """The HTML of ``df`` as the book shows tables (see :func:`table`)."""
    raw = [c for c in df.columns if RAW_NAME.match(str(c))]
    if raw:
        raise ValueError(f"rename these columns for the reader: {raw}")
    if getattr(df.columns, "nlevels", 1) != 1:
        raise ValueError("flatten the column index first")
    shown = df.reset_index(drop=True).copy()
    for column in shown.columns:
        shown[column] = [_cell(v, column in percent_columns, digits) for v in shown[column]]
    return shown.to_html(index=False, border=0, escape=escape, na_rep=MISSING, justify="left")


def table(df, *, percent_columns=(), digits: int = 3, escape: bool = True):
    """``df`` as an HTML table for a notebook: no index column; numbers with ``digits`` significant
    digits, the ``percent_columns`` (shares in [0, 1]) as percentages; booleans as yes/no; a
    missing value as "—". Raises ``ValueError`` on a column named like code (``lt_only``)."""
    from IPython.display import HTML

    return HTML(table_html(df, percent_columns=percent_columns, digits=digits, escape=escape))
