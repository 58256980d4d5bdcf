"""Verifiers of different strength: which programs each accepts, and what resampling reaches under it.

A *verifier* decides, from a program's outcome record (``outcomes.csv.gz``) and, where needed, the
list of plus inputs it fails (``plus_failures.csv.gz``, :mod:`flaws.execute.plus_failures`),
whether resampling stops at that program. Ground truth stays the project's: a program is
*correct* when it passes the base and the plus tests. The family built here adds plus inputs to
the base tests:

* ``base``: the original HumanEval tests (today's verifier);
* ``base+first:m``: base plus the first ``m`` plus inputs in EvalPlus's order. A program the base
  tests accept passes them unless it fails plus with ``first_failed_plus < m`` (the executor stops
  at the first input not passed and records its index, a time-out at the input that timed out),
  so no further execution is needed. ``base+plus:m`` is the same verifier (the CLI's name);
* ``base+random:m:seed``: base plus ``m`` plus inputs drawn at random per task (seeded by
  ``seed`` and the task, the same inputs for every program of a task, as a test suite would be);
  a base-passing program that fails plus is rejected when a drawn input is in its list of failing
  inputs, or lies beyond the inputs its details run reached before its CPU budget ran out (unknown
  inputs count as failed, as in EvalPlus's details);
* ``plus``: ground truth (accepts exactly the correct programs). ``m = all`` is the same verifier.

Model-written test suites (:mod:`flaws.samples.generated_tests`, run in the sandbox by
:mod:`flaws.execute.generated_tests`, results in ``generated_tests.csv.gz``) are verifiers of
another kind, which *replace* the base tests and can reject correct programs:

* ``codet``, ``agentcoder``, ``reflexion``: accept a program that passes every test the suite has
  for its task (a test that timed out or was not run counts as failed);
* ``codet:filtered``, ``agentcoder:filtered``, ``reflexion:filtered``: every test of the suite
  that the canonical solution passes. Throwing out the wrong tests needs the answer key, so these
  are oracle-filtered upper bounds of what the suite could do, not verifiers one could deploy.

A task for which the suite has no usable test (none at all, or, filtered, none the canonical
solution passes) accepts every program. Programs that do not load are rejected. The committed
run covers the programs that pass the base tests (every correct program among them, so the
false-negative rate is exact); a program failing base that is not in the file is counted as
rejected (``base_failing="reject"``), which can only lower the acceptances of wrong programs: the
false-positive rates are then lower bounds and the ceilings upper bounds (see
:func:`accepts`).

Every verifier of this family accepts every correct program (correct programs pass base and
every plus input), so its false-negative rate P(rejected | correct) is 0 by construction; the rate
is computed anyway so that verifiers that can reject correct programs (model-written test suites,
not yet evaluated) fit the same table. Its false-positive rate is P(wrong | accepted), pooled
over samples.

:func:`verifier_counts` turns acceptances into the per-task counts the resampling functions
read (``n``, ``base_passes`` = accepted, ``correct`` = accepted and correct, plus
``n_correct``), so conditional accuracy, reachable accuracy and K_opt under a verifier are those
of :mod:`flaws.metrics` and :mod:`flaws.resampling` on these counts.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Verifier", "parse", "accepts", "failure_matrix", "verifier_counts", "rates",
           "rates_table", "first_reaching", "ALL", "SUITES", "suite_verdicts", "suite_family",
           "complete_suites", "rates_for_reader",
           "suite_reach_table", "suite_lines", "rate_differences",
           "rates_by_configuration"]

#: ``m`` meaning every plus input of the task
ALL = "all"
#: what :func:`smallest_m` reports when no verifier strength reaches the target
NEVER = "never"
#: the model-written test suites (``flaws.samples.generated_tests.SUITES``)
SUITES = ("codet", "agentcoder", "reflexion")


@dataclass(frozen=True)
class Verifier:
    """One verifier: ``family`` is base, first, random, plus or suite; ``m`` an int or
    :data:`ALL` (for a suite: its name); ``filtered``: a suite's canonical-passed tests only."""

    family: str
    m: int | str = 0
    seed: int | None = None
    filtered: bool = False

    @property
    def name(self) -> str:
        if self.family in ("base", "plus"):
            return self.family
        if self.family == "suite":
            return f"{self.m}:filtered" if self.filtered else str(self.m)
        if self.family == "first":
            return f"base+first:{self.m}"
        return f"base+random:{self.m}:{self.seed}"


