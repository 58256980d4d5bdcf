"""Verifiers of different strength (flaws.verifiers) and the stored plus failures."""

import numpy as np
import pandas as pd
import pytest

from flaws import metrics, resampling, verifiers as vf
from flaws.execute import plus_failures as pf

KEYS = dict(benchmark="humaneval+", model="m", prompt_style="base")


def _outcomes():
    """Two tasks; sample = (base, plus, first_failed_plus, sha)."""
    rows = [("t/0", "pass", "pass", None, "a"), ("t/0", "pass", "fail", 0, "b"),
            ("t/0", "pass", "fail", 3, "c"), ("t/0", "fail", "fail", 1, "d"),
            ("t/1", "pass", "timeout", 2, "e"), ("t/1", "fail", "pass", None, "f"),
            ("t/1", "pass", "pass", None, "g"), ("t/1", "pass", "fail", 4, "c")]
    return pd.DataFrame([{**KEYS, "task_id": t, "sample_index": i, "base_status": b, "plus_status": p,
                          "first_failed_plus": f, "solution_sha256": h}
                         for i, (t, b, p, f, h) in enumerate(rows)])


def _failures():
    return pd.DataFrame([
        {"task_id": "t/0", "solution_sha256": "b", "n_plus": 5, "reached": 5, "failed": [0, 4]},
        {"task_id": "t/0", "solution_sha256": "c", "n_plus": 5, "reached": 5, "failed": [3]},
        {"task_id": "t/1", "solution_sha256": "e", "n_plus": 6, "reached": 3, "failed": [2]},
        {"task_id": "t/1", "solution_sha256": "c", "n_plus": 6, "reached": 6, "failed": [4, 5]}])


def test_parse_names_and_edges():
    assert vf.parse("base+plus:10") == vf.parse("base+first:10") == vf.Verifier("first", 10)
    assert vf.parse("base+first:0") == vf.parse("base") == vf.Verifier("base")
    assert vf.parse("base+plus:all") == vf.parse("base+random:all:3") == vf.Verifier("plus")
    assert vf.parse("base+random:5:7").name == "base+random:5:7"
    for bad in ("base+first:x", "base+random:5", "tests", "base+random:5:-1"):
        with pytest.raises(ValueError):
            vf.parse(bad)


def test_first_m_accepts_by_the_first_failing_index():
    o = _outcomes()
    assert vf.accepts("base", o).tolist() == [1, 1, 1, 0, 1, 0, 1, 1]
    assert vf.accepts("base+first:1", o).tolist() == [1, 0, 1, 0, 1, 0, 1, 1]
    assert vf.accepts("base+first:3", o).tolist() == [1, 0, 1, 0, 0, 0, 1, 1]
    assert vf.accepts("base+first:4", o).tolist() == [1, 0, 0, 0, 0, 0, 1, 1]
    assert vf.accepts("base+first:1000", o).tolist() == vf.accepts("plus", o).tolist() \
        == [1, 0, 0, 0, 0, 0, 1, 0]


def test_random_m_rejects_when_a_drawn_input_fails_or_is_unknown():
    o, f = _outcomes(), vf.failure_matrix(_failures())
    assert vf.accepts("base+random:6:0", o, f).tolist() == vf.accepts("plus", o).tolist()
    for seed in range(20):
        acc = vf.accepts(f"base+random:1:{seed}", o, f)
        d0, d1 = vf._draw("t/0", 5, 1, seed), vf._draw("t/1", 6, 1, seed)
        assert d0.sum() == 1 and d1.sum() == 1
        assert acc[1] == (not (d0[0] or d0[4])) and acc[2] == (not d0[3])
        assert acc[4] == (not d1[2:].any())  # inputs 3-5 were not reached: counted failed
        assert acc[7] == (not (d1[4] or d1[5]))
        assert acc[0] and acc[6] and not acc[3] and not acc[5]
    # the same draw for every program of a task, different draws for different seeds
    assert len({tuple(vf._draw("t/0", 5, 2, s)) for s in range(20)}) > 1
    with pytest.raises(ValueError):
        vf.accepts("base+random:1:0", o)


