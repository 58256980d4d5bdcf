"""External validity: the resampling ceiling on the EvalPlus leaderboard (greedy pass@1).

The EvalPlus leaderboard (source ``evalplus-leaderboard``, file ``results.json``) lists, for each
model, greedy-decoding pass@1 in percent on HumanEval, HumanEval+, MBPP and MBPP+. With greedy
decoding a model produces one program per task, so per-task conditional accuracy is 0, 1 or
undefined; the only conditional accuracy the leaderboard supports is the pooled one across
tasks:

    conditional accuracy = P(passes plus | passes base) = (plus pass@1) / (base pass@1),

because a leaderboard "plus" pass requires passing the base tests too (EvalPlus counts a
HumanEval+/MBPP+ pass only when both the base and the extra tests pass). *Accuracy* is the plus
pass@1 (the single-sample accuracy of the paper), and the false positive rate is
1 - conditional accuracy.

:func:`parse_leaderboard` validates the file and raises :class:`LeaderboardError` naming the file,
the line and the problem; :func:`ceiling_table` builds the per-model table for one benchmark;
:func:`fit_ceiling` fits conditional accuracy against accuracy with
:func:`flaws.correlation.fit_line`, the same way as the paper's Fig. 1a.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd

__all__ = [
    "SOURCE_ID",
    "FILE",
    "BENCHMARKS",
    "LeaderboardError",
    "parse_leaderboard",
    "load_leaderboard",
    "ceiling_table",
    "fit_ceiling",
    "PAPER_MODEL_MATCHES",
    "paper_comparison",
    "BENCHMARK_NAMES",
    "fit_table",
    "fit_glues",
    "robust_fits",
    "rounding_bound",
    "comparison_table",
]

#: how the book names the leaderboard's benchmarks, and the key of their glued values
BENCHMARK_NAMES = {"humaneval+": "HumanEval+", "mbpp+": "MBPP+"}
GLUE_KEYS = {"humaneval+": "he", "mbpp+": "mbpp"}

SOURCE_ID = "evalplus-leaderboard"
FILE = "results.json"
#: Benchmark name -> (leaderboard key of the base score, key of the plus score).
BENCHMARKS = {"humaneval+": ("humaneval", "humaneval+"), "mbpp+": ("mbpp", "mbpp+")}
_SCORE_KEYS = ("humaneval", "humaneval+", "mbpp", "mbpp+")
#: Column name in the parsed table for each leaderboard score key.
_COLUMN = {"humaneval": "humaneval", "humaneval+": "humaneval_plus", "mbpp": "mbpp", "mbpp+": "mbpp_plus"}


#: The paper's HumanEval+ models (``reported.json``) that the leaderboard also lists:
#: paper name -> (leaderboard name, exact match?). ``False`` marks a near match: another
#: checkpoint or version of the same model family (noted in ``PAPER_MATCH_NOTES``).
PAPER_MODEL_MATCHES = {
    "Code Llama 7B": ("CodeLlama-7B", True),
    "Code Llama 13B": ("CodeLlama-13B", True),
    "CodeGen 6B": ("CodeGen-6B", True),
    "CodeGen2 7B": ("CodeGen2-7B", True),
    "CodeT5+ 16B": ("CodeT5+-16B", True),
    "StarCoder": ("StarCoder-15B", True),
    "Vicuna 7B": ("Vicuna-7B", True),
    "Llama 3.1 8B": ("Llama3.1-8B-instruct", True),
    "GPT-4o": ("GPT 4o (Aug 2024)", False),
    "Mistral 7B": ("Mistral-7B", False),
    "Phi-3 Mini": ("Phi-3-mini-4k-instruct", False),
}
PAPER_MATCH_NOTES = {
    "GPT-4o": "the leaderboard lists the August 2024 snapshot; the paper does not name its snapshot",
    "Mistral 7B": "the paper does not say whether it used the base or an instruct checkpoint",
    "Phi-3 Mini": "the paper used the 128k-context instruct model, the leaderboard the 4k one",
}


class LeaderboardError(ValueError):
    """Malformed leaderboard file; the message names the file, the line and the problem."""


def _line_of(text: str, model: str) -> int:
    """1-based line of the first occurrence of ``model`` as a JSON key (1 when not found)."""
    needle = json.dumps(model) + ":"
    pos = text.find(needle)
    if pos < 0:
        needle = json.dumps(model)
        pos = text.find(needle)
    return text.count("\n", 0, pos) + 1 if pos >= 0 else 1


def parse_leaderboard(text: str, source: str = FILE) -> pd.DataFrame:
    """Parse the leaderboard JSON text into one row per model.

    Columns: ``model``, ``size`` (billions of parameters, NaN when not given), ``prompted``,
    ``open_data``, and the scores as fractions in [0, 1] (NaN when the leaderboard has null):
    ``humaneval``, ``humaneval_plus``, ``mbpp``, ``mbpp_plus``. Rows are sorted by model name.
    """
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LeaderboardError(f"{source}, line {exc.lineno}: not valid JSON ({exc.msg})") from exc
    if not isinstance(data, dict) or not data:
        raise LeaderboardError(f"{source}, line 1: expected a non-empty JSON object mapping model names to entries")
    rows = []
    for model, entry in data.items():
        where = f"{source}, line {_line_of(text, model)} (model {model!r})"
        if not isinstance(entry, dict):
            raise LeaderboardError(f"{where}: entry is {type(entry).__name__}, expected an object")
        scores = entry.get("pass@1")
        if not isinstance(scores, dict):
            raise LeaderboardError(f"{where}: missing 'pass@1' object")
        row = {"model": model}
        for key in _SCORE_KEYS:
            if key not in scores:
                raise LeaderboardError(f"{where}: 'pass@1' has no {key!r} score")
            value = scores[key]
            if value is None:
                row[_COLUMN[key]] = math.nan
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise LeaderboardError(f"{where}: pass@1 {key!r} is {value!r}, expected a number or null")
            if not 0 <= value <= 100:
                raise LeaderboardError(f"{where}: pass@1 {key!r} = {value} is outside [0, 100] (percent)")
            row[_COLUMN[key]] = float(value) / 100.0
        size = entry.get("size")
        if size is not None and (isinstance(size, bool) or not isinstance(size, (int, float))):
            raise LeaderboardError(f"{where}: 'size' is {size!r}, expected a number or null")
        row["size"] = math.nan if size is None else float(size)
        prompted = entry.get("prompted")
        if prompted is not None and not isinstance(prompted, bool):
            raise LeaderboardError(f"{where}: 'prompted' is {prompted!r}, expected true or false")
        row["prompted"] = prompted
        row["open_data"] = entry.get("open-data")
        rows.append(row)
    columns = ["model", "size", "prompted", "open_data", "humaneval", "humaneval_plus", "mbpp", "mbpp_plus"]
    return pd.DataFrame(rows, columns=columns).sort_values("model", kind="mergesort").reset_index(drop=True)


def load_leaderboard(path: str | Path | None = None) -> pd.DataFrame:
    """Read and parse the leaderboard file (default: the verified copy from :mod:`flaws.data`)."""
    if path is None:
        from flaws import data

        path = data.path(SOURCE_ID, FILE)
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise LeaderboardError(f"{path.name}, line 1: not UTF-8 text ({exc.reason})") from exc
    return parse_leaderboard(text, source=path.name)


def ceiling_table(table: pd.DataFrame, benchmark: str) -> pd.DataFrame:
    """Accuracy, conditional accuracy and false positive rate of every model scored on ``benchmark``.

    ``benchmark`` is ``"humaneval+"`` or ``"mbpp+"``. Models with a missing score or a base score
    of 0 (conditional accuracy undefined) are left out. Columns: ``model``, ``size``,
    ``prompted``, ``base_accuracy`` (base pass@1), ``accuracy`` (plus pass@1),
    ``conditional_accuracy`` (plus / base), ``false_positive_rate`` and ``plus_exceeds_base``
    (True when the plus score is above the base score, which a consistent leaderboard never
    shows: such rows have conditional accuracy above 1).
    """
    if benchmark not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {benchmark!r}; expected one of {sorted(BENCHMARKS)}")
    base_key, plus_key = BENCHMARKS[benchmark]
    base = table[_COLUMN[base_key]]
    plus = table[_COLUMN[plus_key]]
    keep = base.notna() & plus.notna() & (base > 0)
    out = pd.DataFrame(
        {
            "model": table.loc[keep, "model"],
            "size": table.loc[keep, "size"],
            "prompted": table.loc[keep, "prompted"],
            "base_accuracy": base[keep],
            "accuracy": plus[keep],
        }
    )
    out["conditional_accuracy"] = out["accuracy"] / out["base_accuracy"]
    out["false_positive_rate"] = 1.0 - out["conditional_accuracy"]
    out["plus_exceeds_base"] = out["accuracy"] > out["base_accuracy"]
    return out.sort_values(["accuracy", "model"], kind="mergesort").reset_index(drop=True)


def fit_ceiling(ceiling: pd.DataFrame, seed: int = 0) -> dict:
    """OLS fit of conditional accuracy on accuracy (paper Fig. 1a) with bootstrap intervals.

    Returns :func:`flaws.correlation.fit_line`'s dict plus ``strongest_accuracy`` (the highest
    single-sample accuracy on the board) and ``models_below_cutoff`` (how many models' ceilings,
    i.e. conditional accuracies, fall below it: resampling them with this verifier can never reach
    the strongest model's single-sample accuracy), and the Spearman rank correlation
    ``spearman_rho``/``spearman_p`` as a check that does not assume a line.
    """
    from flaws.correlation import fit_line

    from scipy import stats

    x = ceiling["accuracy"].to_numpy()
    y = ceiling["conditional_accuracy"].to_numpy()
    fit = fit_line(x, y, seed=seed)
    rho = stats.spearmanr(x, y)
    fit["spearman_rho"] = float(rho.statistic)
    fit["spearman_p"] = float(rho.pvalue)
    strongest = float(ceiling["accuracy"].max())
    fit["strongest_accuracy"] = strongest
    fit["models_below_cutoff"] = int((ceiling["conditional_accuracy"] < strongest).sum())
    return fit


def paper_comparison(ceiling: pd.DataFrame, paper_models: list[dict]) -> pd.DataFrame:
    """The paper's sampled (temperature 0.8) numbers beside the leaderboard's greedy ones.

    ``ceiling`` is :func:`ceiling_table` for HumanEval+; ``paper_models`` the list
    ``reported()["humaneval_plus"]["models"]`` (dicts with model, accuracy,
    conditional_accuracy). One row per model of :data:`PAPER_MODEL_MATCHES` found in both, in
    the paper's order, with columns ``model`` (paper name), ``leaderboard_model``,
    ``exact_match``, ``paper_accuracy``, ``paper_conditional_accuracy``,
    ``greedy_accuracy``, ``greedy_conditional_accuracy``.
    """
    board = ceiling.set_index("model")
    rows = []
    for entry in paper_models:
        name = entry["model"]
        if name not in PAPER_MODEL_MATCHES:
            continue
        lb_name, exact = PAPER_MODEL_MATCHES[name]
        if lb_name not in board.index:
            continue
        rows.append(
            {
                "model": name,
                "leaderboard_model": lb_name,
                "exact_match": exact,
                "paper_accuracy": float(entry["accuracy"]),
                "paper_conditional_accuracy": float(entry["conditional_accuracy"]),
                "greedy_accuracy": float(board.loc[lb_name, "accuracy"]),
                "greedy_conditional_accuracy": float(board.loc[lb_name, "conditional_accuracy"]),
            }
        )
    cols = [
        "model", "leaderboard_model", "exact_match", "paper_accuracy", "paper_conditional_accuracy",
        "greedy_accuracy", "greedy_conditional_accuracy",
    ]
    return pd.DataFrame(rows, columns=cols)


def _ci(fit: dict) -> str:
    return f"[{fit['slope_ci'][0]:.3f}, {fit['slope_ci'][1]:.3f}]"


def fit_table(fits: dict, paper_fit: dict | None = None, n_paper: int | None = None) -> pd.DataFrame:
    """The fits of :func:`fit_ceiling` per benchmark (and the paper's line, when given) as the
    book prints them: one row per fit, reader-facing columns, numbers formatted."""
    from flaws.book import p_value

    rows = [{"data": f"leaderboard, {BENCHMARK_NAMES.get(b, b)} (greedy)", "models": f["n"],
             "slope": f"{f['slope']:.3f}", "slope 95% CI": _ci(f), "intercept": f"{f['intercept']:.3f}",
             "R²": f"{f['r_squared']:.2f}", "p-value": p_value(f["p_value"]),
             "Spearman ρ": f"{f['spearman_rho']:.2f}"} for b, f in fits.items()]
    if paper_fit is not None:
        rows.append({"data": "paper, HumanEval+ (T = 0.8)", "models": n_paper,
                     "slope": f"{paper_fit['slope']:.3f}", "slope 95% CI": "",
                     "intercept": f"{paper_fit['intercept']:.3f}", "R²": f"{paper_fit['r_squared']:.2f}",
                     "p-value": p_value(paper_fit["p_value"]), "Spearman ρ": ""})
    return pd.DataFrame(rows)


def fit_glues(fits: dict, ceilings: dict, prefix: str = "lb") -> dict[str, object]:
    """The values notebook 07 glues for each benchmark's fit (name -> formatted value):
    ``{prefix}_{he|mbpp}_{slope, slope_ci, intercept, r2, p, rho, strongest, below, fpr_median}``."""
    from flaws.book import p_value

    out: dict[str, object] = {}
    for b, f in fits.items():
        k = f"{prefix}_{GLUE_KEYS[b]}"
        out.update({f"{k}_slope": f"{f['slope']:.3f}", f"{k}_slope_ci": _ci(f),
                    f"{k}_intercept": f"{f['intercept']:.3f}", f"{k}_r2": f"{f['r_squared']:.2f}",
                    f"{k}_p": p_value(f["p_value"]), f"{k}_rho": f"{f['spearman_rho']:.2f}",
                    f"{k}_strongest": f"{f['strongest_accuracy']:.3f}",
                    f"{k}_below": f["models_below_cutoff"],
                    f"{k}_fpr_median": f"{ceilings[b]['false_positive_rate'].median():.3f}"})
    return out


def robust_fits(ceilings: dict, min_base_accuracy: float = 0.2, seed: int = 0) -> dict:
    """:func:`fit_ceiling` per benchmark without the models whose base pass@1 is below
    ``min_base_accuracy`` (their pooled ratio rests on few programs)."""
    return {b: fit_ceiling(c[c["base_accuracy"] >= min_base_accuracy], seed=seed) for b, c in ceilings.items()}


def rounding_bound(ceilings: dict, half: float = 0.0005) -> float:
    """The largest change of a conditional accuracy that the board's rounding can hide: scores
    are published to 0.1 percentage point (``half`` = 0.0005 as a fraction either way)."""
    import numpy as np

    return max(
        float(np.max(np.maximum((c["accuracy"] + half) / (c["base_accuracy"] - half) - c["conditional_accuracy"],
                                c["conditional_accuracy"] - (c["accuracy"] - half) / (c["base_accuracy"] + half))))
        for c in ceilings.values()
    )


def comparison_table(cmp: pd.DataFrame) -> pd.DataFrame:
    """:func:`paper_comparison` as the book prints it: reader-facing columns, three decimals and
    the difference of the ceilings (greedy minus sampled)."""
    out = pd.DataFrame({
        "model (paper)": cmp["model"],
        "leaderboard entry": cmp["leaderboard_model"] + (~cmp["exact_match"]).map({True: " (near match)", False: ""}),
        "accuracy, sampled": cmp["paper_accuracy"].map("{:.3f}".format),
        "accuracy, greedy": cmp["greedy_accuracy"].map("{:.3f}".format),
        "ceiling, sampled": cmp["paper_conditional_accuracy"].map("{:.3f}".format),
        "ceiling, greedy": cmp["greedy_conditional_accuracy"].map("{:.3f}".format),
        "ceiling difference": (cmp["greedy_conditional_accuracy"] - cmp["paper_conditional_accuracy"]).map("{:+.3f}".format),
    })
    return out

