"""Metrics on tiny hand-built outcome tables."""

import gzip

import numpy as np
import pandas as pd
import pytest

from flaws import metrics as m


def make_outcomes(rows):
    """rows: (model, task_id, base_status, plus_status); sample_index counts per (model, task)."""
    recs, seen = [], {}
    for model, task, base, plus in rows:
        i = seen.get((model, task), 0)
        seen[(model, task)] = i + 1
        recs.append(
            {
                "benchmark": "humaneval+", "model": model, "prompt_style": "base", "temperature": 0.8,
                "source_id": "test", "task_id": task, "sample_index": i, "solution_sha256": f"{model}{task}{i}",
                "base_status": base, "plus_status": plus, "first_failed_base": "", "first_failed_plus": "",
            }
        )
    return pd.DataFrame(recs, columns=list(m.OUTCOME_COLUMNS))


P, F = "pass", "fail"
ROWS = [
    # model A: T/1 2 base passes, 1 correct; T/2 no base pass; T/10 1 of 1 correct
    ("A", "HumanEval/1", P, P), ("A", "HumanEval/1", P, F), ("A", "HumanEval/1", F, F), ("A", "HumanEval/1", F, F),
    ("A", "HumanEval/2", F, F), ("A", "HumanEval/2", F, F),
    ("A", "HumanEval/2", "timeout", F), ("A", "HumanEval/2", F, F),
    ("A", "HumanEval/10", P, P), ("A", "HumanEval/10", F, F), ("A", "HumanEval/10", F, F), ("A", "HumanEval/10", F, F),
    # model B: T/2 has a sample passing plus but failing base -> false-negative filter removes T/2
    ("B", "HumanEval/1", P, P), ("B", "HumanEval/1", P, P),
    ("B", "HumanEval/2", F, P), ("B", "HumanEval/2", F, F),
    ("B", "HumanEval/10", P, F), ("B", "HumanEval/10", "error", "error"),
]


def test_task_counts():
    c = m.task_counts(make_outcomes(ROWS))
    a = c[c.model == "A"]
    assert a.task_id.tolist() == ["HumanEval/1", "HumanEval/2", "HumanEval/10"]  # natural order
    got = a[["n", "base_passes", "plus_passes", "correct"]].values.tolist()
    assert got == [[4, 2, 1, 1], [4, 0, 0, 0], [4, 1, 1, 1]]
    b = c[c.model == "B"].set_index("task_id")
    assert b.loc["HumanEval/2", "plus_passes"] == 1 and b.loc["HumanEval/2", "correct"] == 0


def test_false_negative_filter_and_comparison():
    c = m.task_counts(make_outcomes(ROWS))
    removed = m.false_negative_tasks(c)
    assert removed.task_id.tolist() == ["HumanEval/2"]
    assert removed.n_groups.tolist() == [1] and removed.max_excess.tolist() == [0.5]
    kept = m.apply_task_filter(c, removed)
    assert "HumanEval/2" not in set(kept.task_id) and len(kept) == 4
    cmp = m.compare_removed_tasks(["HumanEval/2", "HumanEval/9"], ["HumanEval/9", "HumanEval/62"])
    assert cmp == {"both": ["HumanEval/9"], "ours_only": ["HumanEval/2"], "paper_only": ["HumanEval/62"]}


def test_summarize_hand_computed():
    c = m.task_counts(make_outcomes(ROWS))
    a = m.summarize_counts(c[c.model == "A"], seed=0, n_resamples=999)
    assert a["n_tasks"] == 3 and a["n_samples"] == 12
    assert a["accuracy"] == pytest.approx((1 / 4 + 0 + 1 / 4) / 3)
    assert a["base_accuracy"] == pytest.approx((2 / 4 + 0 + 1 / 4) / 3)
    # conditional accuracy defined on T/1 (1/2) and T/10 (1/1)
    assert a["n_tasks_defined"] == 2
    assert a["conditional_accuracy"] == pytest.approx(0.75)
    assert a["conditional_accuracy_worst"] == pytest.approx(1.5 / 3)
    assert a["conditional_accuracy_best"] == pytest.approx(2.5 / 3)
    assert a["conditional_accuracy_pooled"] == pytest.approx(2 / 3)
    assert a["false_positive_rate"] == pytest.approx(0.25)
    assert a["false_positive_rate_low"] == pytest.approx(1 - a["conditional_accuracy_high"])
    assert a["conditional_accuracy_low"] <= 0.75 <= a["conditional_accuracy_high"]
    assert 0.5 <= a["conditional_accuracy_low"] and a["conditional_accuracy_high"] <= 1.0


