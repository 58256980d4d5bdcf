"""`flaws report` on small eval_results.json files built here."""

import json

import pytest

from flaws import report


def write_results(path, tasks):
    """tasks: {task_id: [(base_status, plus_status), ...]} -> EvalPlus 0.3-style file."""
    data = {
        "date": "2024-01-01 00:00",
        "hash": "x",
        "eval": {
            t: [
                {"task_id": t, "solution": "def f(): pass", "base_status": b, "plus_status": p,
                 "base_fail_tests": [], "plus_fail_tests": []}
                for b, p in samples
            ]
            for t, samples in tasks.items()
        },
    }
    path.write_text(json.dumps(data))
    return path


TASKS = {
    # 4 samples each: (base, plus)
    "HumanEval/0": [("pass", "pass")] * 3 + [("fail", "fail")],  # ceiling 1
    "HumanEval/1": [("pass", "pass"), ("pass", "fail"), ("fail", "fail"), ("fail", "fail")],  # 1/2
    "HumanEval/2": [("fail", "fail")] * 3 + [("error", "error")],  # undefined; error = does not load
    "HumanEval/3": [("fail", "pass"), ("fail", "fail"), ("pass", "pass"), ("timeout", "timeout")],  # filtered
}


def test_json_output(tmp_path, capsys):
    f = write_results(tmp_path / "m_eval_results.json", TASKS)
    assert report.main([str(f), "--json", "--out", str(tmp_path / "out")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"accuracy", "conditional_accuracy", "false_positive_rate", "k_opt", "max_reward"} <= set(out)
    assert out["removed_tasks"] == ["HumanEval/3"] and out["n_tasks"] == 3
    assert out["accuracy"]["estimate"] == pytest.approx((3 / 4 + 1 / 4 + 0) / 3)
    assert out["conditional_accuracy"]["estimate"] == pytest.approx(0.75)
    assert out["conditional_accuracy"]["worst_case"] == pytest.approx(0.5)
    assert out["false_positive_rate"]["estimate"] == pytest.approx(0.25)
    assert list(out["k_opt"]) == ["0", "0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9",
                                  "1", "2", "4", "8", "10"]
    # r = 0: task 1 needs up to 3 draws to be sure of a base pass -> K_opt 3, reward (1 + 1/2) / 3
    assert out["k_opt"]["0"]["k_opt"] == 3 and out["max_reward"]["0"] == pytest.approx(0.5)
    # r = 1: task 1 is worth 0 whatever K; task 0 saturates at K = 2
    assert out["k_opt"]["1"]["k_opt"] == 2 and out["max_reward"]["1"] == pytest.approx(1 / 3)
    # r = 10: task 1 worth -4.5 * P(found) outweighs task 0: best is K = 1 with 1/3 * (3/4 - 4.5/2) < 0 -> 0
    assert out["k_opt"]["10"]["k_opt"] == 0 and out["max_reward"]["10"] == pytest.approx((0.75 - 2.25) / 3)
    # n = 4 samples per task: K_opt 3 and 2 lie inside the budgets we can evaluate, 0 is never censored
    assert {k: v["censored"] for k, v in out["k_opt"].items()} == dict.fromkeys(out["k_opt"], False)
    assert out["k_opt"]["0"]["label"] == "3"
    assert (tmp_path / "out" / "scaling_curves.png").stat().st_size > 1000
    assert json.loads((tmp_path / "out" / "report.json").read_text())["k_opt"] == out["k_opt"]


def test_no_filter_and_text(tmp_path, capsys):
    f = write_results(tmp_path / "m.json", TASKS)
    assert report.main([str(f), "--no-filter", "--json", "--out", str(tmp_path / "o")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["n_tasks"] == 4 and out["removed_tasks"] == []
    assert out["conditional_accuracy"]["estimate"] == pytest.approx((1 + 0.5 + 1) / 3)
    assert report.main([str(f), "--out", str(tmp_path / "o")]) == 0
    text = capsys.readouterr().out
    assert "conditional accuracy" in text and "K_opt" in text and "HumanEval/3" in text


def test_deterministic_outputs(tmp_path, capsys):
    f = write_results(tmp_path / "m.json", TASKS)
    report.main([str(f), "--json", "--out", str(tmp_path / "a")])
    first = capsys.readouterr().out
    report.main([str(f), "--json", "--out", str(tmp_path / "b")])
    assert capsys.readouterr().out == first
    assert (tmp_path / "a" / "scaling_curves.png").read_bytes() == (tmp_path / "b" / "scaling_curves.png").read_bytes()


def test_legacy_layout(tmp_path, capsys):
    data = {"eval": {"HumanEval/0": {"nfiles": 2, "base": [["success", []], ["failed", []]],
                                     "plus": [["success", []], ["failed", []]]}}}
    f = tmp_path / "old.json"
    f.write_text(json.dumps(data))
    assert report.main([str(f), "--json", "--out", str(tmp_path / "o")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["accuracy"]["estimate"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    "content, message",
    [
        ("{\n  \"eval\": [1,\n", "invalid JSON"),
        ("[]", "expected a JSON object"),
        ('{"eval": {}}', "no tasks"),
        ('{"eval": {"T/0": [{"base_status": "pass", "plus_status": "maybe"}]}}', "plus_status is 'maybe'"),
        ('{"eval": {"T/0": [{"base_status": "pass", "plus_status": null}]}}', "base-only"),
        ('{"eval": {"T/0": [{"base_status": "pass"}]}}', "base_status and plus_status"),
    ],
)
def test_bad_input(tmp_path, capsys, content, message):
    f = tmp_path / "bad.json"
    f.write_text(content)
    assert report.main([str(f), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "bad.json" in err and message in err


def test_missing_file(tmp_path, capsys):
    assert report.main([str(tmp_path / "none.json")]) == 2
    assert "not found" in capsys.readouterr().err


def test_dispatch_through_flaws_cli(tmp_path, capsys):
    from flaws import cli

    f = write_results(tmp_path / "m.json", TASKS)
    assert cli.main(["report", str(f), "--json", "--out", str(tmp_path / "o")]) == 0
    assert json.loads(capsys.readouterr().out)["k_opt"]["0"]["k_opt"] == 3


def test_reachable_accuracy_in_json(tmp_path, capsys):
    tasks = {  # 10 samples each; b = base passes, c = base and plus
        "HumanEval/0": [("pass", "pass")] * 6 + [("pass", "fail")] * 2 + [("fail", "fail")] * 2,  # c/b = 6/8
        "HumanEval/1": [("pass", "fail")] * 3 + [("fail", "fail")] * 7,  # c/b = 0
        "HumanEval/2": [("fail", "fail")] * 9 + [("timeout", "timeout")],  # never passes: counts 0
        "HumanEval/3": [("pass", "pass")] + [("fail", "fail")] * 9,  # c/b = 1
    }
    f = write_results(tmp_path / "m.json", tasks)
    assert report.main([str(f), "--json", "--out", str(tmp_path / "out")]) == 0
    out = json.loads(capsys.readouterr().out)
    reach = out["reachable_accuracy"]
    assert list(reach) == ["1", "2", "5", "10"]
    assert reach["1"] == pytest.approx(out["accuracy"]["estimate"])
    assert reach["1"] == pytest.approx((6 / 10 + 0 + 0 + 1 / 10) / 4)
    assert reach["10"] == pytest.approx((6 / 8 + 0 + 0 + 1) / 4)
    assert reach["10"] < out["conditional_accuracy"]["estimate"]  # the ceiling drops task 2
    assert reach["1"] < reach["2"] < reach["5"] < reach["10"]




def test_k_opt_at_the_sample_cap_is_censored(tmp_path, capsys):
    # one correct sample in 4 per task: at r = 0 every draw helps up to the last one (K = n = 4),
    # so the optimum is "4 or more"; at r = 10 not answering is best (0, an optimum, not censored)
    tasks = {f"HumanEval/{i}": [("pass", "pass")] + [("fail", "fail")] * 3 for i in range(3)}
    tasks["HumanEval/9"] = [("pass", "fail"), ("pass", "pass"), ("fail", "fail"), ("fail", "fail")]
    f = write_results(tmp_path / "m.json", tasks)
    assert report.main([str(f), "--json", "--out", str(tmp_path / "o")]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["k_max"] == 4
    assert out["k_opt"]["0"] == {"k_opt": 4, "censored": True, "label": "≥ 4"}
    assert out["k_opt"]["10"]["censored"] is False and out["k_opt"]["10"]["k_opt"] == 0
    assert all(v["censored"] == (v["k_opt"] == 4) for v in out["k_opt"].values())
    assert report.main([str(f), "--out", str(tmp_path / "o")]) == 0
    text = capsys.readouterr().out
    assert "≥ 4" in text and "censored" in text


def test_verifier_first_m_plus_inputs(tmp_path, capsys, monkeypatch):
    """--verifier base+plus:M: a false positive whose first failing plus input (found among the
    task's plus inputs) comes at or after M is still accepted; M = 0 is the base report, M = all
    the plus verdicts."""
    plus = {"HumanEval/0": [[1], [2], [3], [4]], "HumanEval/1": [["a"], ["b"], ["c"]]}
    rows = {"HumanEval/0": [("pass", "pass", []), ("pass", "fail", [[3]]), ("pass", "fail", [[4], [2]]),
                            ("fail", "fail", [])],
            "HumanEval/1": [("pass", "pass", []), ("pass", "fail", [["a"]]), ("pass", "timeout", []),
                            ("fail", "fail", [])]}
    data = {"eval": {t: [{"task_id": t, "solution": "", "base_status": b, "plus_status": p,
                          "base_fail_tests": [], "plus_fail_tests": f} for b, p, f in s]
                     for t, s in rows.items()}}
    f = tmp_path / "m.json"
    f.write_text(json.dumps(data))
    real = report.with_first_failed_plus
    monkeypatch.setattr(report, "with_first_failed_plus", lambda o, p: real(o, p, plus_inputs=plus))
    outcomes, unknown = report.with_first_failed_plus(report.read_eval_results(f), f)
    assert outcomes.first_failed_plus.tolist() == ["", "2", "1", "", "", "0", "0", ""] and unknown == 1

    def run(*extra):
        assert report.main([str(f), "--json", "--no-filter", "--out", str(tmp_path / "o"), *extra]) == 0
        return json.loads(capsys.readouterr().out)

    base, m0, m2, m_all, gt = run(), run("--verifier", "base+plus:0"), run("--verifier", "base+plus:2"), \
        run("--verifier", "base+plus:all"), run("--verifier", "plus")
    assert m0["conditional_accuracy"] == base["conditional_accuracy"] and m0["k_opt"] == base["k_opt"]
    assert base["conditional_accuracy"]["estimate"] == pytest.approx((1 / 3 + 1 / 3) / 2)
    # m = 2: task 0 rejects the sample failing input 1, keeps the one failing input 2 -> 1/2;
    # task 1 rejects both (first failing input 0, and the time-out without a listed input)
    assert m2["conditional_accuracy"]["estimate"] == pytest.approx((1 / 2 + 1) / 2)
    assert m2["verifier"] == "base+first:2" and m2["samples_without_failing_input"] == 1
    assert m_all["conditional_accuracy"]["estimate"] == gt["conditional_accuracy"]["estimate"] == 1.0
    assert m_all["false_positive_rate"]["estimate"] == 0
    assert report.main([str(f), "--verifier", "base+plus:2", "--no-filter", "--out", str(tmp_path / "o")]) == 0
    assert "verifier: base+first:2" in capsys.readouterr().out
    assert report.main([str(f), "--verifier", "base+random:2:0", "--out", str(tmp_path / "o")]) == 2
    assert "first M plus inputs" in capsys.readouterr().err
