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


def test_text_repr_has_no_quotes():
    t = book.Text("0.201")
    assert repr(t) == "0.201" and t == "0.201"


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
