"""Importer for ``agentcoder-gpt35``: AgentCoder's programs (GPT-3.5-turbo-1106) on HumanEval.

One JSON array of 164 objects with the HumanEval fields plus ``completion_list`` (5 programs of
the programmer agent) and ``test_case_list`` (5 test scripts of the test-designer agent; used by
the verifier work, not here).  The raw text of a sample is the row's prompt followed by the
completion, which works for function bodies and for full definitions (the later ``def`` replaces
the prompt's stub).  AgentCoder regenerates a task's five programs until one passes 3 of its own 5
test scripts, so the set's ``sampling`` is ``"pipeline"``; the temperature is the API default
(1.0; the code does not set it).

Leak: the programmer's few-shot prompt contains the reference solutions of HumanEval/0 and
HumanEval/1, and the model copies them.  Those two tasks stay in the table but are listed in
:data:`flaws.samples.EXCLUDED` and left out of metrics.
"""

from __future__ import annotations

import json
from pathlib import Path

from .record import Sample
from .taskmap import field, humaneval_task_id

SOURCE_ID = "agentcoder-gpt35"
MODEL = "GPT-3.5-turbo-1106 (AgentCoder)"
PROMPT_STYLE = "base"
SAMPLING = "pipeline"
TEMPERATURE = 1.0
SAMPLES_PER_TASK = 5
#: tasks whose reference solution is in the programmer agent's few-shot prompt
LEAKED_TASKS = ("HumanEval/0", "HumanEval/1")


def read(path: str | Path, humaneval_ids: set[str]) -> list[Sample]:
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ValueError(f"{path}: line {err.lineno}: not valid JSON ({err.msg})") from None
    if not isinstance(doc, list):
        raise ValueError(f"{path}: line 1: expected a JSON array of task objects")
    samples, seen = [], set()
    for i, row in enumerate(doc):
        where = f"{path}: task object #{i + 1}"
        if not isinstance(row, dict):
            raise ValueError(f"{where}: expected an object")
        task_id = humaneval_task_id(field(row, "task_id", str, where), humaneval_ids, where)
        if task_id in seen:
            raise ValueError(f"{where}: task {task_id} listed twice")
        seen.add(task_id)
        prompt = field(row, "prompt", str, where)
        completions = field(row, "completion_list", list, where)
        if len(completions) != SAMPLES_PER_TASK:
            raise ValueError(f"{where} ({task_id}): {len(completions)} completions, expected {SAMPLES_PER_TASK}")
        for k, code in enumerate(completions):
            if not isinstance(code, str):
                raise ValueError(f"{where} ({task_id}): completion {k} is not a string")
            samples.append(Sample(model=MODEL, prompt_style=PROMPT_STYLE, temperature=TEMPERATURE,
                                  source_id=SOURCE_ID, task_id=task_id, sample_index=k, raw=prompt + code,
                                  sampling=SAMPLING))
    return samples