def test_counts_under_base_equal_task_counts_and_rates():
    o = _outcomes()
    c = vf.verifier_counts(o, vf.accepts("base", o))
    ref = metrics.task_counts(o)
    assert c[["task_id", "n", "base_passes", "correct"]].equals(ref[["task_id", "n", "base_passes", "correct"]])
    r = vf.rates(c, n_resamples=200)
    assert r["false_positive_rate"] == pytest.approx(4 / 6) and r["false_negative_rate"] == 0
    p = vf.rates(vf.verifier_counts(o, vf.accepts("plus", o)), n_resamples=200)
    assert p["false_positive_rate"] == 0 and p["false_negative_rate"] == 0 and p["accepted"] == 2
    # a verifier that rejects a correct program has a false-negative rate
    rej = vf.accepts("plus", o) & (o.sample_index != 0).to_numpy()
    assert vf.rates(vf.verifier_counts(o, rej), n_resamples=200)["false_negative_rate"] == pytest.approx(0.5)
    t = vf.rates_table({"base": c}, by=("model",), n_resamples=200)
    assert t.group.tolist() == ["all", "m"] and np.allclose(t.false_positive_rate, 4 / 6)


def test_smallest_m_finds_the_first_m_and_never():
    ms = [0, 1, 2, "all"]
    tasks = 40
    # config 0 reaches 0.5 at m = 2, config 1 never (0.2 throughout)
    ceil = np.zeros((4, tasks, 2))
    for j, v in enumerate([0.1, 0.3, 0.7, 0.9]):
        ceil[j, :, 0] = v
    ceil[:, :, 1] = 0.2
    out = vf.smallest_m(ceil, np.full(tasks, 0.5), ms, n_resamples=100)
    assert out.loc[0, "m"] == 2 and out.loc[0, "m_low"] == 2 and out.loc[0, "m_high"] == 2
    assert out.loc[1, "m"] == vf.NEVER and out.loc[1, "reached_share"] == 0
    assert vf.first_reaching(np.array([[0.1, 0.6], [0.1, 0.2]]), [0.5, 0.5], ["a", "b"]).tolist() == ["b", None]


def test_index_encoding_round_trips():
    for idx in ([], [0], [1, 3], [1, 2, 3, 7, 9, 10], list(range(50))):
        assert pf.decode_indices(pf.encode_indices(idx)) == idx
    assert pf.encode_indices([5, 1, 2, 3]) == "1-3,5"


# ---- the committed data ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def real():
    o = metrics.load_outcomes()
    return o[o.benchmark.str.lower().eq("humaneval+")].reset_index(drop=True)


def test_m0_is_base_and_m_all_is_plus_on_the_committed_outcomes(real):
    base = metrics.task_counts(real)
    c0 = vf.verifier_counts(real, vf.accepts("base+first:0", real))
    assert c0[["n", "base_passes", "correct"]].equals(base[["n", "base_passes", "correct"]])
    assert np.allclose(resampling.mean_reachable_accuracy(c0.n, c0.base_passes, c0.correct, [10]),
                       resampling.mean_reachable_accuracy(base.n, base.base_passes, base.correct, [10]))
    call = vf.verifier_counts(real, vf.accepts("base+first:all", real))
    assert (call.base_passes == call.correct).all()
    s = metrics.summarize(call, n_resamples=200)
    assert np.allclose(s.conditional_accuracy, 1.0)
    assert vf.rates(call, n_resamples=200)["false_positive_rate"] == 0
    # a strong enough first-m verifier is the plus verdict
    big = vf.verifier_counts(real, vf.accepts("base+first:100000", real))
    assert big.base_passes.equals(call.base_passes)