def parse(spec: str) -> Verifier:
    """``base``, ``plus``, ``base+first:M``, ``base+plus:M`` (= first), ``base+random:M:SEED``;
    ``M`` is a whole number or ``all``. ``m = 0`` gives ``base``, ``m = all`` gives ``plus``.
    A suite: ``codet``, ``agentcoder``, ``reflexion``, each also ``NAME:filtered``."""
    s = spec.strip().lower()
    if s in ("base", "plus"):
        return Verifier(s)
    suite, _, how = s.partition(":")
    if suite in SUITES and how in ("", "filtered"):
        return Verifier("suite", suite, filtered=how == "filtered")
    head, _, rest = s.partition(":")
    parts = rest.split(":") if rest else []
    if head in ("base+first", "base+plus") and len(parts) == 1:
        m, seed, family = parts[0], None, "first"
    elif head == "base+random" and len(parts) == 2:
        m, seed, family = parts[0], parts[1], "random"
        if not seed.isdigit():
            raise ValueError(f"verifier {spec!r}: the seed must be a whole number")
        seed = int(seed)
    else:
        raise ValueError(f"unknown verifier {spec!r}; use base, plus, base+plus:M, base+first:M, "
                         "base+random:M:SEED (M a whole number or 'all'), or a test suite: "
                         f"{', '.join(SUITES)} (each also NAME:filtered)")
    if m == ALL:
        return Verifier("plus")
    if not m.isdigit():
        raise ValueError(f"verifier {spec!r}: m must be a whole number or 'all'")
    if int(m) == 0:
        return Verifier("base")
    return Verifier(family, int(m), seed)


def failure_matrix(failures: pd.DataFrame, unknown: str = "fail") -> dict:
    """Per task, the boolean matrix (programs x plus inputs) of failed inputs and the row of each
    program: ``{task_id: (matrix, {solution_sha256: row})}``. Inputs not judged (from
    ``reached`` on) count as failed (``unknown="fail"``, EvalPlus's convention: a lower bound of
    what a random verifier accepts) or as passed (``"pass"``: an upper bound)."""
    if unknown not in ("fail", "pass"):
        raise ValueError("unknown must be 'fail' or 'pass'")
    out = {}
    for task, g in failures.groupby("task_id", sort=False):
        n_plus = int(g["n_plus"].iloc[0])
        mat = np.zeros((len(g), n_plus), dtype=bool)
        for row, (failed, reached) in enumerate(zip(g["failed"], g["reached"])):
            mat[row, list(failed)] = True
            mat[row, int(reached):] = unknown == "fail"  # not judged before the budget ran out
        out[task] = (mat, {h: k for k, h in enumerate(g["solution_sha256"])})
    return out


def _draw(task_id: str, n_plus: int, m: int, seed: int) -> np.ndarray:
    """The ``m`` plus inputs of ``task_id`` drawn by seed ``seed`` (all when m >= n_plus)."""
    rng = np.random.default_rng([seed, zlib.crc32(task_id.encode())])
    mask = np.zeros(n_plus, dtype=bool)
    mask[rng.choice(n_plus, size=min(m, n_plus), replace=False)] = True
    return mask


def suite_verdicts(generated: pd.DataFrame, suite: str, filtered: bool = False):
    """``(accepted, tested)`` of one suite from the table of
    :func:`flaws.execute.generated_tests.read`: ``accepted[(task_id, solution_sha256)]`` is
    True when the program passes every (``filtered``: every canonical-passed) test of its task;
    ``tested``: the tasks with a usable test. Any other task (no canonical row: the suite has no
    test for it; filtered: the canonical solution passes none) accepts every program."""
    from flaws.execute.generated_tests import CANONICAL

    g = generated[generated["suite"] == suite]
    is_canon = g["solution_sha256"] == CANONICAL
    keep = {}
    for t, v in zip(g.loc[is_canon, "task_id"], g.loc[is_canon, "passed"]):
        idx = np.array([c == "1" for c in v]) if filtered else np.ones(len(v), dtype=bool)
        if idx.any():
            keep[t] = idx
    accepted = {}
    for t, h, v in g.loc[~is_canon, ["task_id", "solution_sha256", "passed"]].itertuples(index=False):
        if t not in keep:
            continue
        if len(v) != len(keep[t]):
            raise ValueError(f"{suite}: {t} {h[:12]}: {len(v)} results for {len(keep[t])} tests")
        accepted[(t, h)] = all(c == "1" for c, k in zip(v, keep[t]) if k)
    return accepted, set(keep)


