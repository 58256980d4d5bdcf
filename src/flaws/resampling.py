"""Inference scaling curves under an imperfect verifier: exact expected reward of resampling.

The procedure (paper, section 4 and ``reported.json`` "optimal_k_monte_carlo"): for a task, draw
the model's samples in random order *without replacement* until one passes the verifier (the base
tests), within a budget of K draws. Reward is 1 when the accepted sample is correct (passes base
and plus), ``-r`` when it is a false positive (passes base, fails plus), 0 when no sample within
the budget passes base. ``r`` is the *cost ratio* (cost of a false positive / benefit of a
correct answer).

Exact value. For a task with ``n`` samples of which ``b`` pass base and ``c <= b`` are correct:

* the K draws contain no base-passing sample with hypergeometric probability
  ``C(n - b, K) / C(n, K) = prod_{i<K} (n - b - i) / (n - i)`` (budgets K > n use K = n);
* by symmetry the first base-passing sample drawn is uniform over the ``b`` base-passing ones,
  independently of when it is found, so it is correct with probability ``c / b``.

Hence ``E[reward](K, r) = (1 - C(n-b, K)/C(n, K)) * (c/b - r (b - c)/b)`` and the mean over tasks
is one matrix product (cost ratios x tasks) @ (tasks x budgets). :func:`monte_carlo_curve` is the
paper's simulation (1000 random orders per task) for comparison; the *with-replacement* limit
(infinitely many samples at the same per-task rates) replaces the hypergeometric term by
``(1 - b/n)^K``.

``K_opt`` is the smallest budget reaching the maximum mean reward, and 0 when that maximum is
negative (then not resampling at all, reward 0, is better).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = [
    "COST_RATIOS",
    "prob_found",
    "prob_found_with_replacement",
    "value_if_found",
    "expected_reward",
    "mean_reward_curve",
    "mean_reward_curves",
    "mean_reward_curve_with_replacement",
    "monte_carlo_curve",
    "k_opt",
    "scaling_curves",
    "k_opt_table",
    "format_ratio",
    "task_samples",
]

#: Cost ratios of the paper's heatmap plus r = 0 and r = 8 (its Monte Carlo table).
COST_RATIOS: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(11)) + (2.0, 4.0, 8.0, 10.0)

#: Values within this distance of the maximum count as reaching it (floating-point ties).
TIE_TOLERANCE = 1e-12


def format_ratio(r: float) -> str:
    """Cost ratio as a short key: 0, 0.1, 1, 10 (as in ``reported.json``)."""
    return f"{float(r):g}"


def _as_counts(n, b, c=None):
    n = np.asarray(n, dtype=np.int64).reshape(-1)
    b = np.asarray(b, dtype=np.int64).reshape(-1)
    if n.shape != b.shape:
        raise ValueError("n and b must have the same length")
    if np.any(n < 1) or np.any(b < 0) or np.any(b > n):
        raise ValueError("need n >= 1 and 0 <= b <= n for every task")
    if c is None:
        return n, b
    c = np.asarray(c, dtype=np.int64).reshape(-1)
    if c.shape != b.shape:
        raise ValueError("c and b must have the same length")
    if np.any(c < 0) or np.any(c > b):
        raise ValueError("need 0 <= c <= b for every task (a correct sample passes base)")
    return n, b, c


def _as_budgets(ks) -> np.ndarray:
    ks = np.asarray(ks, dtype=np.int64).reshape(-1)
    if np.any(ks < 0):
        raise ValueError("budgets K must be >= 0")
    return ks


def _prob_none(n: np.ndarray, b: np.ndarray, kmax: int) -> np.ndarray:
    """P(no base pass in the first K draws) for K = 1..kmax; shape (tasks, kmax).

    Draw i+1 misses given the first i missed with probability (n-b-i)/(n-i) = 1 - b/(n-i). Once
    i reaches n-b the product is 0 and stays 0; for b = 0 every factor is 1. Clipping n-i at 1
    keeps the factors finite past the last sample (K > n behaves as K = n).
    """
    i = np.arange(kmax, dtype=float)
    return np.cumprod(1.0 - b[:, None] / np.maximum(n[:, None] - i[None, :], 1.0), axis=1)


def prob_found(n, b, ks) -> np.ndarray:
    """P(at least one base-passing sample among min(K, n) draws without replacement).

    Shape (tasks, len(ks)); equals ``1 - C(n-b, K)/C(n, K)``.
    """
    n, b = _as_counts(n, b)
    ks = _as_budgets(ks)
    kmax = int(ks.max()) if ks.size else 0
    none = _prob_none(n.astype(float), b.astype(float), kmax)
    out = np.zeros((len(n), ks.size))
    pos = ks > 0
    out[:, pos] = 1.0 - none[:, ks[pos] - 1]
    return out


def prob_found_with_replacement(n, b, ks) -> np.ndarray:
    """P(at least one base pass in K draws with replacement) = 1 - (1 - b/n)^K; (tasks, len(ks))."""
    n, b = _as_counts(n, b)
    ks = _as_budgets(ks)
    return 1.0 - (1.0 - b / n)[:, None] ** ks[None, :]


def value_if_found(b, c, rs) -> np.ndarray:
    """Expected reward of the first base-passing sample: c/b - r (b-c)/b; 0 when b = 0. (len(rs), tasks)."""
    b = np.asarray(b, dtype=float).reshape(-1)
    c = np.asarray(c, dtype=float).reshape(-1)
    rs = np.asarray(rs, dtype=float).reshape(-1)
    safe = np.where(b > 0, b, 1.0)
    good = np.where(b > 0, c / safe, 0.0)
    bad = np.where(b > 0, (b - c) / safe, 0.0)
    return good[None, :] - rs[:, None] * bad[None, :]


def budget_free(n, b) -> np.ndarray:
    """Per task, whether its expected reward is the same at every budget K >= 1: none of its
    samples passes base (b = 0, nothing is ever accepted) or all do (b = n, the first draw is
    accepted). Any other task gains a chance of acceptance with each draw up to K = n."""
    n, b = _as_counts(n, b)
    return (b == 0) | (b == n)


__all__ += ["budget_free"]


def expected_reward(n, b, c, ks, rs) -> np.ndarray:
    """Exact expected reward per cost ratio, task and budget; shape (len(rs), tasks, len(ks))."""
    n, b, c = _as_counts(n, b, c)
    return value_if_found(b, c, rs)[:, :, None] * prob_found(n, b, ks)[None, :, :]


def _grouped_curves(n, b, c, groups, ks, rs, prob) -> np.ndarray:
    """Mean reward curves of several groups of tasks at once; shape (n_groups, len(rs), len(ks)).

    Two facts keep this small: the probability factor depends on a task only through (n, b), so
    it is computed once per distinct pair; and the value factor is linear in r,
    ``c/b - r (b-c)/b``, so per group and pair only two sums are needed (of c/b and of (b-c)/b).
    """
    n, b, c = _as_counts(n, b, c)
    ks = _as_budgets(ks)
    rs = np.asarray(rs, dtype=float).reshape(-1)
    groups = np.zeros(len(n), dtype=np.int64) if groups is None else np.asarray(groups, dtype=np.int64).reshape(-1)
    if groups.shape != n.shape or (groups.size and groups.min() < 0):
        raise ValueError("groups must give a label 0, 1, ... for every task")
    n_groups = int(groups.max()) + 1 if groups.size else 0
    keys, first, pair = np.unique(n * (int(n.max()) + 1) + b, return_index=True, return_inverse=True)
    cell = groups * len(keys) + pair.reshape(-1)
    safe = np.where(b > 0, b, 1)
    good = np.bincount(cell, weights=np.where(b > 0, c / safe, 0.0), minlength=n_groups * len(keys))
    bad = np.bincount(cell, weights=np.where(b > 0, (b - c) / safe, 0.0), minlength=n_groups * len(keys))
    p = prob(n[first], b[first], ks)  # (pairs, budgets)
    size = np.bincount(groups, minlength=n_groups).astype(float)[:, None]
    good = good.reshape(n_groups, len(keys)) @ p / size
    bad = bad.reshape(n_groups, len(keys)) @ p / size
    return good[:, None, :] - rs[None, :, None] * bad[:, None, :]


def mean_reward_curve(n, b, c, ks, rs) -> np.ndarray:
    """Exact mean (over tasks) expected reward; shape (len(rs), len(ks))."""
    return _grouped_curves(n, b, c, None, ks, rs, prob_found)[0]


def mean_reward_curves(n, b, c, groups, ks, rs) -> np.ndarray:
    """:func:`mean_reward_curve` for many groups (e.g. models) in one pass; ``groups`` labels
    each task 0, 1, ...; shape (n_groups, len(rs), len(ks))."""
    return _grouped_curves(n, b, c, groups, ks, rs, prob_found)


def mean_reward_curve_with_replacement(n, b, c, ks, rs) -> np.ndarray:
    """The infinite-sample limit: draws with replacement at each task's rates; (len(rs), len(ks))."""
    return _grouped_curves(n, b, c, None, ks, rs, prob_found_with_replacement)[0]


