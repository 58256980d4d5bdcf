"""Speed: our sandboxed executor versus ``evalplus.evaluate`` on the same samples.

    FLAWS_MIRROR=../shared/data .venv/bin/python benchmarks/bench_execute.py [--per-task 100] [--workers 2]

Both judge the CodeGen-16B samples (``codet-codegen16b``; ``--per-task K`` takes
the first K of each task's 100, default all 16,400) on HumanEval+ with the same
number of worker processes on the same machine.  Ground truth is computed (and
cached) by each tool before its clock starts, so the timings are judging only.
Ours runs with ``dedupe=False`` (every sample executed, as EvalPlus does); the
figure with de-duplication of identical programs is printed as well.
Prints samples per second of each, their ratio, and the pass/not-pass agreement
of the two on these samples (base and plus).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EVALPLUS_GT = """
from evalplus.data import get_human_eval_plus, get_human_eval_plus_hash
from evalplus.evaluate import get_groundtruth
get_groundtruth(get_human_eval_plus(), get_human_eval_plus_hash(), [])
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-task", type=int, default=100)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-evalplus", action="store_true")
    a = ap.parse_args(argv)

    from flaws.data import path
    from flaws.execute import evaluate
    from flaws.execute.groundtruth import expected_outputs
    from flaws.samples import load

    df = load("codet-codegen16b", progress=False)
    df = df[df["sample_index"] < a.per_task]
    samples = df.to_dict("records")
    n = len(samples)
    print(f"{n} CodeGen-16B samples, {df['task_id'].nunique()} tasks, {a.workers} workers, "
          f"{os.cpu_count()} CPUs")
    expected_outputs("humaneval+", workers=a.workers, progress=False)  # cached ground truth

    t0 = time.perf_counter()
    ours = list(evaluate(samples, "humaneval+", workers=a.workers, dedupe=False, progress=True))
    t_ours = time.perf_counter() - t0
    t0 = time.perf_counter()
    list(evaluate(samples, "humaneval+", workers=a.workers, dedupe=True, progress=False))
    t_dedupe = time.perf_counter() - t0
    print(f"flaws.execute:            {n / t_ours:8.1f} samples/s ({t_ours:.0f} s)")
    print(f"flaws.execute (dedupe):   {n / t_dedupe:8.1f} samples/s ({t_dedupe:.0f} s)")
    if a.skip_evalplus:
        return 0

    env = dict(os.environ)
    env["HUMANEVAL_OVERRIDE_PATH"] = str(path("humanevalplus-v0.1.10", "HumanEvalPlus.jsonl.gz"))
    with tempfile.TemporaryDirectory() as tmp:
        sp = Path(tmp) / "samples.jsonl"
        sp.write_text("".join(json.dumps({"task_id": s["task_id"], "solution": s["solution"]}) + "\n"
                              for s in samples))
        subprocess.run([sys.executable, "-c", EVALPLUS_GT], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "evalplus.evaluate", "--dataset", "humaneval",
                        "--samples", str(sp), "--parallel", str(a.workers), "--i-just-wanna-run"],
                       check=True, env=env, stdout=subprocess.DEVNULL, cwd=tmp)
        t_ep = time.perf_counter() - t0
        res = json.loads((Path(tmp) / "samples_eval_results.json").read_text())
    print(f"evalplus.evaluate 0.3.1:  {n / t_ep:8.1f} samples/s ({t_ep:.0f} s)")
    print(f"speed-up:                 {t_ep / t_ours:8.1f}x   (with dedupe {t_ep / t_dedupe:.1f}x)")

    # agreement on pass / not-pass, matching samples by task and order within the task
    by_task: dict[str, list] = {}
    for r in sorted(ours, key=lambda r: (r["task_id"], r["sample_index"])):
        by_task.setdefault(r["task_id"], []).append(r)
    agree = total = 0
    diffs = []
    for tid, lst in res["eval"].items():
        for mine, theirs in zip(by_task[tid], lst):
            total += 1
            same = ((mine["base_status"] == "pass") == (theirs["base_status"] == "pass")
                    and (mine["plus_status"] == "pass") == (theirs["plus_status"] == "pass"))
            agree += same
            if not same:
                diffs.append((tid, mine["sample_index"], mine["base_status"], mine["plus_status"],
                              theirs["base_status"], theirs["plus_status"]))
    print(f"agreement (base and plus pass/not-pass): {agree}/{total} = {agree / total:.4%}")
    for d in diffs[:50]:
        print("  differs:", *d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