def _suite_accepts(v: Verifier, outcomes: pd.DataFrame, generated, base_failing: str) -> np.ndarray:
    if generated is None:
        from flaws.execute.generated_tests import read

        generated = read()
    accepted, tested = (generated if isinstance(generated, tuple)
                        else suite_verdicts(generated, str(v.m), v.filtered))
    out = np.zeros(len(outcomes), dtype=bool)
    cols = outcomes[["task_id", "solution_sha256", "base_status"]].itertuples(index=False)
    for k, (t, h, b) in enumerate(cols):
        if t not in tested:
            out[k] = True  # no usable test: the suite accepts everything
        elif (t, h) in accepted:
            out[k] = accepted[(t, h)]
        elif b == "error" or (b != "pass" and base_failing == "reject"):
            out[k] = False  # does not load / (by the stated convention) not run
        else:
            raise KeyError(f"{v.name}: no generated-test result for {t} {str(h)[:12]} "
                           f"(base {b})")
    return out


def accepts(verifier: Verifier | str, outcomes: pd.DataFrame, failures=None, generated=None,
            base_failing: str = "reject") -> np.ndarray:
    """Boolean per row of ``outcomes``: does the verifier accept that sample?

    ``failures`` (random draws only): :func:`failure_matrix` of ``plus_failures.csv.gz``, or the
    table itself. A base-passing program that fails plus and has no row there is an error.

    ``generated`` (suites only): the table of :func:`flaws.execute.generated_tests.read`
    (default: the committed file) or :func:`suite_verdicts` of it. A program without a result
    there is rejected when it does not load (``base_status == "error"``) and, with
    ``base_failing="reject"`` (default), when it fails base (the committed run did not execute
    those: false-positive rates are then lower bounds); any other missing program is an error
    (``base_failing="error"``: every program failing base must have been run)."""
    v = parse(verifier) if isinstance(verifier, str) else verifier
    if v.family == "suite":
        return _suite_accepts(v, outcomes, generated, base_failing)
    base = outcomes["base_status"].eq("pass").to_numpy()
    plus = outcomes["plus_status"].eq("pass").to_numpy()
    if v.family == "base":
        return base
    if v.family == "plus":
        return base & plus
    if v.family == "first":
        first = pd.to_numeric(outcomes["first_failed_plus"], errors="coerce").to_numpy(dtype=float)
        first = np.where(np.isnan(first), 0, first)  # not-passed without an index: the first input
        return base & (plus | (first >= v.m))
    if failures is None:
        raise ValueError("a random-input verifier needs the plus failures (plus_failures.csv.gz)")
    if isinstance(failures, pd.DataFrame):
        failures = failure_matrix(failures)
    out = base & plus
    fp = np.flatnonzero(base & ~plus)
    tasks = outcomes["task_id"].to_numpy()
    shas = outcomes["solution_sha256"].to_numpy()
    masks: dict[str, np.ndarray] = {}
    for k in fp:
        t = tasks[k]
        if t not in failures:
            raise KeyError(f"no plus failures for {t} {shas[k][:12]}")
        mat, rows = failures[t]
        if t not in masks:
            masks[t] = _draw(t, mat.shape[1], v.m, v.seed)
        row = rows.get(shas[k])
        if row is None:
            raise KeyError(f"no plus failures for {t} {shas[k][:12]}")
        out[k] = not mat[row, masks[t]].any()
    return out


def verifier_counts(outcomes: pd.DataFrame, accepted, by=("benchmark", "model", "prompt_style")) -> pd.DataFrame:
    """Per-task counts under a verifier, in :func:`flaws.metrics.task_counts`' layout and order:
    ``n``, ``base_passes`` (accepted), ``correct`` (accepted and correct), ``n_correct`` (correct)."""
    from .metrics import task_counts

    correct = outcomes["base_status"].eq("pass") & outcomes["plus_status"].eq("pass")
    accepted = np.asarray(accepted, dtype=bool)
    as_if = outcomes.assign(base_status=np.where(accepted, "pass", "fail"),
                            plus_status=np.where(correct, "pass", "fail"))
    counts = task_counts(as_if, by=tuple(by))
    counts["n_correct"] = counts["plus_passes"]  # (plus_passes: the same, for metrics.summarize)
    return counts


