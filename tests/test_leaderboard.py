"""Tests for flaws.leaderboard on small leaderboard files written by the tests."""

import json
import math

import numpy as np
import pytest

from flaws.leaderboard import LeaderboardError, ceiling_table, fit_ceiling, load_leaderboard, parse_leaderboard


def _entry(he, hep, mb=None, mbp=None, size=7.0, prompted=True):
    return {
        "link": "https://example.invalid",
        "open-data": "NONE",
        "pass@1": {"humaneval": he, "humaneval+": hep, "mbpp": mb, "mbpp+": mbp},
        "prompted": prompted,
        "size": size,
    }


BOARD = {
    "B-model": _entry(80.0, 72.0, 70.0, 60.0),
    "A-model": _entry(50.0, 40.0, None, None, size=None, prompted=False),
    "C-model": _entry(60.0, 51.0, 50.0, 40.0),
    "D-model": _entry(0.0, 0.0, 10.0, 5.0),
}


def test_parse_values_and_order():
    df = parse_leaderboard(json.dumps(BOARD, indent=2))
    assert list(df["model"]) == ["A-model", "B-model", "C-model", "D-model"]
    row = df.set_index("model").loc["B-model"]
    assert row["humaneval"] == pytest.approx(0.80)
    assert row["mbpp_plus"] == pytest.approx(0.60)
    a = df.set_index("model").loc["A-model"]
    assert math.isnan(a["mbpp"]) and math.isnan(a["size"]) and bool(a["prompted"]) is False


def test_ceiling_table_humaneval():
    t = ceiling_table(parse_leaderboard(json.dumps(BOARD)), "humaneval+")
    # D-model has base 0: conditional accuracy undefined, left out
    assert list(t["model"]) == ["A-model", "C-model", "B-model"]
    ca = dict(zip(t["model"], t["conditional_accuracy"]))
    assert ca["B-model"] == pytest.approx(72 / 80)
    assert ca["A-model"] == pytest.approx(40 / 50)
    assert ca["C-model"] == pytest.approx(51 / 60)
    assert np.allclose(t["false_positive_rate"], 1 - t["conditional_accuracy"])
    assert not t["plus_exceeds_base"].any()


def test_ceiling_table_mbpp_drops_missing():
    t = ceiling_table(parse_leaderboard(json.dumps(BOARD)), "mbpp+")
    assert sorted(t["model"]) == ["B-model", "C-model", "D-model"]
    assert dict(zip(t["model"], t["conditional_accuracy"]))["D-model"] == pytest.approx(0.5)


def test_unknown_benchmark():
    with pytest.raises(ValueError, match="unknown benchmark"):
        ceiling_table(parse_leaderboard(json.dumps(BOARD)), "humaneval")


def test_fit_ceiling_exact_line():
    # points exactly on y = 0.5 x + 0.4
    # accuracy a, conditional accuracy 0.5 a + 0.4, so base pass@1 = a / (0.5 a + 0.4)
    board = {f"m{i}": _entry(100 * a / (0.5 * a + 0.4), 100 * a) for i, a in enumerate([0.2, 0.4, 0.6, 0.8])}
    t = ceiling_table(parse_leaderboard(json.dumps(board)), "humaneval+")
    fit = fit_ceiling(t, seed=1)
    assert fit["slope"] == pytest.approx(0.5)
    assert fit["intercept"] == pytest.approx(0.4)
    assert fit["r_squared"] == pytest.approx(1.0)
    assert fit["n"] == 4
    assert fit["strongest_accuracy"] == pytest.approx(0.8)
    # ceilings 0.5, 0.6, 0.7, 0.8 -> three below the strongest accuracy 0.8
    assert fit["models_below_cutoff"] == 3
    assert fit["spearman_rho"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "line 1: not valid JSON"),
        ("[]", "expected a non-empty JSON object"),
        (json.dumps({"x": 3}), "entry is int"),
        (json.dumps({"x": {"size": 1}}), "missing 'pass@1'"),
        (json.dumps({"x": {"pass@1": {"humaneval": 1, "humaneval+": 1, "mbpp": 1}}}), "no 'mbpp\\+' score"),
        (json.dumps({"x": _entry("80", 70)}), "expected a number or null"),
        (json.dumps({"x": _entry(180, 70)}), "outside \\[0, 100\\]"),
        (json.dumps({"x": _entry(80, 70, size="big")}), "'size' is 'big'"),
        (json.dumps({"x": _entry(80, 70, prompted="yes")}), "'prompted' is 'yes'"),
    ],
)
def test_bad_input_errors(text, message):
    with pytest.raises(LeaderboardError, match=message):
        parse_leaderboard(text, source="board.json")


def test_error_names_file_and_line(tmp_path):
    good = {"a": _entry(50, 40), "b": _entry(50, 40)}
    # corrupt only the second entry
    first = json.dumps(good, indent=2)
    text = first[: first.index('"b"')] + first[first.index('"b"') :].replace('"humaneval+": 40', '"humaneval+": -4')
    path = tmp_path / "results.json"
    path.write_text(text)
    line_b = text[: text.index('"b"')].count("\n") + 1
    with pytest.raises(LeaderboardError, match=rf"results\.json, line {line_b} \(model 'b'\)"):
        load_leaderboard(path)


def test_load_not_utf8(tmp_path):
    path = tmp_path / "results.json"
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(LeaderboardError, match="not UTF-8"):
        load_leaderboard(path)


def test_paper_comparison_matches_names():
    from flaws.leaderboard import PAPER_MODEL_MATCHES, paper_comparison

    board = {"CodeLlama-7B": _entry(30.0, 25.0), "GPT 4o (Aug 2024)": _entry(90.0, 85.0), "Other": _entry(50.0, 45.0)}
    t = ceiling_table(parse_leaderboard(json.dumps(board)), "humaneval+")
    paper = [
        {"model": "GPT-4o", "accuracy": 0.855, "conditional_accuracy": 0.93},
        {"model": "Vicuna 7B", "accuracy": 0.09, "conditional_accuracy": 0.75},  # not on this board
        {"model": "Code Llama 7B", "accuracy": 0.29, "conditional_accuracy": 0.76},
    ]
    cmp = paper_comparison(t, paper)
    assert list(cmp["model"]) == ["GPT-4o", "Code Llama 7B"]
    row = cmp.set_index("model").loc["Code Llama 7B"]
    assert row["greedy_conditional_accuracy"] == pytest.approx(25 / 30)
    assert row["paper_accuracy"] == pytest.approx(0.29) and bool(row["exact_match"])
    assert not cmp.set_index("model").loc["GPT-4o", "exact_match"]
    assert all(isinstance(v[1], bool) for v in PAPER_MODEL_MATCHES.values())


def test_real_leaderboard_file_parses():
    """The mirrored leaderboard parses and every model has sane scores (plus never above base)."""
    import os

    if not os.environ.get("FLAWS_MIRROR"):
        pytest.skip("FLAWS_MIRROR not set")
    board = load_leaderboard()
    assert len(board) > 100 and board["model"].is_unique
    for bench in ("humaneval+", "mbpp+"):
        t = ceiling_table(board, bench)
        assert len(t) > 50
        assert not t["plus_exceeds_base"].any()
        assert ((t["conditional_accuracy"] > 0) & (t["conditional_accuracy"] <= 1)).all()