def monte_carlo_curve(tasks, ks, rs, n_sims: int = 1000, seed: int = 0) -> np.ndarray:
    """The paper's Monte Carlo estimate of the mean reward curve; shape (len(rs), len(ks)).

    ``tasks``: sequence of ``(passes_base, correct)`` boolean arrays, one pair per task (one entry
    per sample). For every task, ``n_sims`` random orders of its samples are simulated (seeded,
    tasks in the given order); in each, the first base-passing sample within the budget K is
    accepted and rewarded 1 if correct, ``-r`` otherwise, 0 if none. Vectorized over the
    simulations of a task and over budgets.
    """
    ks = _as_budgets(ks)
    rs = np.asarray(rs, dtype=float).reshape(-1)
    rng = np.random.default_rng(seed)
    kmax = int(ks.max()) if ks.size else 0
    total_good = np.zeros(kmax + 1)
    total_bad = np.zeros(kmax + 1)
    for base, correct in tasks:
        base = np.asarray(base, dtype=bool)
        correct = np.asarray(correct, dtype=bool)
        if base.shape != correct.shape or np.any(correct & ~base):
            raise ValueError("each task needs equal-length arrays with correct implying passes_base")
        n = base.size
        orders = rng.permuted(np.tile(np.arange(n), (n_sims, 1)), axis=1)
        hits = base[orders]
        found = hits.any(axis=1)
        first = hits.argmax(axis=1)  # 0-based draw index of the first base pass
        good = found & correct[orders[np.arange(n_sims), first]]
        bad = found & ~good
        # number of simulations whose first base pass comes at draw <= K, for K = 0..kmax
        pos = np.minimum(first + 1, kmax + 1)
        total_good += np.cumsum(np.bincount(pos[good], minlength=kmax + 2)[: kmax + 1]) / n_sims
        total_bad += np.cumsum(np.bincount(pos[bad], minlength=kmax + 2)[: kmax + 1]) / n_sims
    n_tasks = max(len(tasks), 1)
    return (total_good[None, ks] - rs[:, None] * total_bad[None, ks]) / n_tasks


