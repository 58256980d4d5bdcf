"""Importer for ``mvce-ollama``: chat answers of four open models served by Ollama.

``results/HumanEval_<model>[_instruction|_rule].json`` maps each task id to 20 pairs
``[raw_chat_text, metadata]``.  The file name gives the model and the prompt style
(no suffix = ``base``).  The metadata's ``result`` label is ignored: the project
re-executes every sample.

Temperature: the source does not record it.  The generation code stored in the
repository (``src/engine.py``) sets ``temperature: 0.0``, yet the 20 answers per task
differ (15 distinct answers per task on average), so the files were drawn with another
setting, probably Ollama's default of 0.8 (the mirror's ``sources.json`` says
"Ollama default (0.8)").  Because that cannot be verified, the temperature is recorded
as NaN (unknown).
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

from .record import Sample

SOURCE_ID = "mvce-ollama"
MODELS = {
    "llama3": "Llama 3 8B",
    "llama3.1": "Llama 3.1 8B",
    "mistral-nemo": "Mistral Nemo 12B",
    "qwen2.5-coder": "Qwen2.5-Coder 7B",
}
PROMPT_STYLES = ("base", "instruction", "rule")
TEMPERATURE = math.nan
_FILE = re.compile(r"^HumanEval_(?P<model>.+?)(?:_(?P<style>instruction|rule))?\.json$")


def parse_name(path: str | Path) -> tuple[str, str]:
    """``HumanEval_llama3.1_rule.json`` -> ``("Llama 3.1 8B", "rule")``."""
    name = Path(path).name
    m = _FILE.match(name)
    if not m or m.group("model") not in MODELS:
        raise ValueError(f"{path}: file name is not HumanEval_<model>[_instruction|_rule].json "
                         f"with model one of {sorted(MODELS)}")
    return MODELS[m.group("model")], m.group("style") or "base"


def read_file(path: str | Path, temperature: float = TEMPERATURE) -> list[Sample]:
    """Read one mvce results file into samples."""
    path = Path(path)
    model, style = parse_name(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: line {err.lineno}: not valid JSON ({err.msg})") from None
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: expected an object mapping task ids to lists of answers")
    samples = []
    for task_id, answers in doc.items():
        if not isinstance(answers, list):
            raise ValueError(f"{path}: {task_id}: expected a list of [text, metadata] pairs")
        for k, answer in enumerate(answers):
            if not (isinstance(answer, list) and answer and isinstance(answer[0], str)):
                raise ValueError(f"{path}: {task_id}: answer {k} is not a [text, metadata] pair")
            samples.append(Sample(model=model, prompt_style=style, temperature=temperature,
                                  source_id=SOURCE_ID, task_id=task_id, sample_index=k, raw=answer[0]))
    return samples


def read(paths, temperature: float = TEMPERATURE) -> list[Sample]:
    """Read several mvce results files; each (model, prompt style) may appear once."""
    samples: list[Sample] = []
    seen: dict[tuple[str, str], Path] = {}
    for path in paths:
        key = parse_name(path)
        if key in seen:
            raise ValueError(f"{path}: {key} already read from {seen[key]}")
        seen[key] = Path(path)
        samples.extend(read_file(path, temperature))
    return samples
