"""The paper's own numbers, for side-by-side comparison.

``data/reference/paper_reported.json`` holds the numbers and method details stored in the
authors' notebooks (github.com/benediktstroebl/inference-scaling-limits @ 11a8f6e) and the paper
(arXiv:2411.17501); its ``source`` key says where each comes from. They are facts about the paper,
kept in the project so every comparison is reproducible without the data mirror.
"""

from __future__ import annotations

import functools
import json

from .sources import project_root


def reported_path():
    return project_root() / "data" / "reference" / "paper_reported.json"


@functools.lru_cache(maxsize=1)
def _load() -> str:
    return reported_path().read_text(encoding="utf-8")


def reported() -> dict:
    """A fresh copy of the paper's reported numbers (safe to modify)."""
    return json.loads(_load())


def humaneval_points():
    """The paper's 17 (model, accuracy, conditional accuracy) points on HumanEval+, as a DataFrame."""
    import pandas as pd

    return pd.DataFrame(reported()["humaneval_plus"]["models"])
