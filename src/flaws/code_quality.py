"""Code quality of false positives (paper, section 5), measured statically.

The paper asks whether programs that pass the unit tests but are wrong (*false positives*) are
also worse in ways the tests do not see: do they follow requested style rules less often than
correct programs? We measure that on the ``mvce-ollama`` samples made with the ``rule`` prompt
(``prompt/HumanEval_rule.txt``), which asks for explicit, mostly automatable rules, and on
general style measures for the ``base`` prompt samples.

Everything here reads program *text* only: :mod:`ast`, :mod:`tokenize` and pycodestyle (used as
a library on the lines); no program is ever executed or imported.

Lines and names dictated by the task are not the model's choice: a line whose text (without
trailing whitespace) equals a non-blank line of the task prompt, and an identifier that occurs in
the prompt (entry-point name, parameters, imported names), are left out of the checks.

Rules of the ``rule`` prompt, one boolean per program (``None`` when it cannot be parsed):

``lt_only``            rule 1: inequalities use only ``<`` and ``<=`` (no ``>``/``>=``);
``no_while``           rule 2: no ``while`` loop;
``no_comprehensions``  rule 2: no list/set/dict comprehension or generator expression;
``snake_case``         rules 3-4: variables, parameters and functions in snake_case, classes
                       in PascalCase;
``alphabetical_names`` rule 3: variables first assigned in alphabetical order;
``indentation``        rule 5: indentation in multiples of 4 spaces, no tabs, no trailing
                       whitespace;
``imports_at_top``     rule 6: every import is at module level before any other statement;
``max_line_79``        rule 7: no line longer than 79 characters.

General measures: ``max_line_70`` (bool), ``max_function_lines`` and ``function_30``
(every function at most 30 lines), ``snake_case`` (naming convention), ``comment_density``
(comments per non-blank line) and ``pycodestyle_per_line`` (pycodestyle findings, default
configuration, per non-blank line).
"""

from __future__ import annotations

import ast
import hashlib
import io
import re
import tokenize

import numpy as np
import pandas as pd

from . import verdicts
from .book import interval, number, p_value
from .stats import cluster_mean_interval, cluster_ratio_interval, holm, paired_mean_interval

__all__ = [
    "RULES",
    "GENERAL_MEASURES",
    "JOIN_KEYS",
    "given_text",
    "check_rules",
    "general_measures",
    "pycodestyle_findings",
    "measure_programs",
    "join_programs",
    "label_outcomes",
    "RULE_SOURCE",
    "MAX_PER_TASK",
    "rule_prompt_set",
    "base_prompt_set",
    "outcome_counts",
    "pool_models",
    "adherence_rates",
    "within_task_difference",
    "MIN_TASKS",
    "holm_family",
    "family_counts",
    "family_summary",
    "difference_table",
    "significant_cells",
]

RULES = (
    "lt_only",
    "no_while",
    "no_comprehensions",
    "snake_case",
    "alphabetical_names",
    "indentation",
    "imports_at_top",
    "max_line_79",
)
GENERAL_MEASURES = (
    "max_line_70",
    "function_30",
    "max_function_lines",
    "snake_case",
    "comment_density",
    "pycodestyle_per_line",
)
JOIN_KEYS = ("source_id", "model", "prompt_style", "task_id", "sample_index")
CONDITIONS = ("false_positive", "correct", "passes_base")
#: a within-task test needs at least this many tasks with both a false positive and a correct sample
MIN_TASKS = 10

_SNAKE = re.compile(r"^_*[a-z][a-z0-9_]*$|^_+$")
_PASCAL = re.compile(r"^_*[A-Z][A-Za-z0-9]*$")
_CONSTANT = re.compile(r"^_*[A-Z][A-Z0-9_]*$")
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


class _Given:
    """Lines and identifiers that the task prompt dictates."""

    def __init__(self, given: str | None):
        self.lines: set[str] = set()
        self.names: set[str] = set()
        if not given:
            return
        self.lines = {ln.rstrip() for ln in given.splitlines() if ln.strip()}
        try:
            for tok in tokenize.generate_tokens(io.StringIO(given).readline):
                if tok.type == tokenize.NAME:
                    self.names.add(tok.string)
        except (tokenize.TokenError, IndentationError, SyntaxError):
            self.names.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", given))


def given_text(prompt: str | None) -> _Given:
    """Pre-process a task prompt once, for many programs of the same task."""
    return prompt if isinstance(prompt, _Given) else _Given(prompt)


