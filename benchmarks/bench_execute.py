"""Speed: our sandboxed executor versus ``evalplus.evaluate`` on the same samples.

    FLAWS_MIRROR=../shared/data .venv/bin/python benchmarks/bench_execute.py [--per-task 100] [--workers 2]

Both judge the CodeGen-16B samples (``codet-codegen16b``; ``--per-task K`` takes
the first K of each task's 100, default all 16,400) on HumanEval+ with the same
number of worker processes on the same machine, one after the other.  Ground
truth is computed (and cached) by each tool before its clock starts, so the
timings are judging only.  EvalPlus is run as its command line,
``python -m evalplus.evaluate --dataset humaneval --parallel N``, so its clock
includes its start-up (reading the samples and its cached ground truth).

Ours runs with ``dedupe=False`` and no verdict cache (every sample executed, as
EvalPlus does); the figures with de-duplication of identical programs, and with
the content-addressed verdict cache (``flaws.execute.vcache``) empty at the start
(``cache, cold``: identical programs judged once) and full (``cache, warm``: the
same set evaluated again), are printed as well; the cache runs use a fresh
temporary cache directory.  The warm run must repeat the cold one byte for byte;
the cold run is checked against the uncached run, and where they differ the
samples are listed (two separate executions: a program whose CPU time sits at
its time limit can time out in one and not the other, see :func:`cache_check`).

The *share of the bound* is floor / our wall time: 100% would be an executor
whose wall time is the programs' own heavy CPU divided by the workers.

Per light run (a run below ``HEAVY``), the report gives the wall time above the
floor (times the workers) and the whole machine's busy CPU (``/proc/stat``) less
the heavy runs' CPU: what each quick program costs, harness and kernel included
(and the run's fixed start-up, spread over them: small sets read high).

Also printed: the CPU time of the sample processes (summed over every base and
plus run, as our judge read it from ``/proc``, in whole clock ticks).  An
executor that runs every program under EvalPlus's time limits cannot finish
faster than the programs' own CPU time divided by the number of workers:
time-outs alone cost a second or more of CPU each.  This caps the speed-up any
executor can show on these samples.  Two floors are printed:

* all runs: the sum of every reading (each run's reading is cut down to a whole
  tick, and includes the little CPU our harness spends in the sample's process:
  fork from a preloaded process, limits, guard);
* heavy runs only: the sum over runs that read at least ``HEAVY`` seconds
  (time-outs and slow programs).  Against a tenth of a second of a program's
  own work, the harness's share is negligible (a constant program reads below
  one tick, as the test of ``stats`` checks), so this floor is work that any
  executor must do.  It is the one the "largest speed-up" line uses.

With ``--per-task 100`` EvalPlus's verdicts are also stored for the full
agreement table (``python -m flaws.execute.agreement`` then skips this set),
unless that set is stored already: a second timing of EvalPlus does not replace
the verdicts the committed table was built from (time-limit borderlines differ
between its runs).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time

HEAVY = 0.1  # seconds of CPU: a run this long is the program's own work

EVALPLUS_GT = """
from evalplus.data import get_human_eval_plus, get_human_eval_plus_hash
from evalplus.evaluate import get_groundtruth
get_groundtruth(get_human_eval_plus(), get_human_eval_plus_hash(), [])
"""


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (``/proc/stat``: every state but
    idle and iowait, summed over CPUs). The difference over a run counts every process and the
    kernel's own work, which a count over our process tree misses."""
    with open("/proc/stat") as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def _by_sample(records) -> dict:
    return {(r["task_id"], r["sample_index"]): r for r in records}


def _verdict(r: dict) -> str:
    return f"{r['base_status']}/{r['plus_status']}"