class KOpt(NamedTuple):
    """Optimal budgets per cost ratio: ``k_opt``, the maximum mean reward and whether the optimum
    is *censored* (it sits at the largest budget that can be evaluated, so the true optimum is
    that budget or more: report "≥ n", never n)."""

    k_opt: np.ndarray
    max_reward: np.ndarray
    censored: np.ndarray


def k_opt(curves: np.ndarray, ks, k_limit: int | None = None) -> KOpt:
    """Optimal budget per cost ratio from mean reward curves (len(rs), len(ks)).

    Returns ``(k_opt, max_reward, censored)``: the smallest K whose mean reward is within
    :data:`TIE_TOLERANCE` of the maximum over ``ks``, that maximum, and ``k_opt >= k_limit``
    (default ``max(ks)``; pass the largest number of samples per task when ``ks`` runs past it).
    ``k_opt`` is 0, never censored, when the maximum is negative (stop before drawing: reward 0).
    """
    curves = np.atleast_2d(np.asarray(curves, dtype=float))
    ks = _as_budgets(ks)
    if curves.shape[1] != ks.size:
        raise ValueError("curves must have one column per budget")
    best = curves.max(axis=1)
    first = (curves >= best[:, None] - TIE_TOLERANCE).argmax(axis=1)
    kopt = np.where(best < 0, 0, ks[first]).astype(np.int64)
    limit = int(ks.max()) if k_limit is None else int(k_limit)
    return KOpt(kopt, best, (kopt > 0) & (kopt >= limit))