def rates(counts: pd.DataFrame, seed: int = 0, n_resamples: int = 2000, confidence: float = 0.95) -> dict:
    """A verifier's own error rates from :func:`verifier_counts` (any set of tasks and groups),
    pooled over samples, with task-bootstrap intervals (``flaws.stats.bootstrap_ratio``; the
    groups' counts of one task are summed, so a task is resampled with all its samples).

    Keys: accepted, false_positive_rate (P(wrong | accepted)) with _low/_high, correct,
    false_negative_rate (P(rejected | correct)) with _low/_high."""
    from .stats import bootstrap_ratio

    t = counts.groupby("task_id", sort=False)[["base_passes", "correct", "n_correct"]].sum()
    acc, good, cor = (t[c].to_numpy(dtype=float) for c in ("base_passes", "correct", "n_correct"))
    out = {"accepted": int(acc.sum()), "correct": int(cor.sum())}
    out["false_positive_rate"] = float((acc - good).sum() / acc.sum()) if acc.sum() else float("nan")
    out["false_positive_rate_low"], out["false_positive_rate_high"] = bootstrap_ratio(
        acc - good, acc, np.random.default_rng(seed), confidence, n_resamples)
    out["false_negative_rate"] = float((cor - good).sum() / cor.sum()) if cor.sum() else float("nan")
    out["false_negative_rate_low"], out["false_negative_rate_high"] = bootstrap_ratio(
        cor - good, cor, np.random.default_rng(seed), confidence, n_resamples)
    return out


def rates_table(counts_by_verifier: dict, by=("model", "prompt_style"), seed: int = 0,
                n_resamples: int = 2000) -> pd.DataFrame:
    """:func:`rates` per verifier, pooled over all groups (``group`` = "all") and per group."""
    rows = []
    for name, counts in counts_by_verifier.items():
        rows.append({"verifier": name, "group": "all", **rates(counts, seed, n_resamples)})
        for key, g in counts.groupby(list(by), sort=True):
            key = key if isinstance(key, tuple) else (key,)
            rows.append({"verifier": name, "group": " / ".join(map(str, key)),
                         **rates(g, seed, n_resamples)})
    return pd.DataFrame(rows)


def rate_differences(counts_by_verifier: dict, reference: pd.DataFrame, seed: int = 0,
                     n_resamples: int = 2000, confidence: float = 0.95) -> pd.DataFrame:
    """Each verifier's pooled false-positive rate minus the ``reference`` verifier's, on the same
    samples (counts of :func:`verifier_counts`), with a paired task bootstrap: every replicate
    draws the tasks once and recomputes both rates (ratios of sums over the drawn tasks). The
    two-sided bootstrap p-value (:func:`flaws.correlation.bootstrap_p_value`) is Holm-corrected
    over the verifiers (:func:`flaws.stats.holm`). Columns: verifier, difference, low, high, p,
    p_holm."""
    from .correlation import bootstrap_p_value
    from .stats import holm, percentile_interval, task_weights

    def per_task(c):
        t = c.groupby("task_id", sort=True)[["base_passes", "correct"]].sum()
        return t["base_passes"] - t["correct"], t["base_passes"]

    ref_wrong, ref_acc = per_task(reference)
    w = task_weights(len(ref_acc), n_resamples, seed)
    rows = []
    for name, counts in counts_by_verifier.items():
        wrong, acc = per_task(counts)
        if not wrong.index.equals(ref_wrong.index):
            raise ValueError(f"{name}: not the reference's tasks")
        point = wrong.sum() / acc.sum() - ref_wrong.sum() / ref_acc.sum()
        reps = (w @ wrong.to_numpy()) / (w @ acc.to_numpy()) - (w @ ref_wrong.to_numpy()) / (w @ ref_acc.to_numpy())
        lo, hi = percentile_interval(reps, confidence)
        rows.append({"verifier": name, "difference": float(point), "low": lo, "high": hi,
                     "p": bootstrap_p_value(reps)})
    out = pd.DataFrame(rows)
    out["p_holm"] = holm(out["p"].to_numpy()) if len(out) else []
    return out


