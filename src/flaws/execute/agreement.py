"""Cross-check with ``evalplus`` 0.3.1 itself (its own code, in its own process).

:func:`evalplus_verdicts` runs EvalPlus's ``check_correctness`` - the function
``evalplus.evaluate`` maps over samples - with its ground truth from
``get_groundtruth`` on the same HumanEval+ file (``HUMANEVAL_OVERRIDE_PATH``),
``fast_check=True`` as in ``evalplus.evaluate``'s default, in a subprocess with
a process pool of ``workers``.  :func:`compare` lists the samples where the two
disagree on pass versus not-pass, base or plus.

Known, intended sources of disagreement:

* time-limit borderline programs: EvalPlus measures wall-clock time on a
  possibly loaded machine, we measure the child's CPU time;
* programs whose return value fools ``==`` (a subclass or object with a custom
  ``__eq__``): EvalPlus compares inside the sample's process, we compare plain
  decoded data in the trusted judge.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

EVALPLUS_SCRIPT = textwrap.dedent("""
    import json, sys
    from concurrent.futures import ProcessPoolExecutor
    from evalplus.data import get_human_eval_plus, get_human_eval_plus_hash
    from evalplus.evaluate import check_correctness, get_groundtruth
    samples = json.load(open(sys.argv[1]))
    workers = int(sys.argv[3])
    problems = get_human_eval_plus()
    expected = get_groundtruth(problems, get_human_eval_plus_hash(), [])
    out = [None] * len(samples)
    with ProcessPoolExecutor(max_workers=workers) as ex:
        futs = {ex.submit(check_correctness, "humaneval", k, problems[s["task_id"]],
                          s["solution"], expected[s["task_id"]], False, True): k
                for k, s in enumerate(samples)}
        for f, k in futs.items():
            r = f.result()
            out[k] = [r["base"][0], r["plus"][0]]
    json.dump(out, open(sys.argv[2], "w"))
""")


def evalplus_verdicts(samples: list[dict], workers: int = 2) -> list[tuple[str, str]]:
    """EvalPlus's ``(base_status, plus_status)`` for HumanEval+ samples, in order."""
    from flaws.data import path

    env = dict(os.environ)
    env["HUMANEVAL_OVERRIDE_PATH"] = str(path("humanevalplus-v0.1.10", "HumanEvalPlus.jsonl.gz"))
    with tempfile.TemporaryDirectory() as tmp:
        sp, rp = Path(tmp) / "samples.json", Path(tmp) / "verdicts.json"
        sp.write_text(json.dumps([{"task_id": s["task_id"], "solution": s["solution"]}
                                  for s in samples]))
        subprocess.run([sys.executable, "-c", EVALPLUS_SCRIPT, str(sp), str(rp), str(workers)],
                       check=True, env=env, cwd=tmp, stdout=subprocess.DEVNULL)
        return [tuple(v) for v in json.loads(rp.read_text())]


def compare(ours: list[dict], theirs: list[tuple[str, str]]) -> list[dict]:
    """Samples (aligned lists) whose pass/not-pass differs on base or on plus."""
    if len(ours) != len(theirs):
        raise ValueError(f"{len(ours)} outcomes but {len(theirs)} EvalPlus verdicts")
    out = []
    for r, (tb, tp) in zip(ours, theirs):
        base_differs = (r["base_status"] == "pass") != (tb == "pass")
        plus_differs = (r["plus_status"] == "pass") != (tp == "pass")
        if base_differs or plus_differs:
            keys = ("model", "prompt_style", "task_id", "sample_index", "base_status",
                    "plus_status")
            rec = {k: r.get(k) for k in keys}
            rec.update(evalplus_base=tb, evalplus_plus=tp)
            out.append(rec)
    return out


def fixed_subset(samples, n: int = 300):
    """A deterministic, hash-chosen subset of about ``n`` rows of a samples table.

    A row is kept when the sha256 of its identity (source, model, prompt style,
    task, index) falls below ``n / len(samples)`` of the hash range, so the
    subset does not depend on the table's order and rarely changes when rows
    are added.
    """
    import hashlib

    keys = (samples["source_id"] + "|" + samples["model"] + "|"
            + samples["prompt_style"].astype(str) + "|" + samples["task_id"] + "|"
            + samples["sample_index"].astype(str))
    h = keys.map(lambda k: int(hashlib.sha256(k.encode()).hexdigest()[:8], 16))
    return samples[h < n / len(samples) * 16**8]