def k_opt_label(k, censored) -> str:
    """K_opt as the book prints it: "7", or "≥ 20" when censored at 20."""
    return f"≥ {int(k)}" if bool(censored) else f"{int(k)}"


def k_opt_interval_label(low, high, limit) -> str:
    """A K_opt interval as the book prints it: "[7, 38]", "[7, ≥ 200]" when the upper end is the
    largest budget that can be evaluated, and "whole interval ≥ 200" when the lower end is too
    (every replicate in the interval is censored, so only the bound is known)."""
    low, high, limit = int(low), int(high), int(limit)
    if low >= limit:
        return f"whole interval ≥ {limit}"
    return f"[{low}, {k_opt_label(high, high >= limit)}]"


def censored_median(k, censored) -> tuple[float, bool]:
    """Median of optimal budgets some of which are censored (only known to be >= their value).

    The median of the known lower bounds is a lower bound of the median; the median with every
    censored value replaced by infinity is an upper bound. Returns ``(value, is_lower_bound)``:
    the exact median when the two agree, else the lower bound and True."""
    k = np.asarray(k, dtype=float).reshape(-1)
    c = np.asarray(censored, dtype=bool).reshape(-1)
    if k.size == 0:
        raise ValueError("no optimal budgets")
    low = float(np.median(k))
    high = float(np.median(np.where(c, np.inf, k)))
    return low, not low == high


def _group_arrays(g: pd.DataFrame):
    return g["n"].to_numpy(), g["base_passes"].to_numpy(), g["correct"].to_numpy()