def rates_for_reader(table: pd.DataFrame, group: str = "all") -> pd.DataFrame:
    """The rows of :func:`rates_table` for ``group`` as the book shows them: verifier, accepted
    samples, and each rate with its 95% interval as text (:func:`flaws.book.estimate`)."""
    from .book import estimate

    g = table[table["group"] == group]

    def col(name):
        return [estimate(v, lo, hi) for v, lo, hi in zip(g[name], g[f"{name}_low"], g[f"{name}_high"])]

    return pd.DataFrame({"verifier": g["verifier"].to_numpy(), "accepted samples": g["accepted"].to_numpy(),
                         "false-positive rate [95% interval]": col("false_positive_rate"),
                         "false-negative rate [95% interval]": col("false_negative_rate")})


def first_reaching(curves: np.ndarray, target, ms) -> np.ndarray:
    """The first entry of ``ms`` whose curve value reaches ``target`` (None where none does).

    ``curves``: (..., len(ms)), each row a ceiling as a function of m (rising); ``target``
    broadcasts against the leading axes."""
    curves = np.asarray(curves, dtype=float)
    hit = curves >= np.asarray(target, dtype=float)[..., None]
    first = hit.argmax(axis=-1)
    ms = np.asarray(list(ms), dtype=object)
    return np.where(hit.any(axis=-1), ms[first], None)


def smallest_m(ceiling, target, ms, seed: int = 0, n_resamples: int = 2000,
               confidence: float = 0.95) -> pd.DataFrame:
    """The smallest verifier strength m at which each configuration's ceiling reaches a target,
    with a task-bootstrap interval.

    ``ceiling``: (len(ms), tasks, configs) per-task values whose mean over tasks is each
    configuration's ceiling under the verifier of strength ``ms[j]`` (e.g. the reachable accuracy
    at K = n, :func:`flaws.resampling.reachable_accuracy_limit`); ``target``: (tasks,) per-task
    values whose mean is the target (the strongest model's single-sample accuracy). Each replicate
    draws the tasks once (the same draw for every configuration and the target) and finds each
    configuration's first m; the interval is the percentile interval of the position of that m in
    ``ms`` (``flaws.stats.percentile_interval``, widened to whole positions), where "never"
    (no m reaches the target) counts as the position after the last. Columns: config (index),
    m, m_low, m_high (entries of ``ms`` or :data:`NEVER`), reached_share (share of replicates in
    which some m reaches the target)."""
    from .stats import percentile_interval

    ceiling = np.asarray(ceiling, dtype=float)
    target = np.asarray(target, dtype=float)
    n_m, n_tasks, n_cfg = ceiling.shape
    ms = list(ms)

    def positions(w):
        curves = np.einsum("mtc,t->cm", ceiling, w) / w.sum()
        hit = curves >= (target @ w / w.sum())
        return np.where(hit.any(axis=1), hit.argmax(axis=1), n_m)

    point = positions(np.ones(n_tasks))
    rng = np.random.default_rng(seed)
    reps = np.array([positions(np.bincount(rng.integers(0, n_tasks, n_tasks), minlength=n_tasks))
                     for _ in range(n_resamples)])
    rows = []
    grid = ms + [NEVER]
    for j in range(n_cfg):
        lo, hi = percentile_interval(reps[:, j], confidence)
        rows.append({"config": j, "m": grid[point[j]], "m_low": grid[int(np.floor(lo))],
                     "m_high": grid[int(np.ceil(hi))], "reached_share": float((reps[:, j] < n_m).mean())})
    return pd.DataFrame(rows, dtype=object).set_index("config")


__all__ += ["smallest_m"]


# ----------------------------------------------------------------------------------------------
# A family of verifiers over a grid of strengths m
# ----------------------------------------------------------------------------------------------

def family_counts(outcomes: pd.DataFrame, family: str, ms, seeds=(0,), failures=None,
                  tasks=None, by=("benchmark", "model", "prompt_style"), unknown: str = "fail") -> dict:
    """Per-task counts under ``base+<family>:m`` for every m of ``ms`` (0 = base, :data:`ALL` =
    plus): ``{m: [counts, ...]}``, one counts table per seed for ``family="random"`` (m = 0 and
    all need no draw: one table), one for ``"first"``. ``tasks``: keep only these task ids;
    ``unknown``: see :func:`failure_matrix`."""
    if family == "random" and failures is not None and isinstance(failures, pd.DataFrame):
        failures = failure_matrix(failures, unknown)
    out = {}
    for m in ms:
        if family == "first" or m == 0 or m == ALL:
            specs = [f"base+first:{m}"]
        else:
            specs = [f"base+random:{m}:{s}" for s in seeds]
        tables = []
        for spec in specs:
            c = verifier_counts(outcomes, accepts(spec, outcomes, failures), by=by)
            tables.append(c[c["task_id"].isin(tasks)].reset_index(drop=True) if tasks is not None else c)
        out[m] = tables
    return out


