"""``flaws report eval_results.json``: false-positive metrics and optimal resampling budget of one model.

Input: an EvalPlus results file (``evalplus.evaluate`` output, one model, several samples per task):
``{"eval": {task_id: [{"base_status": ..., "plus_status": ..., ...}, ...]}}`` with statuses
``pass``/``fail``/``timeout`` (older EvalPlus files with ``{"base": [[status, details], ...],
"plus": [...]}`` per task are read too). A sample *passes the verifier* when ``base_status`` is
``pass`` and is *correct* when ``base_status`` and ``plus_status`` are both ``pass`` (EvalPlus's
own HumanEval+ criterion).

Prints accuracy, conditional accuracy (the resampling ceiling) and false positive rate with 95%
bootstrap intervals over tasks, the K_opt table over cost ratios, and saves the scaling-curve
figure and a JSON copy of the numbers under ``--out``. ``--json`` prints one JSON object instead
of the text report. By default the paper's false-negative filter is applied (tasks where the
model's plus pass rate exceeds its base pass rate are dropped); ``--no-filter`` keeps all tasks.

Each ``k_opt`` entry of the JSON is ``{"k_opt": K, "censored": bool, "label": "K" or "≥ n"}``: an
optimum at the largest budget the samples allow (n draws per task) is censored, the true optimum
being n or more.

``--verifier base+plus:M`` asks the same questions under a stronger verifier: the base tests and
the first ``M`` plus inputs (:mod:`flaws.verifiers`; ``plus`` is ground truth). The index of a
sample's first failing plus input is read from its ``plus_fail_tests`` (EvalPlus and ``flaws
evaluate`` write the first failing input, ``--test-details`` all of them), matched against the
benchmark's plus inputs; a sample that fails plus without a recorded failing input counts as
failing the first one (the report says how many). The task filter stays the base tests' one.

``--verifier codet`` (or ``agentcoder``, ``reflexion``, each also ``NAME:filtered``) replaces the
base tests by a model-written test suite (:mod:`flaws.verifiers`): the ``solution`` of every
sample in the file (EvalPlus writes it) is run against the suite's tests of its task in the
executor's sandbox (:mod:`flaws.execute.generated_tests`), as is each task's canonical solution
(for ``:filtered``, which keeps the tests the canonical solution passes: an oracle-filtered upper
bound). Needs the suite's registered raw files (``flaws fetch``).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from flaws import metrics, resampling
from ._io import atomic_write

__all__ = ["main", "read_eval_results", "build_report", "ReportError"]

_STATUS_ALIASES = {
    "pass": "pass", "success": "pass",
    "fail": "fail", "failed": "fail",
    "timeout": "timeout", "timed out": "timeout",
    "error": "error",  # flaws evaluate's status for programs that do not load
}


class ReportError(ValueError):
    """Malformed input file."""


def _status(value, where: str, field: str) -> str:
    if value is None:
        if field == "plus_status":
            raise ReportError(f"{where}: plus_status is null (was EvalPlus run with --base-only?)")
        return "error"
    if not isinstance(value, str) or value.lower() not in _STATUS_ALIASES:
        raise ReportError(f"{where}: {field} is {value!r}, expected pass, fail, timeout or error")
    return _STATUS_ALIASES[value.lower()]


def read_eval_results(path: str | Path, model: str | None = None) -> pd.DataFrame:
    """Read an EvalPlus ``eval_results.json`` into an outcomes table (see :mod:`flaws.metrics`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise ReportError(f"{path}: not UTF-8 text ({exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportError(f"{path}: line {exc.lineno}, column {exc.colno}: invalid JSON: {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("eval"), dict):
        raise ReportError(f"{path}: expected a JSON object with an \"eval\" object (task_id -> results)")
    if not data["eval"]:
        raise ReportError(f"{path}: \"eval\" has no tasks")
    model = model or path.stem.removesuffix("_eval_results").removesuffix(".eval_results")
    rows = []
    for task_id, results in data["eval"].items():
        where = f"{path}: eval[{task_id!r}]"
        if isinstance(results, dict) and "base" in results:  # EvalPlus < 0.2 layout
            base, plus = results.get("base") or [], results.get("plus")
            if plus is None or len(plus) != len(base):
                raise ReportError(f"{where}: \"plus\" results missing or of a different length than \"base\"")
            pairs = [
                (_status(b[0] if isinstance(b, list) else b, f"{where}[\"base\"][{i}]", "base_status"),
                 _status(p[0] if isinstance(p, list) else p, f"{where}[\"plus\"][{i}]", "plus_status"))
                for i, (b, p) in enumerate(zip(base, plus))
            ]
        elif isinstance(results, list):
            pairs = []
            for i, r in enumerate(results):
                w = f"{where}[{i}]"
                if not isinstance(r, dict) or "base_status" not in r or "plus_status" not in r:
                    raise ReportError(f"{w}: expected an object with base_status and plus_status")
                pairs.append((_status(r["base_status"], w, "base_status"), _status(r["plus_status"], w, "plus_status")))
        else:
            raise ReportError(f"{where}: expected a list of sample results")
        if not pairs:
            raise ReportError(f"{where}: no samples")
        for i, (b, p) in enumerate(pairs):
            rows.append((task_id, i, b, p))
    df = pd.DataFrame(rows, columns=["task_id", "sample_index", "base_status", "plus_status"])
    df.insert(0, "benchmark", "eval_results")
    df.insert(1, "model", model)
    df.insert(2, "prompt_style", "-")
    df.insert(3, "temperature", np.nan)
    df.insert(4, "source_id", str(path.name))
    df["solution_sha256"] = ""
    df["first_failed_base"] = ""
    df["first_failed_plus"] = ""
    return metrics.validate_outcomes(df[list(metrics.OUTCOME_COLUMNS)], source=str(path))


def _reachable_accuracy(n, b, c) -> dict:
    """Reachable accuracy (resample until a program passes base, at most K draws, abstain
    otherwise; tasks never passed count 0) at K = 1, 2, 5, 10, ... and K = n, keyed by K."""
    ks = resampling.reachable_accuracy_budgets(int(n.max()))
    return {str(k): float(v) for k, v in zip(ks, resampling.mean_reachable_accuracy(n, b, c, ks))}


def build_report(outcomes: pd.DataFrame, apply_filter: bool = True, seed: int = 0,
                 cost_ratios=resampling.COST_RATIOS, n_resamples: int = 9999, verifier=None,
                 accepted=None) -> dict:
    """All numbers of the report for one model's outcomes; JSON-ready (NaN -> None).
    ``verifier``: a :mod:`flaws.verifiers` name (default: the base tests); ``accepted``: its
    verdict per row when already computed (a test suite's, :func:`suite_acceptances`)."""
    counts = metrics.task_counts(outcomes)
    removed = metrics.false_negative_tasks(counts) if apply_filter else metrics.false_negative_tasks(counts.iloc[:0])
    if verifier is not None:  # the same tasks, samples accepted by the stronger verifier
        from flaws import verifiers

        if accepted is None:
            accepted = verifiers.accepts(verifier, outcomes)
        counts = verifiers.verifier_counts(outcomes, accepted, by=metrics.GROUP_KEYS)
    kept = metrics.apply_task_filter(counts, removed)
    if kept.empty:
        raise ReportError("no tasks left after the false-negative filter (try --no-filter)")
    s = metrics.summarize_counts(kept, seed=seed, n_resamples=n_resamples)
    n, b, c = kept["n"].to_numpy(), kept["base_passes"].to_numpy(), kept["correct"].to_numpy()
    ks = np.arange(1, int(n.max()) + 1)
    curves = resampling.mean_reward_curve(n, b, c, ks, cost_ratios)
    kopt, best, censored = resampling.k_opt(curves, ks)
    keys = [resampling.format_ratio(r) for r in cost_ratios]

    def clean(v):
        return None if isinstance(v, float) and math.isnan(v) else v

    def block(name):
        return {
            "estimate": clean(s[name]), "ci_low": clean(s[f"{name}_low"]), "ci_high": clean(s[f"{name}_high"]),
        }

    ca = block("conditional_accuracy")
    ca.update(worst_case=clean(s["conditional_accuracy_worst"]), best_case=clean(s["conditional_accuracy_best"]),
              pooled=clean(s["conditional_accuracy_pooled"]), n_tasks_defined=s["n_tasks_defined"])
    fpr = block("false_positive_rate")
    fpr.update(worst_case=clean(s["false_positive_rate_worst"]), best_case=clean(s["false_positive_rate_best"]))
    return {
        "model": str(outcomes["model"].iloc[0]),
        "n_tasks": s["n_tasks"],
        "n_samples": s["n_samples"],
        "filter_applied": bool(apply_filter),
        "removed_tasks": removed["task_id"].tolist(),
        "reachable_accuracy": _reachable_accuracy(kept["n"].to_numpy(), kept["base_passes"].to_numpy(),
                                                  kept["correct"].to_numpy()),
        "accuracy": block("accuracy"),
        "base_accuracy": s["base_accuracy"],
        "conditional_accuracy": ca,
        "false_positive_rate": fpr,
        "k_max": int(ks[-1]),
        "k_opt": {k: {"k_opt": int(v), "censored": bool(z), "label": resampling.k_opt_label(v, z)}
                  for k, v, z in zip(keys, kopt, censored)},
        "max_reward": {k: float(v) for k, v in zip(keys, best)},
        "confidence": 0.95,
        "seed": seed,
        "verifier": "base" if verifier is None else str(verifier),
        "_curves": (ks, np.asarray(cost_ratios, float), curves,
                    resampling.mean_reward_curve_with_replacement(n, b, c, ks, cost_ratios)),
    }


def save_figure(report: dict, path: Path, show_ratios=(0.0, 0.5, 1.0, 2.0, 4.0, 10.0)) -> None:
    """Scaling curves: exact mean reward vs budget K for a few cost ratios, K_opt marked,
    with-replacement limit dashed."""
    import io

    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    ks, rs, curves, repl = report["_curves"]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    cmap = plt.get_cmap("viridis")
    shown = [i for i, r in enumerate(rs) if any(abs(r - s) < 1e-9 for s in show_ratios)]
    for j, i in enumerate(shown):
        color = cmap(j / max(len(shown) - 1, 1))
        key = resampling.format_ratio(rs[i])
        ax.plot(ks, curves[i], color=color, label=f"r = {key}")
        ax.plot(ks, repl[i], color=color, ls="--", lw=0.8)
        k = report["k_opt"][key]["k_opt"]
        if k > 0:
            ax.plot([k], [curves[i][k - 1]], "o", color=color, ms=5)
    ax.axhline(0, color="grey", lw=0.6)
    if ks[-1] > 20:
        from matplotlib.ticker import FuncFormatter

        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    else:
        ax.set_xticks(ks)
    ax.set_xlabel("resampling budget K (samples drawn until one passes the base tests)")
    ax.set_ylabel("mean expected reward per task")
    ax.set_title(f"{report['model']}: exact scaling curves (dots: K_opt; dashed: with replacement)", fontsize=9)
    ax.legend(title="cost ratio", fontsize=8, title_fontsize=8, loc="best")
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120, metadata={"Software": None})
    plt.close(fig)
    atomic_write(path, buf.getvalue())


def _fmt(x) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def format_text(report: dict, source: str, figure: str | None) -> str:
    a, ca, fpr = report["accuracy"], report["conditional_accuracy"], report["false_positive_rate"]
    lines = [f"flaws report: {source} (model {report['model']})"]
    if report.get("verifier", "base") != "base":
        lines.append(f"verifier: {report['verifier']} (accepted = passes it; correct = passes base and plus); "
                     f"{report.get('samples_without_failing_input', 0)} sample(s) failing plus without a "
                     "listed failing input count as failing the first plus input")
    lines.append(f"tasks: {report['n_tasks']}, samples: {report['n_samples']}")
    if report["filter_applied"]:
        removed = report["removed_tasks"]
        lines.append(
            f"false-negative filter removed {len(removed)} task(s) where the plus pass rate exceeds the base pass rate"
            + (f": {', '.join(removed)}" if removed else "")
        )
    else:
        lines.append("false-negative filter: off (--no-filter)")
    lines.append("")
    lines.append("                      estimate   95% bootstrap CI over tasks")
    lines.append(f"accuracy              {_fmt(a['estimate'])}      [{_fmt(a['ci_low'])}, {_fmt(a['ci_high'])}]")
    lines.append(
        f"conditional accuracy  {_fmt(ca['estimate'])}      [{_fmt(ca['ci_low'])}, {_fmt(ca['ci_high'])}]"
        f"   (resampling ceiling; {ca['n_tasks_defined']} tasks with a base pass)"
    )
    lines.append(
        f"false positive rate   {_fmt(fpr['estimate'])}      [{_fmt(fpr['ci_low'])}, {_fmt(fpr['ci_high'])}]"
    )
    lines.append(
        f"  conditional accuracy if tasks without a base pass count 0 / 1: "
        f"{_fmt(ca['worst_case'])} / {_fmt(ca['best_case'])}; pooled over samples: {_fmt(ca['pooled'])}"
    )
    lines.append("")
    lines.append(f"optimal resampling budget (budgets 1..{report['k_max']}; "
                 "reward 1 correct, -r false positive, 0 none)")
    lines.append("cost ratio r   K_opt   max mean reward")
    for key, k in report["k_opt"].items():
        lines.append(f"{key:>12}   {k['label']:>5}   {report['max_reward'][key]:+.3f}")
    lines.append("(K_opt = 0: the best mean reward is negative; do not submit anything)")
    if any(k["censored"] for k in report["k_opt"].values()):
        lines.append(f"(≥ {report['k_max']}: censored, the reward still rises at the largest budget the "
                     "samples allow; the optimum is that many samples or more)")
    if figure:
        lines.append("")
        lines.append(f"scaling-curve figure: {figure}")
    return "\n".join(lines) + "\n"


def _public(report: dict) -> dict:
    return {k: v for k, v in report.items() if not k.startswith("_")}


def with_first_failed_plus(outcomes: pd.DataFrame, path: str | Path, plus_inputs: dict | None = None):
    """``outcomes`` (from :func:`read_eval_results`) with ``first_failed_plus`` filled from the
    file's ``plus_fail_tests``: the smallest index, among the task's plus inputs
    (``plus_inputs``: task_id -> list, default HumanEval+'s), of a listed failing input. Returns
    ``(outcomes, unknown)``: ``unknown`` counts base-passing samples that fail plus with no listed
    input; they count as failing the first plus input."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))["eval"]
    if plus_inputs is None:
        from flaws.data import load_benchmark

        plus_inputs = {t["task_id"]: t["plus_input"] for t in load_benchmark("humaneval+")}

    def key(x):
        return json.dumps(x, sort_keys=True)

    index: dict[str, dict[str, int]] = {}
    first, unknown = [], 0
    for task_id, i, b, p in outcomes[["task_id", "sample_index", "base_status", "plus_status"]].itertuples(index=False):
        if b != "pass" or p == "pass":
            first.append("")
            continue
        if task_id not in plus_inputs:
            raise ReportError(f"{path}: {task_id} is not a HumanEval+ task; --verifier needs its plus inputs")
        if task_id not in index:
            index[task_id] = {}
            for k, x in enumerate(plus_inputs[task_id]):
                index[task_id].setdefault(key(json.loads(json.dumps(x))), k)
        r = data[task_id][i] if isinstance(data[task_id], list) else {}
        fails = r.get("plus_fail_tests") or []
        hits = [index[task_id].get(key(x)) for x in fails]
        if fails and any(h is None for h in hits):
            raise ReportError(f"{path}: eval[{task_id!r}][{i}]: a plus_fail_tests input is not one of "
                              f"the task's plus inputs")
        unknown += not fails
        first.append(str(min(hits)) if fails else "0")
    return outcomes.assign(first_failed_plus=first), unknown


def suite_acceptances(outcomes: pd.DataFrame, path: str | Path, verifier, workers: int = 1,
                      progress: bool = False) -> np.ndarray:
    """A test suite's verdict on every sample of ``outcomes`` (from :func:`read_eval_results`):
    the file's solutions and the tasks' canonical solutions run against the suite in the sandbox."""
    from flaws import verifiers
    from flaws.data import load_benchmark
    from flaws.execute import generated_tests as run_tests
    from flaws.execute.runner import solution_sha256
    from flaws.samples import generated_tests as suites

    data = json.loads(Path(path).read_text(encoding="utf-8"))["eval"]
    shas, programs = [], {}
    for task_id, i in outcomes[["task_id", "sample_index"]].itertuples(index=False):
        r = data[task_id][i] if isinstance(data[task_id], list) else {}
        sol = r.get("solution") if isinstance(r, dict) else None
        if not isinstance(sol, str):
            raise ReportError(f"{path}: eval[{task_id!r}][{i}]: no \"solution\"; a test-suite "
                              "verifier runs each sample's program")
        h = solution_sha256(sol)
        shas.append(h)
        programs[(task_id, h)] = {"task_id": task_id, "solution": sol, "solution_sha256": h}
    tasks = {t["task_id"]: t for t in load_benchmark("humaneval+")}
    unknown = sorted(set(outcomes["task_id"]) - set(tasks))
    if unknown:
        raise ReportError(f"{path}: {unknown[0]} is not a HumanEval+ task; the suites are HumanEval's")
    tests, _dropped = suites.load(str(verifier.m))
    mine = {t: tests.get(t, []) for t in set(outcomes["task_id"])}
    canon = run_tests.canonical_programs([tasks[t] for t in sorted(mine)])
    entry = {t: tasks[t]["entry_point"] for t in mine}
    recs = list(run_tests.run(canon + list(programs.values()), {verifier.m: mine}, entry,
                              workers=workers, progress=progress))
    table = pd.DataFrame(recs, columns=run_tests.COLUMNS)
    return verifiers.accepts(verifier, outcomes.assign(solution_sha256=shas), generated=table,
                             base_failing="error")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="flaws report",
        description="Accuracy, resampling ceiling, false positive rate and optimal resampling budget "
        "from an EvalPlus eval_results.json (one model, several samples per task).",
    )
    parser.add_argument("eval_results", help="EvalPlus eval_results.json")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the text report")
    parser.add_argument("--no-filter", action="store_true",
                        help="keep tasks whose plus pass rate exceeds their base pass rate")
    parser.add_argument("--out", default="flaws-report",
                        help="directory for scaling_curves.png and report.json (default: ./flaws-report)")
    parser.add_argument("--model", default=None, help="model name for titles (default: from the file name)")
    parser.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    parser.add_argument("--verifier", default=None,
                        help="verifier: base (default), base+plus:M (base tests and the first M plus "
                             "inputs), plus (ground truth), or a model-written test suite run on the "
                             "file's solutions: codet, agentcoder, reflexion (each also NAME:filtered, "
                             "the tests the canonical solution passes); see flaws.verifiers")
    args = parser.parse_args(argv)
    try:
        outcomes = read_eval_results(args.eval_results, model=args.model)
        verifier, unknown, accepted = None, 0, None
        if args.verifier is not None:
            from flaws import verifiers

            try:
                verifier = verifiers.parse(args.verifier)
            except ValueError as exc:
                raise ReportError(str(exc)) from None
            if verifier.family == "random":
                raise ReportError("random plus inputs need every failing input of each sample; "
                                  "use base+plus:M (the first M plus inputs)")
            if verifier.family == "first":
                outcomes, unknown = with_first_failed_plus(outcomes, args.eval_results)
            if verifier.family == "suite":
                accepted = suite_acceptances(outcomes, args.eval_results, verifier)
            verifier = verifier.name
        report = build_report(outcomes, apply_filter=not args.no_filter, seed=args.seed,
                              verifier=verifier, accepted=accepted)
        report["samples_without_failing_input"] = unknown
    except (ReportError, metrics.OutcomesError) as exc:
        print(f"flaws report: error: {exc}", file=sys.stderr)
        return 2
    out = Path(args.out)
    figure = out / "scaling_curves.png"
    save_figure(report, figure)
    public = _public(report)
    payload = json.dumps(public, indent=2, allow_nan=False) + "\n"
    atomic_write(out / "report.json", payload.encode())
    if args.json:
        sys.stdout.write(payload)
    else:
        sys.stdout.write(format_text(report, args.eval_results, str(figure)))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