def scaling_curves(
    counts: pd.DataFrame,
    by=("benchmark", "model", "prompt_style"),
    rs=COST_RATIOS,
    k_max: int | None = None,
) -> pd.DataFrame:
    """Long table of exact mean reward curves per group: ``by`` + cost_ratio, k, reward,
    reward_with_replacement. Budgets 1..k_max (default: the group's largest n)."""
    frames = []
    for key, g in counts.groupby(list(by), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        n, b, c = _group_arrays(g)
        ks = np.arange(1, (k_max or int(n.max())) + 1)
        exact = mean_reward_curve(n, b, c, ks, rs)
        repl = mean_reward_curve_with_replacement(n, b, c, ks, rs)
        rr, kk = np.meshgrid(np.asarray(rs, float), ks, indexing="ij")
        frames.append(
            pd.DataFrame(
                {
                    **{k: v for k, v in zip(by, key)},
                    "cost_ratio": rr.ravel(),
                    "k": kk.ravel(),
                    "reward": exact.ravel(),
                    "reward_with_replacement": repl.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def k_opt_table(
    counts: pd.DataFrame,
    by=("benchmark", "model", "prompt_style"),
    rs=COST_RATIOS,
    k_max: int | None = None,
) -> pd.DataFrame:
    """K_opt and the maximum mean reward per group and cost ratio (budgets 1..k_max, default the
    group's largest n). Columns: ``by`` + cost_ratio, k_opt, max_reward, k_max, censored
    (K_opt is the group's largest n: the optimum is that many samples or more), label ("≥ 20")."""
    rows = []
    for key, g in counts.groupby(list(by), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        n, b, c = _group_arrays(g)
        km = k_max or int(n.max())
        ks = np.arange(1, km + 1)
        kopt, best, cens = k_opt(mean_reward_curve(n, b, c, ks, rs), ks, k_limit=min(km, int(n.max())))
        for r, k, m, z in zip(rs, kopt, best, cens):
            rows.append({**dict(zip(by, key)), "cost_ratio": float(r), "k_opt": int(k),
                         "max_reward": float(m), "k_max": km, "censored": bool(z),
                         "label": k_opt_label(k, z)})
    return pd.DataFrame(rows)


# --- K_opt with a task-bootstrap interval -------------------------------------------------------


def _per_task_terms(n, b, c, ks):
    """Per-task expected gain (c/b P(found)) and loss ((b-c)/b P(found)); each (tasks, len(ks))."""
    n, b, c = _as_counts(n, b, c)
    p = prob_found(n, b, ks)
    safe = np.where(b > 0, b, 1)
    good = np.where(b > 0, c / safe, 0.0)[:, None] * p
    bad = np.where(b > 0, (b - c) / safe, 0.0)[:, None] * p
    return good, bad


def k_opt_bootstrap(n, b, c, rs=COST_RATIOS, n_resamples: int = 2000, seed: int = 0,
                    confidence: float = 0.90) -> pd.DataFrame:
    """K_opt of one model per cost ratio with a task-bootstrap interval.

    Each replicate draws the tasks with replacement (:func:`flaws.stats.task_weights`) and
    recomputes the exact mean reward curves over budgets 1..max(n) and their K_opt (the curves
    are sums over tasks, so a replicate is one matrix product). Columns: cost_ratio, k_opt,
    censored, label, ci_low, ci_high (equal-tailed, :func:`flaws.stats.discrete_interval`),
    ci_low_censored and ci_high_censored (that end is the cap: "≥ n"), interval (the printed
    interval, :func:`k_opt_interval_label`), share_censored (replicates at the cap), k_limit (the
    largest budget evaluable, max n)."""
    from .stats import discrete_interval, task_weights

    n, b, c = _as_counts(n, b, c)
    rs = np.asarray(rs, dtype=float).reshape(-1)
    limit = int(n.max())
    ks = np.arange(1, limit + 1)
    good, bad = _per_task_terms(n, b, c, ks)
    est = k_opt(good.mean(axis=0)[None, :] - rs[:, None] * bad.mean(axis=0)[None, :], ks)
    w = task_weights(len(n), n_resamples, seed).astype(float) / len(n)
    g, l = w @ good, w @ bad  # (replicates, budgets)
    rows = []
    for j, r in enumerate(rs):
        rep = k_opt(g - r * l, ks)
        lo, hi = discrete_interval(rep.k_opt, confidence)
        k, z = int(est.k_opt[j]), bool(est.censored[j])
        rows.append({"cost_ratio": float(r), "k_opt": k, "censored": z, "label": k_opt_label(k, z),
                     "ci_low": int(lo), "ci_high": int(hi), "ci_low_censored": bool(lo >= limit),
                     "ci_high_censored": bool(hi >= limit), "interval": k_opt_interval_label(lo, hi, limit),
                     "share_censored": float(rep.censored.mean()), "k_limit": limit})
    return pd.DataFrame(rows)


# --- False positives by the attempt at which a program is accepted -------------------------------


def accepted_by_attempt(n, b, c, k_max: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Per task and attempt k = 1..k_max: P(the program accepted is the k-th draw) and
    P(it is the k-th draw and a false positive); two arrays of shape (tasks, k_max).

    Drawing without replacement, the first base pass comes at draw k with probability
    P(none in k-1 draws) - P(none in k draws) (hypergeometric); by symmetry it is a false positive
    with probability (b-c)/b whatever k is. Within a task the false-positive share does not
    change with k; only which tasks are still unsolved at attempt k does."""
    n, b, c = _as_counts(n, b, c)
    kmax = int(n.max()) if k_max is None else int(k_max)
    none = np.hstack([np.ones((len(n), 1)), _prob_none(n.astype(float), b.astype(float), kmax)])
    first = none[:, :-1] - none[:, 1:]
    safe = np.where(b > 0, b, 1)
    return first, first * np.where(b > 0, (b - c) / safe, 0.0)[:, None]


def attempt_buckets(k_max: int) -> list[tuple[int, int]]:
    """Attempt buckets of the authors' figure: 1, 2-3, 4-7, 8-15, ... (the last one cut at k_max)."""
    if k_max < 1:
        raise ValueError("k_max must be >= 1")
    out, lo = [], 1
    while lo <= k_max:
        out.append((lo, min(2 * lo - 1, k_max)))
        lo *= 2
    return out


def fp_share_by_attempt(n, b, c, n_resamples: int = 2000, seed: int = 0,
                        confidence: float = 0.95) -> pd.DataFrame:
    """Share of false positives among the programs accepted at attempts in each bucket.

    One resampling run per task (resample until a base pass, no budget limit): the expected
    number of programs accepted in a bucket and of false positives among them, summed over
    tasks; the share is their ratio, with a task-bootstrap interval (tasks resampled, both sums
    recomputed). ``mean_base_rate`` is the mean b/n of the tasks behind the accepted programs of
    the bucket (weighted by how many they contribute): hard tasks are accepted late.
    Columns: attempts ("4-7"), first, last, accepted, false_positives, fp_share, ci_low, ci_high,
    mean_base_rate."""
    from .stats import percentile_interval, task_weights

    n, b, c = _as_counts(n, b, c)
    acc, fp = accepted_by_attempt(n, b, c)
    w = task_weights(len(n), n_resamples, seed).astype(float)
    rate = b / n
    rows = []
    for lo, hi in attempt_buckets(acc.shape[1]):
        a_t, f_t = acc[:, lo - 1:hi].sum(axis=1), fp[:, lo - 1:hi].sum(axis=1)
        if a_t.sum() <= 0:
            continue
        a_w, f_w = w @ a_t, w @ f_t
        ok = a_w > 0
        ci = percentile_interval(f_w[ok] / a_w[ok], confidence)
        rows.append({"attempts": f"{lo}" if lo == hi else f"{lo}-{hi}", "first": lo, "last": hi,
                     "accepted": float(a_t.sum()), "false_positives": float(f_t.sum()),
                     "fp_share": float(f_t.sum() / a_t.sum()), "ci_low": ci[0], "ci_high": ci[1],
                     "mean_base_rate": float((a_t * rate).sum() / a_t.sum())})
    return pd.DataFrame(rows)


__all__ += ["KOpt", "k_opt_label", "k_opt_interval_label", "censored_median", "k_opt_bootstrap", "accepted_by_attempt",
            "attempt_buckets", "fp_share_by_attempt"]


def task_samples(outcomes: pd.DataFrame, counts: pd.DataFrame) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per-sample ``(passes_base, correct)`` arrays for :func:`monte_carlo_curve`, one pair per row
    of ``counts`` (one group's per-task counts, in that order), samples in ``sample_index`` order."""
    keys = ["benchmark", "model", "prompt_style", "task_id"]
    o = outcomes.sort_values(keys + ["sample_index"], kind="stable")
    base = o["base_status"].eq("pass").to_numpy()
    correct = base & o["plus_status"].eq("pass").to_numpy()
    index = {k: rows for k, rows in o.groupby(keys, sort=False).indices.items()}
    out = []
    for key in map(tuple, counts[keys].to_numpy()):
        rows = index.get(key)
        if rows is None:
            raise KeyError(f"no samples for {key}")
        out.append((base[rows], correct[rows]))
    return out


# ----------------------------------------------------------------------------------------------
# Reachable accuracy
# ----------------------------------------------------------------------------------------------
#
# The accuracy that "resample until a program passes the base tests, at most K attempts, abstain
# otherwise" actually delivers: per task the probability that the accepted program is correct,
# with tasks where nothing passes base (or nothing is found within K draws) counting 0. It is the
# exact expected reward above at cost ratio r = 0, so it reuses ``expected_reward`` /
# ``mean_reward_curve``:
#
#     reachable(K) = P(found within K) * c/b      (0 when b = 0).
#
# At K = 1 it is the single-sample accuracy c/n; at K >= n (every sample drawn if needed) it is
# c/b for tasks with b > 0 and 0 otherwise. Conditional accuracy, the paper's "ceiling", is the
# mean of c/b over the tasks with b > 0 only, so it is an upper bound of reachable(n) and rises as
# tasks drop out. Drawing K times without replacement from a random subset of m >= K of the n
# samples is the same experiment as drawing K times from all n, so reachable(K) computed on the
# full set equals the average over equal-n subsamples of size m >= K: no subsampling is needed to
# compare sets at a common budget.

def reachable_accuracy(n, b, c, ks) -> np.ndarray:
    """Per task, the expected accuracy of resampling with budget K; shape (tasks, len(ks))."""
    return expected_reward(n, b, c, ks, [0.0])[0]


def mean_reachable_accuracy(n, b, c, ks) -> np.ndarray:
    """Mean over tasks of :func:`reachable_accuracy`; shape (len(ks),)."""
    return mean_reward_curve(n, b, c, ks, [0.0])[0]


def reachable_accuracy_limit(b, c) -> np.ndarray:
    """Per task, the K = n limit: c/b where b > 0, 0 otherwise (every sample drawn if needed)."""
    return value_if_found(b, c, [0.0])[0]


def reachable_accuracy_budgets(n_max: int, ks=(1, 2, 5, 10, 20, 50, 100, 200)) -> list[int]:
    """The budgets a report shows: ``ks`` up to ``n_max`` and ``n_max`` itself, sorted."""
    return sorted({int(k) for k in ks if 1 <= k <= n_max} | {int(n_max)})


def reachable_accuracy_table(counts: pd.DataFrame, ks, by=("benchmark", "model", "prompt_style"),
                             seed: int = 0, confidence: float = 0.95,
                             n_resamples: int = 2000) -> pd.DataFrame:
    """Reachable accuracy per group and budget with a task-bootstrap interval.

    ``ks`` may contain the string ``"n"``: the group's largest n. Columns: ``by`` + k, k_label
    (the entry of ``ks``), n_max, reachable_accuracy, low, high. Every group and budget uses a
    generator seeded with ``seed``, so equal budgets get equal intervals."""
    from .stats import bootstrap_mean

    rows = []
    for key, g in counts.groupby(list(by), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        n, b, c = _group_arrays(g)
        n_max = int(n.max())
        budgets = [n_max if k == "n" else int(k) for k in ks]
        per_task = reachable_accuracy(n, b, c, budgets)
        for j, (label, k) in enumerate(zip(ks, budgets)):  # the same task draws for every budget
            lo, hi = bootstrap_mean(per_task[:, j], np.random.default_rng(seed), confidence, n_resamples)
            rows.append({**dict(zip(by, key)), "k": k, "k_label": str(label), "n_max": n_max,
                         "reachable_accuracy": float(per_task[:, j].mean()), "low": lo, "high": hi})
    return pd.DataFrame(rows)


__all__ += ["reachable_accuracy", "mean_reachable_accuracy", "reachable_accuracy_limit",
            "reachable_accuracy_budgets", "reachable_accuracy_table"]


def ceiling_by_samples(n, b, c, ms, draws: int = 200, seed: int = 0, n_resamples: int = 2000,
                       confidence: float = 0.95) -> pd.DataFrame:
    """How the two ceilings of one configuration move with the samples per task m.

    For each m in ``ms``: the conditional accuracy it would show with m samples per task (mean
    over ``draws`` seeded subsamples, :func:`flaws.metrics.conditional_accuracy_at_n`) and the
    reachable accuracy at K = m with its task-bootstrap interval (exact; equal to the average over
    m-subsamples of their K = m limit). Columns: m, conditional_accuracy, reachable_accuracy,
    reachable_low, reachable_high."""
    from .metrics import conditional_accuracy_at_n
    from .stats import bootstrap_mean

    n, b, c = _as_counts(n, b, c)
    per_task = reachable_accuracy(n, b, c, ms)
    rng = np.random.default_rng(seed)
    rows = []
    for j, m in enumerate(ms):
        lo, hi = bootstrap_mean(per_task[:, j], rng, confidence, n_resamples)
        rows.append({"m": int(m), "conditional_accuracy": conditional_accuracy_at_n(n, b, c, int(m), draws, seed),
                     "reachable_accuracy": float(per_task[:, j].mean()), "reachable_low": lo, "reachable_high": hi})
    return pd.DataFrame(rows)


__all__ += ["ceiling_by_samples"]