def rates_by_configuration(table: pd.DataFrame, verifiers) -> pd.DataFrame:
    """The per-group rows of :func:`rates_table` as the book shows them: one row per
    configuration, one column per verifier of ``verifiers`` (in that order), each cell the
    false-positive rate with its 95% interval (:func:`flaws.book.estimate`)."""
    from .book import estimate

    verifiers = list(verifiers)
    g = table[table["group"].ne("all") & table["verifier"].isin(verifiers)]
    g = g.assign(fp=[estimate(v, lo, hi) for v, lo, hi in
                     zip(g.false_positive_rate, g.false_positive_rate_low, g.false_positive_rate_high)])
    return (g.pivot(index="group", columns="verifier", values="fp")[verifiers].rename_axis(columns=None)
            .reset_index().rename(columns={"group": "configuration"}))


def complete_suites(outcomes: pd.DataFrame, generated: pd.DataFrame, suites=SUITES, tasks=None) -> dict:
    """For each suite, how many of the distinct base-passing programs (of ``tasks``) that the
    suite has a usable test for lack a result in ``generated``: ``{suite: missing}``; a suite
    with 0 missing can be evaluated with the base tests (:func:`suite_family`)."""
    from flaws.execute.generated_tests import CANONICAL

    o = outcomes[outcomes["base_status"].eq("pass")]
    if tasks is not None:
        o = o[o["task_id"].isin(tasks)]
    progs = set(zip(o["task_id"], o["solution_sha256"]))
    out = {}
    for suite in suites:
        g = generated[generated["suite"] == suite]
        tested = set(g.loc[g["solution_sha256"] == CANONICAL, "task_id"])
        have = set(zip(g["task_id"], g["solution_sha256"]))
        out[suite] = sum(1 for t, h in progs if t in tested and (t, h) not in have)
    return out


def suite_family(outcomes: pd.DataFrame, generated: pd.DataFrame, suites=SUITES,
                 filtered=(False, True), tasks=None, by=("benchmark", "model", "prompt_style"),
                 with_base: bool = True) -> dict:
    """Per-task counts under each model-written suite, in :func:`family_counts`' layout:
    ``{name: [counts]}`` with names ``codet``, ``codet:filtered``, ... in the order of ``suites``
    and ``filtered`` (each suite's verdicts computed once, :func:`suite_verdicts`). ``generated``:
    the table of :func:`flaws.execute.generated_tests.read`; ``tasks``, ``by``: as in
    :func:`family_counts`.

    ``with_base`` (default): the suite added to the original tests, as a practitioner holding
    both would use it: a program is accepted when it passes the base tests and the suite (where
    the suite has no usable test for its task, the base tests alone decide). Only base-passing
    programs need a suite result, so this verifier is exact on a run of those. ``False``: the
    suite alone (:func:`accepts`; every base-failing program must then have been run)."""
    out = {}
    base = outcomes["base_status"].eq("pass").to_numpy()
    for suite in suites:
        for f in filtered:
            v = Verifier("suite", suite, filtered=f)
            acc = accepts(v, outcomes, generated=suite_verdicts(generated, suite, f),
                          base_failing="reject" if with_base else "error")
            acc = acc & base if with_base else acc
            c = verifier_counts(outcomes, acc, by=by)
            out[v.name] = [c[c["task_id"].isin(tasks)].reset_index(drop=True) if tasks is not None else c]
    return out


def task_arrays(tables: list, configs, keys=("model", "prompt_style")):
    """N, B, C of each counts table as (draws x tasks x configs) arrays
    (:func:`flaws.correlation.task_matrices`), and the task ids."""
    from .correlation import task_matrices

    mats = [task_matrices(t, configs, keys) for t in tables]
    stack = {k: np.stack([m[k] for m in mats]) for k in ("N", "B", "C")}
    return stack["N"], stack["B"], stack["C"], mats[0]["task_ids"]


