"""The paper's two-type model of resampling with an imperfect verifier (section 4).

Tasks are of two types: easy (type 1, prior p1) and hard (type 2, prior p2 = 1 - p1). On a task
of type i a fresh sample is correct with probability r_i. The verifier accepts every correct
sample with probability c (completeness; c = 1 for unit tests) and rejects an incorrect sample
with probability s (soundness). One attempt therefore ends in one of three ways:

* ``p_correct_i = c r_i``          the verifier accepts a correct sample (reward +1);
* ``p_fluke_i = (1 - r_i)(1 - s)`` the verifier accepts an incorrect sample, a false positive
  (reward -r, with r the *cost ratio* of a false positive to a correct answer);
* ``beta_i = (1 - c) r_i + s (1 - r_i)`` the verifier rejects the sample: resample.

These are the definitions of the authors' notebook (``limits_to_inference_scaling_model.ipynb``);
in particular ``beta`` is the probability of a *rejection*, not of an acceptance, and
``p_correct``/``p_fluke`` are per-attempt joint probabilities (they sum with ``beta`` to 1).
They reproduce the printed values exactly (``tests/test_two_type.py``).

After k - 1 rejections the belief that the task is of type i is

    P(type i | k - 1 rejections) = p_i beta_i^(k-1) / sum_j p_j beta_j^(k-1).

With a budget of K attempts (stop at the first acceptance), the exact expected reward is

    E[R(K)] = sum_{k=1..K} sum_i p_i beta_i^(k-1) (p_correct_i - r p_fluke_i)
            = sum_i p_i (p_correct_i - r p_fluke_i) (1 - beta_i^K) / (1 - beta_i),

i.e. the chance of reaching attempt k (sum_i p_i beta_i^(k-1)) times the belief-weighted reward
of attempt k. The authors' notebook multiplies the belief-weighted reward by
``sum_i belief_i(k) beta_i^(k-1)`` instead (beliefs where the priors belong);
:func:`expected_reward_notebook` reproduces that curve, labelled as such, so that both can be
shown. K_opt is the smallest K reaching the maximum expected reward, and 0 when that maximum is
negative (not resampling at all earns 0).

Parameters are estimated from a model's per-task outcomes with the paper's rule
(``reported.json``, "parameter_estimates"): tasks whose accuracy (pass rate on base and plus) is
above 0.5 are easy; r1 and r2 are the mean accuracies of the easy and the hard tasks, p1 and p2
their shares; s = (1 - b - a + q b) / (1 - a), with b the mean base pass rate, a the mean
accuracy and q the mean conditional accuracy over the tasks where it is defined; c = 1.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from . import resampling

__all__ = [
    "TwoTypeModel",
    "beliefs",
    "expected_reward",
    "expected_reward_notebook",
    "k_opt",
    "k_opt_table",
    "marginal_reward",
    "estimate_parameters",
    "estimate_all",
    "HEATMAP_COST_RATIOS",
]

#: Cost ratios of the paper's two-type heatmap (``reported.json``, "cost_ratios_of_the_heatmap").
HEATMAP_COST_RATIOS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 2.0, 4.0, 10.0)

#: Rewards added by one attempt below this are floating-point dust (denormal numbers): they
#: neither make a curve "still rising" nor count as a sign.
UNDERFLOW = 1e-300


@dataclass(frozen=True)
class TwoTypeModel:
    """Parameters of the two-type model; ``p2`` is ``1 - p1``."""

    r1: float
    r2: float
    p1: float
    s: float
    c: float = 1.0

    def __post_init__(self):
        for name in ("r1", "r2", "p1", "s", "c"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float, np.floating)) and 0.0 <= float(v) <= 1.0):
                raise ValueError(f"{name} = {v!r} must be a probability in [0, 1]")

    @property
    def p2(self) -> float:
        return 1.0 - self.p1

    @property
    def priors(self) -> np.ndarray:
        return np.array([self.p1, self.p2])

    @property
    def r(self) -> np.ndarray:
        return np.array([self.r1, self.r2])

    @property
    def beta(self) -> np.ndarray:
        """P(the verifier rejects a sample | type i), for i = 1, 2."""
        r = self.r
        return (1.0 - self.c) * r + self.s * (1.0 - r)

    @property
    def p_correct(self) -> np.ndarray:
        """P(a sample is correct and accepted | type i)."""
        return self.c * self.r

    @property
    def p_fluke(self) -> np.ndarray:
        """P(a sample is incorrect and accepted, a false positive | type i)."""
        return (1.0 - self.r) * (1.0 - self.s)

    def derived(self) -> dict[str, float]:
        """beta_1, beta_2, p_correct_1, p_correct_2, p_fluke_1, p_fluke_2 (the notebook's printout)."""
        out = {}
        for name in ("beta", "p_correct", "p_fluke"):
            v = getattr(self, name)
            out[f"{name}_1"], out[f"{name}_2"] = float(v[0]), float(v[1])
        return out

    def as_dict(self) -> dict[str, float]:
        return {**asdict(self), "p2": self.p2}


def _ks(k_values) -> np.ndarray:
    k = np.asarray(k_values, dtype=np.int64).reshape(-1)
    if (k < 1).any():
        raise ValueError("attempt numbers k must be >= 1")
    return k


def beliefs(model: TwoTypeModel, k_values) -> np.ndarray:
    """Belief in each type before attempt k (after k - 1 rejections): array of shape (len(k), 2)."""
    k = _ks(k_values)
    # log-space weights log p_i + (k - 1) log beta_i avoid underflow; 0 * log 0 counts as 0
    with np.errstate(divide="ignore", invalid="ignore"):
        logb = np.log(model.beta)
        logp = np.log(model.priors)
        steps = (k - 1)[:, None]
        logw = logp[None, :] + np.where(steps == 0, 0.0, steps * logb[None, :])
    m = logw.max(axis=1, keepdims=True)
    if not np.all(np.isfinite(m)):
        raise ValueError("beliefs undefined: no task type can be rejected k - 1 times")
    w = np.exp(logw - m)
    return w / w.sum(axis=1, keepdims=True)


def expected_reward(model: TwoTypeModel, budgets, cost_ratios) -> np.ndarray:
    """Exact expected reward for each budget K (rows) and cost ratio r (columns).

    A false positive earns ``-r``, a correct accepted answer 1, and exhausting the budget 0.
    ``budgets`` may contain 0 (reward 0).
    """
    K = np.asarray(budgets, dtype=np.int64).reshape(-1)
    if (K < 0).any():
        raise ValueError("budgets must be >= 0")
    r = np.asarray(cost_ratios, dtype=float).reshape(-1)
    b = model.beta
    # sum_{k=1..K} beta^(k-1) = (1 - beta^K) / (1 - beta), = K when beta = 1
    geo = np.where(b[None, :] < 1.0, (1.0 - b[None, :] ** K[:, None]) / np.where(b < 1.0, 1.0 - b, 1.0)[None, :], K[:, None])
    gain = model.priors * model.p_correct  # (2,)
    loss = model.priors * model.p_fluke
    return geo @ gain[:, None] - (geo @ loss[:, None]) * r[None, :]


def expected_reward_notebook(model: TwoTypeModel, budgets, cost_ratios) -> np.ndarray:
    """The authors' notebook curve: beliefs used in place of priors for the chance of reaching k.

    E_nb(K) = sum_{k=1..K} [sum_i b_i(k)(p_correct_i - r p_fluke_i)] [sum_i b_i(k) beta_i^(k-1)],
    with b_i(k) the belief before attempt k. Same shape conventions as :func:`expected_reward`.
    """
    K = np.asarray(budgets, dtype=np.int64).reshape(-1)
    if (K < 0).any():
        raise ValueError("budgets must be >= 0")
    r = np.asarray(cost_ratios, dtype=float).reshape(-1)
    kmax = int(K.max()) if K.size else 0
    if kmax == 0:
        return np.zeros((K.size, r.size))
    k = np.arange(1, kmax + 1)
    bel = beliefs(model, k)  # (kmax, 2)
    reach = (bel * model.beta[None, :] ** (k[:, None] - 1)).sum(axis=1)  # (kmax,)
    per = (bel @ model.p_correct)[:, None] - (bel @ model.p_fluke)[:, None] * r[None, :]
    cum = np.vstack([np.zeros((1, r.size)), np.cumsum(per * reach[:, None], axis=0)])
    return cum[K]


def k_opt(rewards: np.ndarray, budgets) -> tuple[np.ndarray, np.ndarray]:
    """K_opt and the maximum reward for each column of ``rewards`` (rows = ``budgets``).

    The rule of :func:`flaws.resampling.k_opt` (one K_opt for the whole book), on this module's
    orientation (budgets down, cost ratios across): the smallest budget within
    :data:`~flaws.resampling.TIE_TOLERANCE` of the column maximum, and 0 when that maximum is
    negative (the maximum is still returned, as in the paper's K_opt table).
    """
    K = np.asarray(budgets).reshape(-1)
    rewards = np.asarray(rewards, dtype=float)
    if rewards.ndim != 2 or rewards.shape[0] != K.size:
        raise ValueError("rewards must have one row per budget")
    found = resampling.k_opt(rewards.T, K)
    return found.k_opt, found.max_reward


def marginal_reward(model: TwoTypeModel, k: int, cost_ratios, notebook: bool = False) -> np.ndarray:
    """Expected reward added by attempt ``k`` (the k-th term of the sum), per cost ratio.

    The exact term is sum_i p_i beta_i^(k-1) (p_correct_i - r p_fluke_i); with
    ``notebook=True`` the term of :func:`expected_reward_notebook`. Its sign after the last
    budget tells whether the reward is still rising there.
    """
    r = np.asarray(cost_ratios, dtype=float).reshape(-1)
    k = int(k)
    if k < 1:
        raise ValueError("k must be >= 1")
    if notebook:
        bel = beliefs(model, [k])[0]
        reach = float((bel * model.beta ** (k - 1)).sum())
        return (bel @ model.p_correct - (bel @ model.p_fluke) * r) * reach
    w = model.priors * model.beta ** (k - 1)
    return w @ model.p_correct - (w @ model.p_fluke) * r


def k_opt_table(
    models: dict[str, TwoTypeModel],
    cost_ratios=HEATMAP_COST_RATIOS,
    k_max: int = 200,
    notebook: bool = False,
) -> pd.DataFrame:
    """K_opt of every model for every cost ratio, budgets 1..``k_max`` (long format).

    Columns: ``model``, ``cost_ratio``, ``k_opt``, ``max_reward``, ``unbounded``, ``censored``
    (K_opt is ``k_max``: the optimum is ``k_max`` or more, printed "≥ k_max").
    ``unbounded`` is True when attempt ``k_max + 1`` would still add expected reward (more than
    :data:`UNDERFLOW`, below which floating point has run out): the reward
    rises with every attempt (it does whenever both types' accepted samples are worth more than
    they cost), so the optimal budget is "as many as allowed"; ``k_opt`` is then ``k_max`` and
    ``max_reward`` the reward at ``k_max``. ``notebook=True`` uses
    :func:`expected_reward_notebook` instead of the exact reward.
    """
    budgets = np.arange(1, k_max + 1)
    rows = []
    fn = expected_reward_notebook if notebook else expected_reward
    for name, m in models.items():
        rewards = fn(m, budgets, cost_ratios)
        kopt, best = k_opt(rewards, budgets)
        rising = marginal_reward(m, k_max + 1, cost_ratios, notebook=notebook) > UNDERFLOW
        for j, ratio in enumerate(np.asarray(cost_ratios, dtype=float).reshape(-1)):
            k, v = int(kopt[j]), float(best[j])
            if rising[j]:
                k, v = int(k_max), float(rewards[-1, j])
            rows.append({"model": name, "cost_ratio": float(ratio), "k_opt": k, "max_reward": v,
                         "unbounded": bool(rising[j]), "censored": bool(k >= k_max)})
    return pd.DataFrame(rows, columns=["model", "cost_ratio", "k_opt", "max_reward", "unbounded", "censored"])


def estimate_parameters(counts: pd.DataFrame, threshold: float = 0.5) -> dict[str, float]:
    """The paper's parameter estimates from one model's per-task counts.

    ``counts`` has one row per task with columns ``n``, ``base_passes`` and ``correct``
    (:func:`flaws.metrics.task_counts` for one group). Returns r1, r2, p1, p2, s, c and the
    ingredients: n_tasks, n_easy, mean_base_rate, mean_accuracy, mean_conditional_accuracy.
    ``s_moment`` is the moment-consistent soundness (1 - b)/(1 - a): with c = 1 a sample passes
    base with probability r + (1 - r)(1 - s), so the mean base pass rate is
    b = a + (1 - a)(1 - s). The paper's ``s`` replaces the mean false-positive rate b - a by
    b (1 - q), a product of task means, which equals it only when base pass rate and conditional
    accuracy are uncorrelated over tasks.
    A task is easy when its accuracy (correct / n) is above ``threshold``. When every task falls
    in one type the other type's r is NaN (with prior 0).
    """
    for col in ("n", "base_passes", "correct"):
        if col not in counts.columns:
            raise ValueError(f"counts table lacks column {col!r}")
    if len(counts) == 0:
        raise ValueError("no tasks to estimate from")
    n = counts["n"].to_numpy(dtype=float)
    b = counts["base_passes"].to_numpy(dtype=float)
    c = counts["correct"].to_numpy(dtype=float)
    if (n <= 0).any() or (b > n).any() or (c > b).any() or (c < 0).any():
        raise ValueError("inconsistent counts: need 0 <= correct <= base_passes <= n and n > 0")
    acc = c / n
    base_rate = b / n
    defined = b > 0
    easy = acc > threshold
    a_mean = float(acc.mean())
    b_mean = float(base_rate.mean())
    q_mean = float((c[defined] / b[defined]).mean()) if defined.any() else float("nan")
    if a_mean >= 1.0:
        s = s_moment = float("nan")  # no incorrect samples: soundness is not identified
    else:
        s = (1.0 - b_mean - a_mean + q_mean * b_mean) / (1.0 - a_mean)
        s_moment = (1.0 - b_mean) / (1.0 - a_mean)
    return {
        "r1": float(acc[easy].mean()) if easy.any() else float("nan"),
        "r2": float(acc[~easy].mean()) if (~easy).any() else float("nan"),
        "p1": float(easy.mean()),
        "p2": float(1.0 - easy.mean()),
        "s": float(s),
        "s_moment": float(s_moment),
        "c": 1.0,
        "n_tasks": int(len(n)),
        "n_easy": int(easy.sum()),
        "mean_base_rate": b_mean,
        "mean_accuracy": a_mean,
        "mean_conditional_accuracy": q_mean,
    }


def model_from_estimates(est: dict[str, float], soundness: str = "paper") -> TwoTypeModel:
    """A :class:`TwoTypeModel` from :func:`estimate_parameters` output (missing r -> 0, s clipped
    to [0, 1]); ``soundness="moment"`` uses ``s_moment`` instead of the paper's ``s``."""
    if soundness not in ("paper", "moment"):
        raise ValueError(f"soundness must be 'paper' or 'moment', not {soundness!r}")
    r1 = 0.0 if np.isnan(est["r1"]) else est["r1"]
    r2 = 0.0 if np.isnan(est["r2"]) else est["r2"]
    s_raw = est["s"] if soundness == "paper" else est["s_moment"]
    s = float(np.clip(s_raw, 0.0, 1.0)) if not np.isnan(s_raw) else 1.0
    return TwoTypeModel(r1=r1, r2=r2, p1=est["p1"], s=s, c=est.get("c", 1.0))


def estimate_all(counts: pd.DataFrame, by=("benchmark", "model", "prompt_style"), threshold: float = 0.5) -> pd.DataFrame:
    """:func:`estimate_parameters` for every group of a counts table, plus the derived beta/p_correct/p_fluke."""
    rows = []
    for key, g in counts.groupby(list(by), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        est = estimate_parameters(g, threshold=threshold)
        derived = model_from_estimates(est).derived()
        rows.append({**dict(zip(by, key)), **est, **derived})
    return pd.DataFrame(rows)


__all__.append("model_from_estimates")


# --- Diagnostics: does the fitted model describe the data it was fitted to? ----------------------


def accepted_by_attempt(model: TwoTypeModel, k_max: int) -> tuple[np.ndarray, np.ndarray]:
    """P(the program accepted is the k-th attempt) and P(it is, and is a false positive), for
    k = 1..k_max: ``sum_i p_i beta_i^(k-1) (p_correct_i + p_fluke_i)`` and
    ``sum_i p_i beta_i^(k-1) p_fluke_i``; two arrays of length k_max (the model's counterpart of
    :func:`flaws.resampling.accepted_by_attempt`)."""
    k = np.arange(1, int(k_max) + 1)
    with np.errstate(invalid="ignore"):
        reach = model.priors[None, :] * np.where(k[:, None] == 1, 1.0, model.beta[None, :] ** (k[:, None] - 1))
    return reach @ (model.p_correct + model.p_fluke), reach @ model.p_fluke


def fp_share_diagnostics(counts: pd.DataFrame, by=("benchmark", "model", "prompt_style"),
                         threshold: float = 0.5) -> pd.DataFrame:
    """Observed vs fitted share of false positives among accepted programs, per group.

    For each group: at the first attempt and within a budget of n attempts (n = the group's
    samples per task; one resampling run per task), the observed share (exact, without
    replacement, :func:`flaws.resampling.accepted_by_attempt`) and the share implied by the fitted
    two-type model with the paper's soundness and with the moment-consistent one. Columns: ``by``
    + n, observed_k1, paper_k1, moment_k1, observed_kn, paper_kn, moment_kn."""
    from . import resampling

    rows = []
    for key, g in counts.groupby(list(by), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        n, b, c = g["n"].to_numpy(), g["base_passes"].to_numpy(), g["correct"].to_numpy()
        kmax = int(n.max())
        acc, fp = resampling.accepted_by_attempt(n, b, c, kmax)
        acc, fp = acc.sum(axis=0), fp.sum(axis=0)
        row = {**dict(zip(by, key)), "n": kmax, "observed_k1": fp[0] / acc[0],
               "observed_kn": fp.sum() / acc.sum()}
        est = estimate_parameters(g, threshold=threshold)
        for which in ("paper", "moment"):
            a, f = accepted_by_attempt(model_from_estimates(est, soundness=which), kmax)
            row[f"{which}_k1"], row[f"{which}_kn"] = f[0] / a[0], f.sum() / a.sum()
        rows.append(row)
    cols = list(by) + ["n", "observed_k1", "paper_k1", "moment_k1", "observed_kn", "paper_kn", "moment_kn"]
    return pd.DataFrame(rows)[cols]


def compare_k_opt(k_model, censored_model, k_data, censored_data) -> np.ndarray:
    """Classify cells of two K_opt grids: "both censored" (both at their cap: no evidence either
    way), "agree" (both uncensored and equal), "differ" (both uncensored, different), "one
    censored" (one at its cap, the other below it: they differ)."""
    km, kd = np.asarray(k_model), np.asarray(k_data)
    cm, cd = np.asarray(censored_model, bool), np.asarray(censored_data, bool)
    out = np.where(cm & cd, "both censored",
                   np.where(cm | cd, "one censored", np.where(km == kd, "agree", "differ")))
    return out.astype(object)


def _increments(params: np.ndarray, ratios: np.ndarray, k_max: int):
    """Reward added by attempts 1..k_max+1 under the exact formula and the notebook's, for many
    parameter rows (r1, r2, p1, s; c = 1) at once: two arrays (draws, k_max + 1, ratios)."""
    r = params[:, :2]
    pri = np.stack([params[:, 2], 1.0 - params[:, 2]], axis=1)
    s = params[:, 3:4]
    beta, pc, pf = s * (1.0 - r), r, (1.0 - r) * (1.0 - s)
    steps = np.arange(k_max + 1, dtype=float)[None, :, None]
    with np.errstate(divide="ignore"):
        logw = np.log(pri)[:, None, :] + np.where(steps == 0, 0.0, steps * np.log(beta)[:, None, :])
    w = np.exp(logw)  # p_i beta_i^(k-1)
    bel = np.exp(logw - logw.max(axis=2, keepdims=True))
    bel /= bel.sum(axis=2, keepdims=True)
    reach_nb = (bel * np.exp(np.where(steps == 0, 0.0, steps * np.log(beta)[:, None, :]))).sum(axis=2)
    gain, loss = w @ pc[:, :, None], w @ pf[:, :, None]  # (draws, k, 1)
    exact = gain - loss * ratios[None, None, :]
    per = np.einsum("dki,di->dk", bel, pc)[:, :, None] - np.einsum("dki,di->dk", bel, pf)[:, :, None] * ratios
    return exact, per * reach_nb[:, :, None]


def _k_opt_rule(inc: np.ndarray, k_max: int) -> np.ndarray:
    """:func:`k_opt_table`'s rule on increments (draws, k_max + 1, ratios)."""
    curve = np.cumsum(inc[:, :k_max, :], axis=1)
    best = curve.max(axis=1)
    first = np.argmax(curve >= best[:, None, :] - resampling.TIE_TOLERANCE, axis=1) + 1
    k = np.where(best < 0, 0, first)
    return np.where(inc[:, k_max, :] > UNDERFLOW, k_max, k)


def k_opt_formula_check(n_draws: int = 10_000, seed: int = 0, k_max: int = 200,
                        cost_ratios=HEATMAP_COST_RATIOS, chunk: int = 500) -> dict:
    """Do the exact reward and the authors' notebook formula give the same K_opt?

    Draws ``n_draws`` parameter sets (r1, r2, p1, s uniform on [0, 1], c = 1; seeded) and, for
    every cost ratio, compares (a) the sign of the reward added by each attempt 1..k_max+1 under
    the two formulas and (b) K_opt over budgets 1..k_max by the rule of :func:`k_opt_table` (the
    smallest budget within 1e-12 of the maximum; 0 when it is negative; k_max when attempt
    k_max + 1 still adds reward). Both formulas add, at attempt k, the belief-weighted reward of
    that attempt times a positive factor (the chance of reaching it, with priors or with
    beliefs), so (a) should hold everywhere and the curves rise and fall at the same attempts.
    Returns n_draws, n_cells, n_same_sign (cells where every increment has the same sign;
    increments below :data:`UNDERFLOW` in both, where floating point runs out, are not compared),
    n_same (cells with the same K_opt), n_differ_below_tolerance (differing cells where the exact
    curve adds less than 1e-12 per attempt between the two K_opt: a tie under the rule, not a
    different optimum) and the differing cells (a DataFrame)."""
    rng = np.random.default_rng(seed)
    params = rng.random((n_draws, 4))  # r1, r2, p1, s
    ratios = np.asarray(cost_ratios, dtype=float).reshape(-1)
    n_sign = n_same = n_tiny = 0
    rows = []
    for start in range(0, n_draws, chunk):
        p = params[start:start + chunk]
        exact, nb = _increments(p, ratios, k_max)
        underflow = np.maximum(np.abs(exact), np.abs(nb)) < UNDERFLOW
        n_sign += int(((np.sign(exact) == np.sign(nb)) | underflow).all(axis=1).sum())
        ke, kn = _k_opt_rule(exact, k_max), _k_opt_rule(nb, k_max)
        same = ke == kn
        n_same += int(same.sum())
        for d, j in zip(*np.nonzero(~same)):
            lo, hi = sorted((int(ke[d, j]), int(kn[d, j])))
            added = float(np.abs(exact[d, lo:hi, j]).sum()) if lo > 0 else float("inf")
            n_tiny += added < 1e-12
            rows.append({"r1": p[d, 0], "r2": p[d, 1], "p1": p[d, 2], "s": p[d, 3],
                         "cost_ratio": ratios[j], "k_opt_exact": int(ke[d, j]),
                         "k_opt_notebook": int(kn[d, j]), "reward_between": added})
    return {"n_draws": n_draws, "n_cells": n_draws * ratios.size, "n_same_sign": n_sign,
            "n_same": n_same, "n_differ_below_tolerance": n_tiny,
            "differ": pd.DataFrame(rows, columns=["r1", "r2", "p1", "s", "cost_ratio", "k_opt_exact",
                                                  "k_opt_notebook", "reward_between"])}


__all__ += ["accepted_by_attempt", "fp_share_diagnostics", "compare_k_opt", "k_opt_formula_check"]
