"""Stage 2: judge samples with EvalPlus-identical verdicts, in a sandbox.

``evaluate(samples, benchmark, workers=N)`` streams one outcome record per
sample (see :mod:`flaws.execute.runner`).  The pieces, each documented in its
module:

* :mod:`~flaws.execute.groundtruth` - tasks, expected outputs and canonical
  times, computed once per benchmark version in the sandbox and cached;
* :mod:`~flaws.execute.pool` - host side: ``bwrap``-wrapped worker processes;
* :mod:`~flaws.execute.worker` - trusted judge: time limits, decoding, verdicts;
* :mod:`~flaws.execute.zygote` - forks one unprivileged, rlimited child per run;
* :mod:`~flaws.execute.codec` - plain-data encoding of return values (no pickle);
* :mod:`~flaws.execute.verdict` - EvalPlus 0.3.1's comparison rules;
* :mod:`~flaws.execute.vcache` - the verdict cache: identical programs judged once;
* :mod:`~flaws.execute.outcomes` - the deterministic ``outcomes.csv.gz``;
* :mod:`~flaws.execute.cluster` - the same on a Dask cluster (``scheduler=ADDRESS``);
* :mod:`~flaws.execute.cli` - ``flaws evaluate`` for EvalPlus-format samples.
"""

from .runner import COLUMNS, evaluate, judge_programs, solution_sha256

__all__ = ["evaluate", "judge_programs", "solution_sha256", "COLUMNS"]
