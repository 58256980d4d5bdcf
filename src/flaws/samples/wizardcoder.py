"""Importer for ``wizardcoder-greedy``: WizardCoder-33B-V1.1 greedy on HumanEval and MBPP+.

A zip of four JSON-lines files, ``T0.0_N1_<humaneval|MBPP>_wizardcoder33b_v1.1[_vllm].jsonl``:
the same greedy decoding done twice, with transformers and with vLLM (the two differ on some
tasks), kept as two runs (``run`` = ``"transformers"`` / ``"vllm"``).  Rows ``{task_id,
completion, all_code}`` are not in task order; ``completion`` is the code the authors extracted
from the reply, a self-contained program, and is the raw text of a sample.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .record import Sample
from .taskmap import TaskRows, Unmapped, field, jsonl_rows

SOURCE_ID = "wizardcoder-greedy"
MODEL = "WizardCoder-33B-V1.1"
PROMPT_STYLE = "base"
SAMPLING = "greedy"
TEMPERATURE = 0.0
_MEMBER = re.compile(r"^T0\.0_N1_(?P<dataset>humaneval|MBPP)_wizardcoder33b_v1\.1(?P<vllm>_vllm)?\.jsonl$")


def parse_member(name: str) -> tuple[str, str]:
    """``T0.0_N1_MBPP_wizardcoder33b_v1.1_vllm.jsonl`` -> ``("mbpp+", "vllm")``."""
    m = _MEMBER.match(name)
    if not m:
        raise ValueError(f"zip member {name!r} is not T0.0_N1_<humaneval|MBPP>_wizardcoder33b_v1.1[_vllm].jsonl")
    return ("humaneval+" if m.group("dataset") == "humaneval" else "mbpp+"), ("vllm" if m.group("vllm") else "transformers")


def read(path: str | Path, humaneval_ids: set[str], mbpp_ids: set[str]) -> tuple[list[Sample], list[Unmapped]]:
    path = Path(path)
    samples, unmapped = [], []
    with zipfile.ZipFile(path) as zf:
        names = sorted(n for n in zf.namelist() if not n.endswith("/"))
        if len(names) != 4:
            raise ValueError(f"{path}: {len(names)} files in the zip, expected 4")
        for name in names:
            benchmark, run = parse_member(name)
            text = zf.read(name).decode("utf-8")
            member = Path(f"{path}!{name}")
            rows = TaskRows(SOURCE_ID, MODEL, benchmark, humaneval_ids if benchmark == "humaneval+" else mbpp_ids, run)
            for lineno, row in jsonl_rows(member, text):
                where = f"{member}: line {lineno}"
                code = field(row, "completion", str, where)
                task_id = rows.task(field(row, "task_id", str, where), where)
                if task_id is None:
                    continue
                samples.append(Sample(model=MODEL, prompt_style=PROMPT_STYLE, temperature=TEMPERATURE,
                                      source_id=SOURCE_ID, task_id=task_id, sample_index=0, raw=code,
                                      benchmark=benchmark, sampling=SAMPLING, run=run))
            unmapped += rows.unmapped
    return samples, unmapped