def per_task_ceiling(tables: list, configs, k: int | None = None, keys=("model", "prompt_style")):
    """Reachable accuracy at budget ``k`` (None: K = n, every sample drawn if needed) per task
    and configuration, averaged over the draws: (tasks x configs), from
    :func:`flaws.resampling.reachable_accuracy` / ``reachable_accuracy_limit``."""
    from .resampling import reachable_accuracy, reachable_accuracy_limit

    N, B, C, _ = task_arrays(tables, configs, keys)
    if k is None:
        per = reachable_accuracy_limit(B, C)
    else:
        per = reachable_accuracy(np.maximum(N, 1).ravel(), B.ravel(), C.ravel(), [k])[:, 0]
    return per.reshape(B.shape).mean(axis=0)


def ceiling_table(family: dict, configs, keys=("model", "prompt_style"), seed: int = 0,
                  n_resamples: int = 2000, confidence: float = 0.95, k: int | None = None) -> pd.DataFrame:
    """Ceilings of each configuration under each verifier of a family (:func:`family_counts`).

    Per m and configuration: conditional accuracy (mean of c/b over tasks with b > 0, averaged
    over the draws), reachable accuracy at K = ``k`` (:func:`per_task_ceiling`; default K = n)
    with a task bootstrap interval, and the verifier's false-positive rate on that configuration (pooled over
    samples, averaged over draws). Columns: m, ``keys``, conditional_accuracy, reachable,
    reachable_low, reachable_high, false_positive_rate, draws."""
    from .stats import bootstrap_mean

    rows = []
    for m, tables in family.items():
        N, B, C, _ = task_arrays(tables, configs, keys)
        reach = per_task_ceiling(tables, configs, k, keys)
        defined = B > 0
        ratio = np.where(defined, C / np.where(defined, B, 1), 0.0)
        cond = (ratio.sum(axis=1) / defined.sum(axis=1)).mean(axis=0)
        fpr = ((B - C).sum(axis=1) / B.sum(axis=1)).mean(axis=0)
        for j, cfg in enumerate(configs):
            have = N[0, :, j] > 0
            lo, hi = bootstrap_mean(reach[have, j], np.random.default_rng(seed), confidence, n_resamples)
            rows.append({"m": m, **dict(zip(keys, cfg)), "conditional_accuracy": float(cond[j]),
                         "reachable": float(reach[have, j].mean()), "reachable_low": lo,
                         "reachable_high": hi, "false_positive_rate": float(fpr[j]),
                         "draws": len(tables)})
    return pd.DataFrame(rows)


def order_comparison(first: dict, random: dict, base_tables: list, seed: int = 0,
                     n_resamples: int = 2000, confidence: float = 0.95) -> pd.DataFrame:
    """Is the benchmark's order of the plus inputs informative? Per m (present in both families),
    the share of the base tests' false positives still accepted by the first m inputs and by m
    random inputs (mean over draws), their difference (random - first: > 0 when the first m
    reject more), a task-bootstrap interval of the difference (``flaws.stats.bootstrap_ratio``)
    and a two-sided p-value of the mean per-task difference (``flaws.stats.paired_mean_interval``),
    Holm-corrected over the m values (``flaws.stats.holm``). Counts are summed over the
    configurations of each task."""
    from .stats import bootstrap_ratio, holm, paired_mean_interval

    def wrong(tables):
        per = [t.groupby("task_id", sort=True).apply(lambda g: (g.base_passes - g.correct).sum(),
                                                      include_groups=False) for t in tables]
        return pd.concat(per, axis=1).mean(axis=1)

    fp0 = wrong(base_tables)
    rows = []
    for m in first:
        if m not in random or m in (0, ALL):
            continue
        f, r = wrong(first[m]).reindex(fp0.index), wrong(random[m]).reindex(fp0.index)
        d = (r - f).to_numpy()
        lo, hi = bootstrap_ratio(d, fp0.to_numpy(), np.random.default_rng(seed), confidence, n_resamples)
        _, _, p = paired_mean_interval(d, np.random.default_rng(seed), confidence, n_resamples)
        rows.append({"m": m, "first": float(f.sum() / fp0.sum()), "random": float(r.sum() / fp0.sum()),
                     "difference": float(d.sum() / fp0.sum()), "low": lo, "high": hi, "p": p})
    out = pd.DataFrame(rows)
    out["p_holm"] = holm(out["p"].to_numpy())
    return out


__all__ += ["family_counts", "task_arrays", "per_task_ceiling", "ceiling_table", "order_comparison"]


