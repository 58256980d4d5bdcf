"""Sample processes start from fixed seeds: string hashing (``PYTHONHASHSEED``),
``random`` and ``numpy.random``.  A program whose output depends on the order of
a set of strings, or that draws random numbers without seeding, must give the
same output in every run and in every worker (the outcomes file is regenerated
byte for byte).  EvalPlus leaves these random; its verdict on such programs is
one draw among several."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from flaws.execute import judge_programs
from flaws.execute.pool import HASH_SEED
from flaws.execute.zygote import RANDOM_SEED

PROGRAM = """
import random
import numpy as np

def f(words):
    return [list(set(words)), random.random(), float(np.random.rand())]
"""
WORDS = ["apple", "banana", "cherry", "date", "elderberry", "fig", "grape", "honeydew"]


def _expected() -> list:
    """The program's output under the documented seeds, computed in a fresh interpreter."""
    code = (f"import json, random, numpy\nrandom.seed({RANDOM_SEED})\n"
            f"numpy.random.seed({RANDOM_SEED})\n{PROGRAM}\n"
            f"print(json.dumps(f({WORDS!r})))")
    env = {**os.environ, "PYTHONHASHSEED": HASH_SEED}
    return json.loads(subprocess.run([sys.executable, "-c", code], env=env, check=True,
                                     capture_output=True, text=True).stdout)


def test_hash_and_random_seeds_are_fixed_in_every_sample_process():
    expected = _expected()
    # one input per run: the base and the plus run are separate processes, each from the seeds
    task = {"task_id": "seeds", "entry_point": "f", "atol": 0, "base_input": [[WORDS]],
            "plus_input": [[WORDS]], "base_expected": [expected], "plus_expected": [expected]}
    # two separate pools (new workers, new zygotes), several processes each
    for _ in range(2):
        res = judge_programs([task], [{"task_id": "seeds", "solution": PROGRAM}] * 4, workers=2)
        assert [(r["base"]["status"], r["plus"]["status"]) for r in res] == [("pass", "pass")] * 4
