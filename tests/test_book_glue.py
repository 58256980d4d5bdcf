"""flaws.book: glued values read as text (no quotes, no e+00, no '.0' counts, agreeing nouns)."""

import numpy as np
import pytest

from flaws import book


@pytest.mark.parametrize("value, expected", [
    (0.20137, "0.201"), (-0.0001, "0.000"), (np.int64(153), "153"), (153.0, "153.000"),
    (float("nan"), "n/a"), (12345, "12,345"),
])
def test_number(value, expected):
    assert book.number(value) == expected


def test_count_agrees_and_never_shows_decimals():
    assert book.count(1, "model") == "1 model"
    assert book.count(2.0, "model") == "2 models"
    assert book.count(np.float64(153.0), "task") == "153 tasks"
    assert book.count(1, "class", "classes") == "1 class"


def test_glued_text_comes_back_unchanged_through_glue_text_role():
    """What {glue:text} does with the stored text/plain (myst-nb's format_plain_text)."""
    from myst_nb.core.variables import format_plain_text

    for value in ["92,880", "0.20", "[0.088, 0.317]", "1 model", "p < 0.001", "[8.3%, 15.5%]", "17"]:
        assert format_plain_text(repr(book.Text(value)), "s") == value
    assert format_plain_text("92,880", "s") != "92,880"  # why a bare repr would not do


def test_percent_interval_p():
    assert book.percent(0.1168) == "11.7%"
    assert book.interval(0.1412, 0.2771) == "[0.141, 0.277]"
    assert book.p_value(0.0) == "p < 0.001" and book.p_value(0.0087) == "p = 0.009"


@pytest.mark.parametrize("bad", ["'0.201'", "0.0e+00", "153.0", "1 models have", "-0.000", "nan"])
def test_check_text_rejects_what_a_reader_trips_on(bad):
    assert book.check_text(bad)


@pytest.mark.parametrize("good", ["0.201", "1 model", "2 models", "[0.141, 0.277]", "11.7%",
                                  "p < 0.001", "1 class", "21 models"])
def test_check_text_accepts_good_values(good):
    assert book.check_text(good) == []


# ------------------------------------------------------------------------ tables


@pytest.mark.parametrize("value, expected", [
    (0.22537, "0.225"), (0.000123456, "0.000123"), (1234.4, "1,234"), (-0.0, "0"), (0.1, "0.100"),
    (0.99999, "1.00"), (99.95, "100"), (12.345, "12.3"), (np.int64(16400), "16,400"),
    (float("nan"), "—"), (-0.00001, "-0.0000100"),
])
def test_significant(value, expected):
    assert book.significant(value) == expected


def test_table_has_no_index_no_nan_and_formats_numbers():
    import pandas as pd

    df = pd.DataFrame({"configuration": ["a (base)", "b (rule)"], "share": [0.1234, np.nan],
                       "samples": [16400, 20], "temperature": [0.8, None], "exact": [True, False]},
                      index=[3, 7])
    html = book.table_html(df, percent_columns=("share",))
    assert "<th>" not in html.split("<tbody>")[1], "an index column was written"
    for bad in ("NaN", "nan", "None", ">3<", ">7<"):
        assert bad not in html
    for good in ("12.3%", "—", "16,400", "0.800", "yes", "no"):
        assert f"<td>{good}</td>" in html


def test_table_refuses_raw_column_names():
    import pandas as pd

    with pytest.raises(ValueError, match="lt_only"):
        book.table_html(pd.DataFrame({"lt_only": [1], "configurations": [2]}))
    book.table_html(pd.DataFrame({"K_opt (exact)": [1], "plus inputs": [2]}))  # reader-facing: fine
