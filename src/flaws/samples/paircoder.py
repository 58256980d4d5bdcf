"""Importer for ``paircoder-outputs``: PairCoder runs of three models on HumanEval and MBPP+.

``results-<dataset>_<model>/<file>.jsonl`` (dataset ``humaneval`` or ``mbpp``) holds one row per
task, ``{"name": "HumanEval/N" | "Mbpp/N", "completions": [10 programs], "plans": [...], ...}``.
Each of the ten completions is one run of the PairCoder pipeline (plans drawn at T = 0.8, code
written at T = 0 and repaired against one visible test), so the set's ``sampling`` is
``"pipeline"`` and its temperature unknown (NaN).  A completion is a complete program with a
trailing ``if __name__ == "__main__":`` block that reads stdin; the sanitizer drops that block.
The authors' ``passed``/``pass_num`` labels are ignored: every sample is re-executed.
"""

from __future__ import annotations

import math
import re
from pathlib import Path, PurePosixPath

from .record import Sample
from .taskmap import TaskRows, Unmapped, field, jsonl_rows

SOURCE_ID = "paircoder-outputs"
MODELS = {
    "deepseek-coder": "DeepSeek-Coder (PairCoder)",
    "gpt-35-turbo": "GPT-3.5-turbo (PairCoder)",
    "gpt-4o": "GPT-4o (PairCoder)",
}
PROMPT_STYLE = "base"
SAMPLING = "pipeline"
TEMPERATURE = math.nan
SAMPLES_PER_TASK = 10
_DIR = re.compile(r"^results-(?P<dataset>humaneval|mbpp)_(?P<model>.+)$")


def parse_path(path: str | Path) -> tuple[str, str]:
    """``.../results-mbpp_gpt-4o/mbpp.jsonl`` -> ``("mbpp+", "GPT-4o (PairCoder)")``."""
    parent = PurePosixPath(Path(path).as_posix()).parent.name
    m = _DIR.match(parent)
    if not m or m.group("model") not in MODELS:
        raise ValueError(f"{path}: directory {parent!r} is not results-<humaneval|mbpp>_<model> "
                         f"with model one of {sorted(MODELS)}")
    return ("humaneval+" if m.group("dataset") == "humaneval" else "mbpp+"), MODELS[m.group("model")]


def read_file(path: str | Path, humaneval_ids: set[str], mbpp_ids: set[str]) -> tuple[list[Sample], list[Unmapped]]:
    path = Path(path)
    benchmark, model = parse_path(path)
    rows = TaskRows(SOURCE_ID, model, benchmark, humaneval_ids if benchmark == "humaneval+" else mbpp_ids)
    samples = []
    for lineno, row in jsonl_rows(path):
        where = f"{path}: line {lineno}"
        completions = field(row, "completions", list, where)
        if len(completions) != SAMPLES_PER_TASK:
            raise ValueError(f"{where}: {len(completions)} completions, expected {SAMPLES_PER_TASK}")
        task_id = rows.task(field(row, "name", str, where), where)
        if task_id is None:
            continue
        for k, code in enumerate(completions):
            if not isinstance(code, str):
                raise ValueError(f"{where}: completion {k} is not a string")
            samples.append(Sample(model=model, prompt_style=PROMPT_STYLE, temperature=TEMPERATURE,
                                  source_id=SOURCE_ID, task_id=task_id, sample_index=k, raw=code,
                                  benchmark=benchmark, sampling=SAMPLING))
    return samples, rows.unmapped