def test_stored_plus_failures_agree_with_the_first_failing_index(real):
    path = pf.default_path()
    if not path.exists():
        pytest.skip("plus_failures.csv.gz not built")
    f = pf.read(path)
    fp = real[real.base_status.eq("pass") & real.plus_status.ne("pass")]
    first = fp.drop_duplicates(["task_id", "solution_sha256"]).set_index(["task_id", "solution_sha256"])
    assert len(f) == len(first)
    j = f.set_index(["task_id", "solution_sha256"]).join(first[["first_failed_plus", "plus_status"]])
    # the first failing input of the details run is the executor's first_failed_plus, except
    # for a few programs that time out near the limit, where the input that times out first
    # depends on the machine's load (every one of them still fails in the details run)
    same = [bool(fl) and fl[0] == int(ff) for fl, ff in zip(j.failed, j.first_failed_plus)]
    differ = j[[not s for s in same]]
    assert differ.plus_status.eq("timeout").all() and len(differ) <= 5
    assert all(len(fl) > 0 for fl in differ.failed)
    first_idx = j.first_failed_plus.astype(int)
    assert (j[same].reached > first_idx[same]).all() and (j.reached <= j.n_plus).all()
    # every stored false positive is rejected by the plus-input verifiers at m = all
    mats = vf.failure_matrix(f)
    assert (vf.accepts("base+random:100000:0", real, mats) == vf.accepts("plus", real)).all()


def test_rates_for_reader_formats_each_rate_with_its_interval():
    t = pd.DataFrame([{"verifier": "v", "group": g, "accepted": 10, "false_positive_rate": 0.25,
                       "false_positive_rate_low": 0.1, "false_positive_rate_high": 0.4,
                       "false_negative_rate": -0.0, "false_negative_rate_low": 0.0,
                       "false_negative_rate_high": 0.05} for g in ("all", "m / base")])
    r = vf.rates_for_reader(t)
    assert r.to_dict("records") == [{"verifier": "v", "accepted samples": 10,
                                     "false-positive rate [95% interval]": "0.250 [0.100, 0.400]",
                                     "false-negative rate [95% interval]": "0.000 [0.000, 0.050]"}]
    assert len(vf.rates_for_reader(t, "m / base")) == 1


def test_rate_differences_pair_the_tasks_and_correct_for_multiplicity():
    def counts(acc, good):
        return pd.DataFrame({"task_id": [f"t/{k}" for k in range(len(acc))], "base_passes": acc, "correct": good})
    ref = counts([10] * 30, [8] * 30)                      # 20% wrong on every task
    same = counts([10] * 30, [8] * 30)
    better = counts([10] * 30, [10] * 15 + [9] * 15)       # 5% wrong
    d = vf.rate_differences({"same": same, "better": better}, ref, n_resamples=500)
    assert d.verifier.tolist() == ["same", "better"]
    assert d.difference.tolist() == pytest.approx([0.0, -0.15])
    assert d.loc[1, "high"] < 0 and d.loc[1, "p_holm"] < 0.05
    assert d.loc[0, "low"] == d.loc[0, "high"] == 0 and d.loc[0, "p_holm"] == 1
    with pytest.raises(ValueError, match="reference's tasks"):
        vf.rate_differences({"x": counts([1, 1], [1, 1])}, ref)


def test_rates_by_configuration_pivots_in_the_given_order():
    rows = [{"verifier": v, "group": g, "accepted": 1, "false_positive_rate": r, "false_positive_rate_low": r / 2,
             "false_positive_rate_high": r * 2, "false_negative_rate": 0.0, "false_negative_rate_low": 0.0,
             "false_negative_rate_high": 0.0}
            for v, r in (("base", 0.1), ("x", 0.2), ("y", 0.3)) for g in ("all", "m / base", "m / rule")]
    t = vf.rates_by_configuration(pd.DataFrame(rows), ["y", "base"])
    assert list(t.columns) == ["configuration", "y", "base"]
    assert t.configuration.tolist() == ["m / base", "m / rule"]
    assert t.loc[0, "y"] == "0.300 [0.150, 0.600]" and t.loc[1, "base"] == "0.100 [0.050, 0.200]"