def cache_check(ours: list[dict], cold: list[dict], warm: list[dict]) -> list[str]:
    """Lines saying whether the cache changed a verdict.

    The warm run must repeat the cold run byte for byte, as outcome rows
    (:func:`flaws.execute.outcomes.to_csv_bytes`): it executes nothing, the
    cache returns what it stored.  The cold run judges each distinct program
    once and gives its verdict to every copy, the uncached run executes every
    copy: the two are separate executions, so a program whose CPU time sits at
    its time limit can pass in one and time out in the other.  Such programs
    are listed, with the number of distinct programs the uncached run itself
    judged differently in two of their copies (the same timing, no cache).
    """
    from flaws.execute.outcomes import sort_key, to_csv_bytes as canon

    lines = []
    if canon(ours) == canon(cold) == canon(warm):
        return ["outcomes with the cache identical to the uncached run: yes"]
    lines.append("outcomes with the cache (warm) identical to the cache (cold): "
                 + ("yes" if canon(cold) == canon(warm) else "NO"))
    u, c = _by_sample(ours), _by_sample(cold)
    differ = sorted((k for k in u if u[k] != c.get(k)), key=lambda k: sort_key(u[k]))
    at_limit = [k for k in differ if _verdict(u[k]) != _verdict(c[k])
                and "timeout" in (u[k]["base_status"], u[k]["plus_status"],
                                  c[k]["base_status"], c[k]["plus_status"])]
    lines.append(f"outcomes with the cache identical to the uncached run: NO, {len(differ)} of "
                 f"{len(u)} samples differ, {len(at_limit)} of them at the time limit "
                 "(a time-out in one run, not in the other)")
    for k in differ:
        lines.append(f"  {k[0]} #{k[1]}: uncached {_verdict(u[k])}, cache (cold) {_verdict(c[k])}"
                     + ("" if k in at_limit else "  (not at the time limit)"))
    groups: dict = {}
    for r in ours:
        groups.setdefault((r["task_id"], r["solution_sha256"]), set()).add(_verdict(r))
    split = sum(len(v) > 1 for v in groups.values())
    lines.append(f"distinct programs the uncached run judged differently in two of their copies: "
                 f"{split} of {len(groups)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-task", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-evalplus", action="store_true")
    ap.add_argument("--skip-dedupe", action="store_true")
    ap.add_argument("--skip-cache", action="store_true", help="skip the two verdict-cache runs")
    ap.add_argument("--save", help="also write the report to this file (e.g. benchmarks/results/execute.txt)")
    ap.add_argument("--outcomes", help="also write the uncached run's outcome records to this file, "
                    "one JSON line each, sorted (to compare two versions of the executor with diff)")
    a = ap.parse_args(argv)
    lines: list[str] = []

    def say(*parts) -> None:
        text = " ".join(str(p) for p in parts)
        print(text, flush=True)
        lines.append(text)

    from flaws.data import path, relpath
    from flaws.execute import agreement, evaluate
    from flaws.execute.groundtruth import expected_outputs
    from flaws.samples import load

    df = load("codet-codegen16b", progress=False)
    full = a.per_task >= df.groupby("task_id").size().max()
    df = df[df["sample_index"] < a.per_task]
    samples = df.to_dict("records")
    n = len(samples)
    load1 = os.getloadavg()[0]
    cpu_model = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo")
                      if ln.startswith("model name")), platform.processor() or "?")
    say(f"{n} CodeGen-16B samples, {df['task_id'].nunique()} tasks, {a.workers} workers, "
        f"{os.cpu_count()} CPUs ({cpu_model}), load average {load1:.2f}, "
        f"Python {platform.python_version()}")
    expected_outputs("humaneval+", workers=a.workers, progress=False)  # cached ground truth

    stats: dict = {}
    busy0, t0 = machine_busy_seconds(), time.perf_counter()
    ours = list(evaluate(samples, "humaneval+", workers=a.workers, dedupe=False, progress=True,
                         stats=stats, cache=False))
    t_ours = time.perf_counter() - t0
    busy = machine_busy_seconds() - busy0
    cpu = stats["child_cpu_seconds"]
    if a.outcomes:
        import json
        from pathlib import Path

        Path(a.outcomes).write_text("".join(sorted(json.dumps(r, sort_keys=True) + "\n" for r in ours)))
    say(f"flaws.execute:            {n / t_ours:8.1f} samples/s ({t_ours:.0f} s)")
    t_dedupe = None
    if not a.skip_dedupe:
        t0 = time.perf_counter()
        list(evaluate(samples, "humaneval+", workers=a.workers, dedupe=True, progress=False,
                      cache=False))
        t_dedupe = time.perf_counter() - t0
        say(f"flaws.execute (dedupe):   {n / t_dedupe:8.1f} samples/s ({t_dedupe:.0f} s)")
    t_cold = t_warm = None
    if not a.skip_cache:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="flaws-bench-vcache-") as root:
            t0 = time.perf_counter()
            cold = list(evaluate(samples, "humaneval+", workers=a.workers, progress=False, cache=root))
            t_cold = time.perf_counter() - t0
            t0 = time.perf_counter()
            warm = list(evaluate(samples, "humaneval+", workers=a.workers, progress=False, cache=root))
            t_warm = time.perf_counter() - t0
        say(f"flaws.execute (cache, cold): {n / t_cold:8.1f} samples/s ({t_cold:.0f} s)")
        say(f"flaws.execute (cache, warm): {n / t_warm:8.1f} samples/s ({t_warm:.1f} s)")
        for line in cache_check(ours, cold, warm):
            say(line)
    heavy = [c for c in stats["run_cpu_seconds"] if c >= HEAVY]
    timeouts = sum(r[f"{w}_status"] == "timeout" for r in ours for w in ("base", "plus"))
    say(f"CPU of sample processes:  {cpu:8.0f} s over {stats['runs']} runs "
        f"-> {cpu / a.workers:.0f} s with {a.workers} workers")
    floor = sum(heavy) / a.workers
    say(f"  of which heavy runs:    {sum(heavy):8.0f} s over {len(heavy)} runs of at least "
        f"{HEAVY} s ({timeouts} time-outs) -> floor {floor:.0f} s with {a.workers} workers")
    say(f"share of the bound (floor / wall time): {floor / t_ours:.0%} uncached"
        + (f", {floor / t_cold:.0%} with the cache (cold)" if t_cold else ""))
    light = stats["runs"] - len(heavy)
    say(f"per light run (uncached): {(t_ours - floor) * a.workers / light * 1000:.1f} ms of wall time "
        f"above the floor per worker; {(busy - sum(heavy)) / light * 1000:.1f} ms of machine CPU "
        f"(the machine was busy {busy / (t_ours * (os.cpu_count() or 1)):.0%} of the run, "
        f"{busy:.0f} CPU-s; {light} light runs)")
    if a.skip_evalplus:
        return 0

    env = dict(os.environ)
    env["HUMANEVAL_OVERRIDE_PATH"] = str(path("humanevalplus-v0.1.10", "HumanEvalPlus.jsonl.gz"))
    subprocess.run([sys.executable, "-c", EVALPLUS_GT], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    theirs, t_ep = agreement.run_evalplus_evaluate(samples, workers=a.workers)
    say(f"evalplus.evaluate 0.3.1:  {n / t_ep:8.1f} samples/s ({t_ep:.0f} s)")
    say(f"speed-up:                 {t_ep / t_ours:8.2f}x"
        + (f"   (with dedupe {t_ep / t_dedupe:.2f}x)" if t_dedupe else "")
        + (f"   (cache cold {t_ep / t_cold:.2f}x, warm {t_ep / t_warm:.0f}x)" if t_cold else ""))
    say(f"largest speed-up the heavy-run floor allows (EvalPlus time / floor): {t_ep / floor:.2f}x")
    say(f"speed-up on the time above the floor: {(t_ep - floor) / max(t_ours - floor, 1e-9):.2f}x")
    say(f"load average after: {os.getloadavg()[0]:.2f}")

    by_key = {(r["task_id"], r["sample_index"]): r for r in ours}
    ordered = [by_key[(s["task_id"], s["sample_index"])] for s in samples]
    diffs = agreement.compare(ordered, theirs)
    say(f"agreement (base and plus pass/not-pass): {n - len(diffs)}/{n} = {1 - len(diffs) / n:.4%}")
    for d in diffs[:50]:
        say("  differs:", d)
    if full:
        key = (samples[0]["source_id"], samples[0]["model"], samples[0]["prompt_style"])
        if agreement.stored_path(key).exists():  # the agreement table keeps the run it was built from
            say(f"EvalPlus verdicts already stored for the agreement table, kept: "
                f"{relpath(agreement.stored_path(key))}")
        else:
            stored = agreement.store_set(key, df, theirs)
            say(f"stored EvalPlus verdicts for the agreement table: {relpath(stored)}")
    if a.save:
        from pathlib import Path

        Path(a.save).parent.mkdir(parents=True, exist_ok=True)
        Path(a.save).write_text("$ " + " ".join(["benchmarks/bench_execute.py", *(argv or sys.argv[1:])])
                                + "\n" + "\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
