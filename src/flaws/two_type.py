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

    K_opt is the smallest budget reaching the column maximum (ties within 1e-12), and 0 when
    that maximum is negative (the maximum is still returned, as in the paper's K_opt table).
    """
    K = np.asarray(budgets).reshape(-1)
    rewards = np.asarray(rewards, dtype=float)
    if rewards.shape[0] != K.size:
        raise ValueError("rewards must have one row per budget")
    best = rewards.max(axis=0)
    first = np.argmax(rewards >= best[None, :] - 1e-12, axis=0)
    kopt = K[first].astype(np.int64)
    kopt = np.where(best < 0, 0, kopt)
    return kopt, best


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

    Columns: ``model``, ``cost_ratio``, ``k_opt``, ``max_reward``, ``unbounded``.
    ``unbounded`` is True when attempt ``k_max + 1`` would still add expected reward: the reward
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
        rising = marginal_reward(m, k_max + 1, cost_ratios, notebook=notebook) > 0
        for j, ratio in enumerate(np.asarray(cost_ratios, dtype=float).reshape(-1)):
            k, v = int(kopt[j]), float(best[j])
            if rising[j]:
                k, v = int(k_max), float(rewards[-1, j])
            rows.append({"model": name, "cost_ratio": float(ratio), "k_opt": k, "max_reward": v, "unbounded": bool(rising[j])})
    return pd.DataFrame(rows, columns=["model", "cost_ratio", "k_opt", "max_reward", "unbounded"])


def estimate_parameters(counts: pd.DataFrame, threshold: float = 0.5) -> dict[str, float]:
    """The paper's parameter estimates from one model's per-task counts.

    ``counts`` has one row per task with columns ``n``, ``base_passes`` and ``correct``
    (:func:`flaws.metrics.task_counts` for one group). Returns r1, r2, p1, p2, s, c and the
    ingredients: n_tasks, n_easy, mean_base_rate, mean_accuracy, mean_conditional_accuracy.
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
        s = float("nan")  # no incorrect samples: soundness is not identified
    else:
        s = (1.0 - b_mean - a_mean + q_mean * b_mean) / (1.0 - a_mean)
    return {
        "r1": float(acc[easy].mean()) if easy.any() else float("nan"),
        "r2": float(acc[~easy].mean()) if (~easy).any() else float("nan"),
        "p1": float(easy.mean()),
        "p2": float(1.0 - easy.mean()),
        "s": float(s),
        "c": 1.0,
        "n_tasks": int(len(n)),
        "n_easy": int(easy.sum()),
        "mean_base_rate": b_mean,
        "mean_accuracy": a_mean,
        "mean_conditional_accuracy": q_mean,
    }


def model_from_estimates(est: dict[str, float]) -> TwoTypeModel:
    """A :class:`TwoTypeModel` from :func:`estimate_parameters` output (missing r -> 0, s clipped to [0, 1])."""
    r1 = 0.0 if np.isnan(est["r1"]) else est["r1"]
    r2 = 0.0 if np.isnan(est["r2"]) else est["r2"]
    s = float(np.clip(est["s"], 0.0, 1.0)) if not np.isnan(est["s"]) else 1.0
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