def test_bootstrap_is_seeded_and_covers():
    rng = np.random.default_rng(3)
    rows = []
    for t in range(60):
        p = rng.random()
        for _ in range(10):
            base = rng.random() < p
            rows.append(("A", f"HumanEval/{t}", P if base else F, P if base and rng.random() < 0.7 else F))
    c = m.task_counts(make_outcomes(rows))
    s1 = m.summarize(c, seed=7, n_resamples=2000)
    s2 = m.summarize(c, seed=7, n_resamples=2000)
    pd.testing.assert_frame_equal(s1, s2)
    r = s1.iloc[0]
    assert r.accuracy_low < r.accuracy < r.accuracy_high
    assert r.conditional_accuracy_low < r.conditional_accuracy < r.conditional_accuracy_high
    assert r.conditional_accuracy_pooled_low < r.conditional_accuracy_pooled < r.conditional_accuracy_pooled_high
    # 95% interval of a mean of ~60 values: roughly +-2 standard errors
    x = (c.correct / c.n).to_numpy()
    se = x.std(ddof=1) / np.sqrt(len(x))
    assert (r.accuracy_high - r.accuracy_low) == pytest.approx(2 * 1.96 * se, rel=0.2)


def test_validation_errors(tmp_path):
    df = make_outcomes(ROWS)
    bad = df.copy()
    bad.loc[3, "plus_status"] = "passed"
    p = tmp_path / "o.csv.gz"
    with gzip.open(p, "wt") as fh:
        bad.to_csv(fh, index=False)
    with pytest.raises(m.OutcomesError, match=r"o\.csv\.gz: line 5: plus_status is 'passed'"):
        m.load_outcomes(p)
    dup = pd.concat([df, df.iloc[[0]]], ignore_index=True)
    with pytest.raises(m.OutcomesError, match="line 20: duplicate sample"):
        m.validate_outcomes(dup, "x.csv")
    with pytest.raises(m.OutcomesError, match="missing column"):
        m.validate_outcomes(df.drop(columns=["base_status"]), "x.csv")
    with pytest.raises(FileNotFoundError, match="not found"):
        m.load_outcomes(tmp_path / "nope.csv.gz")


def test_load_round_trip(tmp_path):
    df = make_outcomes(ROWS)
    p = tmp_path / "o.csv.gz"
    with gzip.open(p, "wt") as fh:
        df.to_csv(fh, index=False)
    back = m.load_outcomes(p)
    assert len(back) == len(df)
    pd.testing.assert_frame_equal(m.task_counts(back), m.task_counts(df))


def test_subsample_counts():
    from flaws.metrics import conditional_accuracy_at_n, subsample_counts

    n, b, c = np.array([10, 4, 0]), np.array([6, 4, 0]), np.array([3, 1, 0])
    ns, bs, cs = subsample_counts(n, b, c, 4, draws=4000, seed=1)
    assert ns.shape == bs.shape == (4000, 3)
    assert (ns[:, 0] == 4).all() and (bs[:, 1] == 4).all() and (cs[:, 1] == 1).all()  # n <= m: whole
    assert (bs[:, 2] == 0).all() and (cs <= bs).all() and (bs <= ns).all()
    assert bs[:, 0].mean() == pytest.approx(6 * 4 / 10, abs=0.05)  # hypergeometric mean
    assert cs[:, 0].mean() == pytest.approx(3 * 4 / 10, abs=0.05)
    again = subsample_counts(n, b, c, 4, draws=4000, seed=1)
    assert all((x == y).all() for x, y in zip(again, (ns, bs, cs)))
    # at m = n the conditional accuracy is the full-set value; fewer samples drop hard tasks
    nn, bb, cc = np.array([20, 20]), np.array([1, 10]), np.array([0, 10])
    assert conditional_accuracy_at_n(nn, bb, cc, 20) == pytest.approx(0.5)
    assert conditional_accuracy_at_n(nn, bb, cc, 2, draws=2000) > 0.8
    with pytest.raises(ValueError):
        subsample_counts([2], [3], [1], 1)


def test_false_positive_share_weighs_configurations_equally():
    from flaws.metrics import false_positive_share

    # config "big": 200 base passes, 10 false positives (5%); config "small": 10 base passes,
    # 5 false positives (50%). Pooled over samples: 15/210; per configuration: (0.05 + 0.5) / 2
    counts = pd.DataFrame({
        "benchmark": ["humaneval+"] * 4, "model": ["big", "big", "small", "small"], "prompt_style": ["base"] * 4,
        "task_id": ["T/0", "T/1", "T/0", "T/1"], "n": [200, 200, 10, 10],
        "base_passes": [100, 100, 5, 5], "correct": [95, 95, 3, 2]})
    s = false_positive_share(counts, seed=0, n_resamples=500)
    assert s["pooled"] == pytest.approx(15 / 210)
    assert s["per_configuration"] == pytest.approx((10 / 200 + 5 / 10) / 2)
    assert s["n_configurations"] == 2 and s["n_tasks"] == 2 and s["n_base_passes"] == 210
    lo, hi = s["per_configuration_ci"]
    assert lo <= s["per_configuration"] <= hi and hi - lo > 0  # the two tasks differ for "small"
    assert false_positive_share(counts, seed=0, n_resamples=500) == s
