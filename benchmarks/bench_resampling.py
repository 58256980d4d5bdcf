"""Exact scaling curves vs the paper's Monte Carlo procedure, on the committed outcomes.

For every model and prompt style (false-negative filter applied, as in the analysis) this
computes the mean reward curve for all cost ratios of the paper's heatmap and budgets
K = 1..max n, once exactly (closed form, all configurations in one vectorized pass,
:func:`flaws.resampling.mean_reward_curves`) and once by the paper's simulation (1000 random
orders per task, :func:`flaws.resampling.monte_carlo_curve`, numpy-vectorized over the
simulations of a task, which makes the comparison conservative). It prints both times, their ratio (target:
exact at least 1000x faster) and the largest difference between the two curves.

Usage: python benchmarks/bench_resampling.py [--outcomes data/processed/outcomes.csv.gz]
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from tqdm import tqdm

from flaws import metrics, resampling


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outcomes", default=None, help="outcomes table (default: the committed one)")
    parser.add_argument("--sims", type=int, default=1000, help="Monte Carlo orders per task (paper: 1000)")
    parser.add_argument("--repeat", type=int, default=20, help="repetitions of the exact computation")
    args = parser.parse_args(argv)
    try:
        outcomes = metrics.load_outcomes(args.outcomes)
    except FileNotFoundError as exc:
        print(f"bench_resampling: {exc}. This benchmark measures real outcomes only; run the "
              "execution stage first.", file=sys.stderr)
        return 2
    counts = metrics.task_counts(outcomes)
    removed = metrics.false_negative_tasks(counts)
    counts = metrics.apply_task_filter(counts, removed)
    configs = counts[["benchmark", "model", "prompt_style"]].drop_duplicates().reset_index(drop=True)
    label = {tuple(k): i for i, k in enumerate(configs.to_numpy())}
    group = np.array([label[tuple(k)] for k in counts[["benchmark", "model", "prompt_style"]].to_numpy()])
    n, b, c = counts.n.to_numpy(), counts.base_passes.to_numpy(), counts.correct.to_numpy()
    rs = np.asarray(resampling.COST_RATIOS)
    ks = np.arange(1, int(n.max()) + 1)
    print(f"{len(configs)} model/prompt configurations, {len(counts)} (configuration, task) pairs, "
          f"{len(rs)} cost ratios, budgets K = 1..{ks[-1]}")

    # exact: all configurations, cost ratios and budgets in one vectorized pass
    start = time.perf_counter()
    for _ in range(args.repeat):
        exact = resampling.mean_reward_curves(n, b, c, group, ks, rs)
    t_exact = (time.perf_counter() - start) / args.repeat

    # the paper's procedure: 1000 random orders per task, configuration by configuration
    # (per-sample arrays prepared outside the timed region)
    samples = [resampling.task_samples(outcomes, counts[group == i]) for i in range(len(configs))]
    start = time.perf_counter()
    mc = [resampling.monte_carlo_curve(samples[i], ks, rs, n_sims=args.sims, seed=0)
          for i in tqdm(range(len(configs)), desc="Monte Carlo", file=sys.stderr)]
    t_mc = time.perf_counter() - start

    print(f"exact (closed form):       {t_exact * 1e3:10.3f} ms  (mean of {args.repeat} runs)")
    print(f"Monte Carlo ({args.sims} orders): {t_mc * 1e3:10.1f} ms  (numpy-vectorized per task)")
    print(f"speed ratio:               {t_mc / t_exact:10.0f}x  (target >= 1000x)")
    diff = max(float(np.abs(exact[i] - mc[i]).max()) for i in range(len(configs)))
    print(f"largest |Monte Carlo - exact| over configurations, cost ratios and budgets: {diff:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