def _own_lines(program: str, given: _Given) -> tuple[list[str], np.ndarray]:
    lines = program.splitlines()
    own = np.array([not (ln.strip() and ln.rstrip() in given.lines) for ln in lines], dtype=bool)
    return lines, own


def _is_own(node: ast.AST, own: np.ndarray) -> bool:
    i = getattr(node, "lineno", 0) - 1
    return 0 <= i < len(own) and bool(own[i])


def _bound_names(tree: ast.AST):
    """(name, kind, lineno, col) for every name the program binds, in source order."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.append((node.name, "function", node.lineno, node.col_offset))
            a = node.args
            for arg in a.posonlyargs + a.args + a.kwonlyargs + [a.vararg, a.kwarg]:
                if arg is not None:
                    out.append((arg.arg, "variable", arg.lineno, arg.col_offset))
        elif isinstance(node, ast.ClassDef):
            out.append((node.name, "class", node.lineno, node.col_offset))
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            out.append((node.id, "variable", node.lineno, node.col_offset))
        elif isinstance(node, ast.Lambda):
            for arg in node.args.args:
                out.append((arg.arg, "variable", arg.lineno, arg.col_offset))
        elif isinstance(node, ast.ExceptHandler) and node.name:
            out.append((node.name, "variable", node.lineno, node.col_offset))
    out.sort(key=lambda t: (t[2], t[3]))
    return out


def _naming_ok(names, given: _Given, own: np.ndarray, module_level: set[str]) -> bool:
    for name, kind, lineno, _col in names:
        if name in given.names or not (0 <= lineno - 1 < len(own) and own[lineno - 1]):
            continue
        if kind == "class":
            if not _PASCAL.match(name):
                return False
        elif kind == "variable" and name in module_level and _CONSTANT.match(name):
            continue  # module-level CONSTANTS are conventional
        elif not _SNAKE.match(name):
            return False
    return True


def _alphabetical(names, given: _Given, own: np.ndarray) -> bool:
    seen: list[str] = []
    for name, kind, lineno, _col in names:
        if kind != "variable" or name in given.names or name == "_" or not (0 <= lineno - 1 < len(own) and own[lineno - 1]):
            continue
        if name not in seen:
            seen.append(name)
    return seen == sorted(seen)


def _indentation_ok(lines: list[str], own: np.ndarray, program: str) -> bool:
    for ln, mine in zip(lines, own):
        if not mine:
            continue
        if ln != ln.rstrip():
            return False
        stripped = ln.lstrip(" \t")
        indent = ln[: len(ln) - len(stripped)]
        if "\t" in indent:
            return False
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(program).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return False
    for tok in toks:
        if tok.type == tokenize.INDENT:
            i = tok.start[0] - 1
            if 0 <= i < len(own) and own[i] and len(tok.string) % 4 != 0:
                return False
    return True


def _imports_at_top(tree: ast.Module) -> bool:
    top_imports = set()
    seen_other = False
    for i, stmt in enumerate(tree.body):
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            if seen_other:
                return False
            top_imports.add(id(stmt))
        elif i == 0 and isinstance(stmt, ast.Expr) and isinstance(getattr(stmt, "value", None), ast.Constant) and isinstance(stmt.value.value, str):
            continue  # module docstring
        else:
            seen_other = True
    return all(id(n) in top_imports for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)))


def _parse(program: str):
    try:
        return ast.parse(program)
    except (SyntaxError, ValueError):
        return None


def check_rules(program: str, given=None) -> dict[str, bool | None]:
    """Adherence of one program to each rule of :data:`RULES` (``None`` when it does not parse).

    ``given`` is the task prompt (str) or the result of :func:`given_text`.
    """
    given = given_text(given)
    lines, own = _own_lines(program, given)
    tree = _parse(program)
    out: dict[str, bool | None] = {}
    out["max_line_79"] = all(len(ln) <= 79 for ln, mine in zip(lines, own) if mine)
    if tree is None:
        for rule in RULES:
            if rule != "max_line_79":
                out[rule] = None
        return {r: out[r] for r in RULES}
    own_nodes = [n for n in ast.walk(tree) if _is_own(n, own)]
    out["lt_only"] = not any(
        isinstance(op, (ast.Gt, ast.GtE)) for n in own_nodes if isinstance(n, ast.Compare) for op in n.ops
    )
    out["no_while"] = not any(isinstance(n, ast.While) for n in own_nodes)
    out["no_comprehensions"] = not any(isinstance(n, _COMPREHENSIONS) for n in own_nodes)
    names = _bound_names(tree)
    module_level = {t.id for s in tree.body if isinstance(s, ast.Assign) for t in s.targets if isinstance(t, ast.Name)}
    out["snake_case"] = _naming_ok(names, given, own, module_level)
    out["alphabetical_names"] = _alphabetical(names, given, own)
    out["indentation"] = _indentation_ok(lines, own, program)
    out["imports_at_top"] = _imports_at_top(tree)
    return {r: out[r] for r in RULES}


def pycodestyle_findings(program: str) -> dict[str, int]:
    """pycodestyle findings of a program text, by code (default configuration; nothing is run)."""
    import pycodestyle

    style = pycodestyle.StyleGuide(quiet=True)
    report = pycodestyle.BaseReport(style.options)
    lines = program.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"  # a missing final newline is an artefact of how samples are stored
    checker = pycodestyle.Checker(filename="program.py", lines=lines, options=style.options, report=report)
    checker.check_all()
    return {code: int(n) for code, n in sorted(report.counters.items()) if re.match(r"^[EWC]\d", code)}


def _comment_count(program: str) -> int | None:
    try:
        return sum(1 for t in tokenize.generate_tokens(io.StringIO(program).readline) if t.type == tokenize.COMMENT)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return None


def general_measures(program: str, given=None) -> dict[str, float | bool | None]:
    """The general style measures of :data:`GENERAL_MEASURES` for one program."""
    given = given_text(given)
    lines, own = _own_lines(program, given)
    nonblank = max(1, sum(1 for ln in lines if ln.strip()))
    out: dict[str, float | bool | None] = {}
    out["max_line_70"] = all(len(ln) <= 70 for ln, mine in zip(lines, own) if mine)
    tree = _parse(program)
    if tree is None:
        out.update(function_30=None, max_function_lines=None, snake_case=None)
    else:
        lengths = [
            n.end_lineno - n.lineno + 1 for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        ]
        out["max_function_lines"] = float(max(lengths)) if lengths else 0.0
        out["function_30"] = all(x <= 30 for x in lengths)
        module_level = {t.id for s in tree.body if isinstance(s, ast.Assign) for t in s.targets if isinstance(t, ast.Name)}
        out["snake_case"] = _naming_ok(_bound_names(tree), given, own, module_level)
    comments = _comment_count(program)
    out["comment_density"] = None if comments is None else comments / nonblank
    out["pycodestyle_per_line"] = sum(pycodestyle_findings(program).values()) / nonblank
    return {m: out[m] for m in GENERAL_MEASURES}


def measure_programs(table: pd.DataFrame, prompts: dict[str, str] | None = None, kind: str = "rules", progress: bool = True) -> pd.DataFrame:
    """Apply :func:`check_rules` (``kind="rules"``) or :func:`general_measures` (``"general"``) to each row.

    ``table`` needs ``task_id`` and ``solution``; ``prompts`` maps task id to the task prompt
    (the given text). Returns ``table`` without ``solution`` plus one column per rule/measure.
    """
    if kind not in ("rules", "general"):
        raise ValueError("kind must be 'rules' or 'general'")
    fn = check_rules if kind == "rules" else general_measures
    prompts = prompts or {}
    cache: dict[str, _Given] = {}
    rows = []
    it = zip(table["task_id"], table["solution"])
    if progress:
        from tqdm.auto import tqdm

        it = tqdm(it, total=len(table), desc=f"code quality ({kind})")
    for task_id, program in it:
        if task_id not in cache:
            cache[task_id] = given_text(prompts.get(task_id))
        rows.append(fn(program, cache[task_id]))
    measures = pd.DataFrame(rows, index=table.index)
    return pd.concat([table.drop(columns=["solution"]), measures], axis=1)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def join_programs(outcomes: pd.DataFrame, samples: pd.DataFrame) -> pd.DataFrame:
    """Outcomes joined with program texts on :data:`JOIN_KEYS`, checking ``solution_sha256``.

    Raises ``ValueError`` naming the first sample whose text does not hash to the outcome's
    ``solution_sha256`` or that has no program text. Returns the outcome rows plus ``solution``.
    """
    keys = list(JOIN_KEYS)
    for name, df in (("outcomes", outcomes), ("samples", samples)):
        missing = [k for k in keys if k not in df.columns]
        if missing:
            raise ValueError(f"{name} table lacks column(s) {', '.join(missing)}")
    if "solution" not in samples.columns:
        raise ValueError("samples table lacks column 'solution'")
    right = samples[keys + ["solution"]].copy()
    left = outcomes.copy()
    for df in (left, right):
        df["sample_index"] = df["sample_index"].astype("int64")
        for k in keys:
            if k != "sample_index":
                df[k] = df[k].astype(str)
    if right.duplicated(keys).any():
        i = int(np.flatnonzero(right.duplicated(keys).to_numpy())[0])
        raise ValueError("samples table has duplicate key " + ", ".join(f"{k}={right[k].iloc[i]}" for k in keys))
    merged = left.merge(right, on=keys, how="left", validate="one_to_one", sort=False)
    absent = merged["solution"].isna()
    if absent.any():
        i = int(np.flatnonzero(absent.to_numpy())[0])
        raise ValueError("no program text for outcome " + ", ".join(f"{k}={merged[k].iloc[i]}" for k in keys))
    if "solution_sha256" in merged.columns:
        digests = merged["solution"].map(_sha256)
        bad = digests != merged["solution_sha256"].astype(str)
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(
                "solution_sha256 mismatch for " + ", ".join(f"{k}={merged[k].iloc[i]}" for k in keys)
                + f": outcomes say {merged['solution_sha256'].iloc[i]}, the text hashes to {digests.iloc[i]}"
            )
    return merged


def label_outcomes(df: pd.DataFrame) -> pd.DataFrame:
    """Add ``passes_base``, ``correct`` (base and plus pass) and ``false_positive`` (base pass, plus not)."""
    out = df.copy()
    base = out["base_status"].astype(str).eq("pass")
    plus = out["plus_status"].astype(str).eq("pass")
    out["passes_base"] = base
    out["correct"] = base & plus
    out["false_positive"] = base & ~plus
    return out


#: the sample sets written with the ``rule`` prompt (``prompt/HumanEval_rule.txt``)
RULE_SOURCE = "mvce-ollama"
#: the general measures read at most this many base-passing ``base``-prompt samples per model and
#: task (lowest sample indices), so that models with 100-200 samples per task do not dominate
MAX_PER_TASK = 20


def rule_prompt_set(outcomes: pd.DataFrame, samples: pd.DataFrame) -> pd.DataFrame:
    """The ``rule``-prompt samples of :data:`RULE_SOURCE` that pass the base tests, with their
    program text (:func:`join_programs`) and outcome labels (:func:`label_outcomes`). Every
    compared group (false positives, correct, base passes) is a subset of the base passes."""
    rows = outcomes[(outcomes["source_id"] == RULE_SOURCE) & (outcomes["prompt_style"] == "rule")
                    & (outcomes["base_status"] == "pass")]
    return label_outcomes(join_programs(rows, samples))


def base_prompt_set(outcomes: pd.DataFrame, samples: pd.DataFrame, max_per_task: int = MAX_PER_TASK) -> pd.DataFrame:
    """The ``base``-prompt samples that pass the base tests, at most ``max_per_task`` per model and
    task (the lowest sample indices), with program text and outcome labels."""
    rows = outcomes[(outcomes["prompt_style"] == "base") & (outcomes["base_status"] == "pass")]
    rows = (rows.sort_values(["model", "task_id", "sample_index"], kind="stable")
            .groupby(["model", "task_id"], sort=False).head(max_per_task))
    return label_outcomes(join_programs(rows, samples))


def outcome_counts(labelled: pd.DataFrame) -> pd.DataFrame:
    """Per model (index): false positives, correct programs and base passes of a
    :func:`label_outcomes` table."""
    return labelled.groupby("model")[["false_positive", "correct", "passes_base"]].sum().rename(
        columns={"false_positive": "false positives", "correct": "correct", "passes_base": "base passes"})


def pool_models(features: pd.DataFrame, column: str, label: str) -> pd.DataFrame:
    """``features`` of several models as one group for :func:`within_task_difference`: a unit
    (``task_id``) becomes one model's task ("model | task"), so that differences never mix models,
    and ``task`` keeps the benchmark task, the cluster a bootstrap draws (each with all its models'
    units, since the models share tasks); ``column`` holds ``label`` for every row."""
    return features.assign(**{column: label}, task=features["task_id"],
                           task_id=features["model"] + " | " + features["task_id"])


def adherence_rates(
    features: pd.DataFrame,
    measures,
    by=("model",),
    seed: int = 0,
    confidence: float = 0.95,
    n_resamples: int = 2000,
) -> pd.DataFrame:
    """Mean of each measure among false positives, correct samples and base-passing samples.

    ``features`` is :func:`label_outcomes` output with measure columns (booleans give
    P(adheres | condition)). Samples where a measure is missing (unparseable program) are left
    out of that measure. The interval is a percentile bootstrap over tasks (samples of one task
    are not independent), seeded per group and measure. Columns: ``by``, ``measure``,
    ``condition``, ``n`` (samples), ``n_tasks``, ``rate``, ``low``, ``high``.
    """
    rows = []
    for key, g in features.groupby(list(by), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        for m in measures:
            for cond in CONDITIONS:
                sub = g.loc[g[cond].astype(bool) & g[m].notna(), ["task_id", m]]
                vals = sub[m].astype(float)
                per_task = vals.groupby(sub["task_id"], sort=True).agg(["sum", "count"])
                rng = np.random.default_rng(seed)
                lo, hi = cluster_ratio_interval(
                    per_task["sum"].to_numpy(), per_task["count"].to_numpy(dtype=float), rng, confidence, n_resamples
                )
                rows.append(
                    {
                        **dict(zip(by, key)),
                        "measure": m,
                        "condition": cond,
                        "n": int(len(vals)),
                        "n_tasks": int(len(per_task)),
                        "rate": float(vals.mean()) if len(vals) else float("nan"),
                        "low": lo,
                        "high": hi,
                    }
                )
    return pd.DataFrame(rows)


def within_task_difference(
    features: pd.DataFrame,
    measures,
    by=("model",),
    seed: int = 0,
    confidence: float = 0.95,
    n_resamples: int = 2000,
    min_tasks: int = MIN_TASKS,
    cluster: str | None = None,
) -> pd.DataFrame:
    """Within-task comparison of false positives with correct samples.

    For each task that has at least one false positive and one correct sample (with the measure
    defined), d_t = mean(measure | false positives of t) - mean(measure | correct samples of t);
    the result is the mean of d_t over those tasks with a paired percentile bootstrap interval
    (tasks resampled with replacement, each keeping its pair; seeded). ``pooled_difference`` is
    the plain difference of the pooled means over all samples of the same group, for contrast.

    A cell is tested (``status == "tested"``) only when it has at least ``min_tasks`` such tasks
    and the d_t are not all equal; otherwise ``status`` is ``"too few tasks"`` or
    ``"no variation"`` and ``low``, ``high`` and ``p_two_sided`` are NaN (a bootstrap of fewer
    tasks, or of identical differences, gives an interval of no width and p = 1, which says
    nothing). Columns: ``by``, ``measure``, ``n_tasks``, ``mean_difference``, ``low``, ``high``,
    ``p_two_sided`` (bootstrap: twice the smaller share of resampled means on either side of 0),
    ``pooled_difference``, ``status``.

    ``cluster`` names a column that groups the compared units for the bootstrap: when models
    are pooled, a unit is one model's task (``task_id`` = "model | task", so differences never
    mix models) but models share tasks, so ``cluster="task"`` resamples the benchmark tasks,
    each with all its models' units (:func:`flaws.stats.cluster_mean_interval`); the result then
    has ``n_clusters`` too, and ``min_tasks`` applies to the clusters.
    """
    rows = []
    for key, g in features.groupby(list(by), sort=True):
        key = key if isinstance(key, tuple) else (key,)
        for m in measures:
            d = g.loc[g[m].notna()]
            vals = d[m].astype(float)
            fp = vals[d["false_positive"].astype(bool)].groupby(d.loc[d["false_positive"].astype(bool), "task_id"]).mean()
            ok = vals[d["correct"].astype(bool)].groupby(d.loc[d["correct"].astype(bool), "task_id"]).mean()
            both = fp.index.intersection(ok.index).sort_values()
            diffs = (fp[both] - ok[both]).to_numpy(dtype=float)
            groups = (d.groupby("task_id")[cluster].first()[both].to_numpy() if cluster else None)
            n_units = len(set(groups)) if cluster else len(diffs)
            pooled = float(vals[d["false_positive"].astype(bool)].mean() - vals[d["correct"].astype(bool)].mean())
            row = {**dict(zip(by, key)), "measure": m, "n_tasks": int(len(diffs)), "pooled_difference": pooled,
                   "mean_difference": float(diffs.mean()) if len(diffs) else float("nan"),
                   "low": float("nan"), "high": float("nan"), "p_two_sided": float("nan")}
            if cluster:
                row["n_clusters"] = int(n_units)
            if n_units < max(1, min_tasks):
                row["status"] = "too few tasks"
            elif np.all(diffs == diffs[0]):
                row["status"] = "no variation"
            else:
                rng = np.random.default_rng(seed)
                lo, hi, p = (cluster_mean_interval(diffs, groups, rng, confidence, n_resamples) if cluster
                             else paired_mean_interval(diffs, rng, confidence, n_resamples))
                row.update(low=lo, high=hi, p_two_sided=p, status="tested")
            rows.append(row)
    cols = list(by) + ["measure", "n_tasks"] + (["n_clusters"] if cluster else []) + [
        "mean_difference", "low", "high", "p_two_sided", "pooled_difference", "status"]
    return pd.DataFrame(rows, columns=cols)


def holm_family(within: pd.DataFrame) -> pd.DataFrame:
    """``within`` with ``p_holm``: Holm-adjusted p-values over all its tested rows (one family)."""
    return within.assign(p_holm=holm(within["p_two_sided"].to_numpy(dtype=float)))


def family_counts(within: pd.DataFrame, claimed_sign: int = -1, alpha: float = verdicts.ALPHA) -> dict:
    """Counts of a Holm-corrected family (:func:`holm_family` output; also of a part of one).

    ``claimed_sign`` -1: the claim is that false positives adhere *less* often. Returns
    ``n_cells``, ``n_tests``, ``n_too_few``, ``n_no_variation``, ``n_claimed`` and
    ``n_opposite`` (significant after Holm in the claimed / the opposite direction) and
    ``n_raw_claimed`` (p < alpha before correction, claimed direction)."""
    tested = within[within["status"] == "tested"]
    sig = tested["p_holm"] < alpha
    est = tested["mean_difference"] * claimed_sign
    return {"n_cells": int(len(within)), "n_tests": int(len(tested)),
            "n_too_few": int((within["status"] == "too few tasks").sum()),
            "n_no_variation": int((within["status"] == "no variation").sum()),
            "n_claimed": int((sig & (est > 0)).sum()), "n_opposite": int((sig & (est < 0)).sum()),
            "n_raw_claimed": int(((tested["p_two_sided"] < alpha) & (est > 0)).sum())}


def family_summary(within: pd.DataFrame, claimed_sign: int = -1, alpha: float = verdicts.ALPHA,
                   kind: str = "reproduced") -> dict:
    """:func:`family_counts` plus ``verdict``: :func:`flaws.verdicts.family` on the tested rows."""
    tested = within[within["status"] == "tested"]
    return {**family_counts(within, claimed_sign, alpha),
            "verdict": verdicts.family(tested["mean_difference"].tolist(), tested["p_holm"].tolist(),
                                       claimed_sign, alpha=alpha, kind=kind)}


def _cell(r, digits: int) -> str:
    if r.status != "tested":
        return f"{r.status} ({r.n_tasks})" if r.status == "too few tasks" else f"{r.status}"
    return (f"{number(r.mean_difference, digits)} {interval(r.low, r.high, digits)}; "
            f"Holm {p_value(r.p_holm)}")


def difference_table(within: pd.DataFrame, columns: str | None = "model", digits: int = 3) -> pd.DataFrame:
    """Reader-facing table of :func:`holm_family` output: one row per measure, one column per
    ``columns`` value (or one column when None), each cell "difference [95% interval]; Holm p",
    or "too few tasks (n)" / "no variation" for cells that were not tested."""
    cells = within.assign(cell=[_cell(r, digits) for r in within.itertuples()])
    order = list(dict.fromkeys(within["measure"]))
    if columns is None:
        out = cells.set_index("measure")[["n_tasks", "cell"]].loc[order]
        out.columns = ["tasks", "false positives minus correct [95% interval]; Holm p"]
    else:
        out = cells.pivot(index="measure", columns=columns, values="cell").loc[order]
        out.columns.name = None
    out.index = [m.replace("_", " ") for m in out.index]
    out.index.name = "measure"
    return out


def significant_cells(within: pd.DataFrame, alpha: float = verdicts.ALPHA, digits: int = 3) -> str:
    """The cells of a Holm-corrected family (:func:`holm_family`) significant after correction, as
    text: "rule, model: difference [95% interval], Holm p = ..." joined by "; ", or "none"."""
    sig = within[within["p_holm"] < alpha]
    return "; ".join(
        f"{r.measure.replace('_', ' ')}, {r.model}: {number(r.mean_difference, digits)} "
        f"{interval(r.low, r.high, digits)}, Holm {p_value(r.p_holm)}" for r in sig.itertuples()) or "none"
