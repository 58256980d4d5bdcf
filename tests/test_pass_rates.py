"""flaws.pass_rates on outcome tables written here: the shares stage 02 shows per configuration."""

import math

import pandas as pd
import pytest

from flaws import book, pass_rates


def _outcomes():
    # configuration (m, base): 4 samples: correct, false positive, false positive, fails base;
    # (m, rule): 2 samples: correct, error on both; (a, base): 1 sample failing base, passing plus
    rows = [("m", "base", "pass", "pass"), ("m", "base", "pass", "fail"), ("m", "base", "pass", "timeout"),
            ("m", "base", "fail", "fail"), ("m", "rule", "pass", "pass"), ("m", "rule", "error", "error"),
            ("a", "base", "fail", "pass")]
    return pd.DataFrame([{"model": m, "prompt_style": s, "task_id": f"T/{i}", "base_status": b, "plus_status": p}
                         for i, (m, s, b, p) in enumerate(rows)])


def test_by_configuration_counts_each_sample_once_per_share():
    t = pass_rates.by_configuration(_outcomes())
    assert list(zip(t["model"], t["prompt_style"])) == [("a", "base"), ("m", "base"), ("m", "rule")]
    assert list(t["samples"]) == [1, 4, 2]
    m = t.iloc[1]
    assert (m["pass_base"], m["pass_plus"], m["correct"], m["false_positive"]) == (0.75, 0.25, 0.25, 0.5)
    assert m["false_positive_among_base"] == pytest.approx(2 / 3)
    a = t.iloc[0]  # a plus pass without a base pass is not correct, and nothing is accepted
    assert (a["pass_plus"], a["correct"]) == (1.0, 0.0) and math.isnan(a["false_positive_among_base"])


def test_pooled_share_is_false_positives_among_base_passes():
    p = pass_rates.pooled(_outcomes())
    assert p == {"samples": 7, "base_passes": 4, "false_positives": 2, "share": 0.5}
    assert math.isnan(pass_rates.pooled(_outcomes().iloc[[3]])["share"])


def test_reader_table_has_reader_names_and_renders():
    shown = pass_rates.reader_table(pass_rates.by_configuration(_outcomes()))
    assert list(shown["configuration"]) == ["a (base)", "m (base)", "m (rule)"]
    assert list(shown.columns) == ["configuration", "samples", *pass_rates.PERCENT_COLUMNS]
    html = book.table_html(shown, percent_columns=pass_rates.PERCENT_COLUMNS)
    assert "75.0%" in html and "66.7%" in html


def test_status_counts_orders_verdicts_and_fills_missing_with_zero():
    c = pass_rates.status_counts(_outcomes())
    assert list(c.index) == ["pass", "fail", "timeout", "error"]
    assert c.loc["pass"].tolist() == [4, 3] and c.loc["timeout"].tolist() == [0, 1]
    assert c["base"].sum() == 7 and c.dtypes.tolist() == ["int64", "int64"]