def mean_counts(tables: list) -> pd.DataFrame:
    """The counts tables of several draws of one verifier (same rows) averaged: accepted and
    accepted-and-correct become expected counts per task, so :func:`rates` gives the rates pooled
    over the draws."""
    out = tables[0].copy()
    for col in ("base_passes", "correct"):
        out[col] = np.mean([t[col].to_numpy(dtype=float) for t in tables], axis=0)
    return out


__all__ += ["mean_counts"]


# ----------------------------------------------------------------------------------------------
# The model-written suites: does one lift a weak model to the strongest model's single try?
# ----------------------------------------------------------------------------------------------

def _yes_no(reached: bool, share: float) -> str:
    return f"{'yes' if reached else 'no'} ({share:.2f})"


def suite_reach_table(family: dict, configs, target, keys=("model", "prompt_style"), seed: int = 0,
                      n_resamples: int = 2000, confidence: float = 0.95) -> pd.DataFrame:
    """Per verifier of ``family`` (:func:`suite_family`) and configuration: the reachable accuracy
    at K = n with its task-bootstrap interval, and whether the ceiling reaches ``target`` (per-task
    values whose mean is the strongest model's single-sample accuracy) at K = 10 and at K = n, by
    :func:`smallest_m`'s rule on a one-verifier grid (the same task draws as the headline), with
    the share of replicates in which it does. Columns: ``keys``, verifier, reachable,
    reachable_low, reachable_high, reachable_text, k10_reached, k10_share, k10, kn_reached,
    kn_share, kn (``k10``/``kn``: "yes (0.97)")."""
    from .book import estimate
    from .stats import bootstrap_mean

    rows = []
    for name, tables in family.items():
        reach = {}
        for label, k in (("k10", 10), ("kn", None)):
            ceil = per_task_ceiling(tables, configs, k, keys)
            reach[label] = (ceil, smallest_m(ceil[None], target, [name], seed=seed,
                                             n_resamples=n_resamples, confidence=confidence))
        for j, cfg in enumerate(configs):
            ceil = reach["kn"][0][:, j]
            lo, hi = bootstrap_mean(ceil, np.random.default_rng(seed), confidence, n_resamples)
            row = {**dict(zip(keys, cfg)), "verifier": name, "reachable": float(ceil.mean()),
                   "reachable_low": lo, "reachable_high": hi,
                   "reachable_text": estimate(ceil.mean(), lo, hi)}
            for label in ("k10", "kn"):
                r = reach[label][1].loc[j]
                row[f"{label}_reached"] = r["m"] != NEVER
                row[f"{label}_share"] = float(r["reached_share"])
                row[label] = _yes_no(r["m"] != NEVER, float(r["reached_share"]))
            rows.append(row)
    return pd.DataFrame(rows)


def suite_lines(family: dict, configs, keys=("model", "prompt_style"), rs=(1.0, 4.0), seed: int = 0,
                n_resamples: int = 2000) -> pd.DataFrame:
    """Per verifier of ``family``: the Fig. 1a slope over ``configs`` with its two-level interval
    (:func:`flaws.correlation.line_with_intervals`), and over every configuration of its counts
    the number with K_opt censored at n and with K_opt = 0 at each cost ratio of ``rs``
    (:func:`flaws.resampling.k_opt_table`). Columns: verifier, slope, low, high, slope_text,
    configurations, censored_r1, zero_r1, ... (one pair per cost ratio, named by its value)."""
    from .book import estimate
    from .correlation import line_with_intervals
    from .resampling import k_opt_table

    rows = []
    for name, tables in family.items():
        N, B, C, _ = task_arrays(tables, configs, keys)
        f = line_with_intervals(N, B, C, seed=seed, n_resamples=n_resamples)
        lo, hi = f["slope_ci"]
        row = {"verifier": name, "slope": float(f["slope"]), "low": float(lo), "high": float(hi),
               "slope_text": estimate(f["slope"], lo, hi)}
        k = k_opt_table(tables[0], by=keys, rs=rs)
        row["configurations"] = int(k.groupby(list(keys)).ngroups)
        for r in rs:
            g = k[k["cost_ratio"] == r]
            row[f"censored_r{r:g}"] = int(g["censored"].sum())
            row[f"zero_r{r:g}"] = int(g["k_opt"].eq(0).sum())
        rows.append(row)
    return pd.DataFrame(rows)

