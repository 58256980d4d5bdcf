"""Generation client: draw samples from any OpenAI-compatible chat completions endpoint.

``flaws generate --model M --base-url URL --n 50 --temperature 0.8 --benchmark humaneval+``
asks a model (vLLM, Ollama, a hosted API...) for ``n`` samples per benchmark task, one request
per sample, and writes them in the EvalPlus layout so the rest of the pipeline (the sandboxed
executor, the false-positive metrics) can score them like any other sample set.

Design:

* **One request per sample**, with ``seed = sample_index`` (servers that honour it make a rerun
  reproducible; ``--no-seed`` for servers that reject the parameter).
* **Bounded concurrency**: at most ``concurrency`` requests in flight (a thread pool sharing one
  ``openai.OpenAI`` client).
* **Retries**: the client library's own retries are disabled (``max_retries=0``); we retry
  rate limits (429), timeouts (408), conflicts (409), server errors (5xx) and connection errors with
  exponential backoff and deterministic jitter (seeded by task, sample and attempt), honouring a
  ``Retry-After`` header up to ``max_delay``. Any other 4xx error is the caller's mistake (bad
  model name, bad parameter): the run stops at once with the server's message.
* **Resumable cache**: every finished sample is one JSON file
  ``<out>/cache/<Task_id>/<sample_index>.json``, written to a temporary name and renamed, so an
  interrupted run loses nothing and a rerun only requests what is missing.
  ``<out>/cache/config.json`` pins the model, benchmark, prompt and sampling settings: reusing a
  directory with other settings is an error rather than a silent mix of two sample sets. A sample
  set can grow: rerunning with a larger ``--n`` only draws the new sample indices.
* **Outputs** (written only once every sample exists, from the cache, in task order, so they are
  byte-identical however the run was interrupted): ``<out>/samples.jsonl`` (EvalPlus format:
  ``task_id`` and ``solution``, the program produced by :func:`flaws.samples.sanitize`; with
  ``--raw``, ``task_id`` and ``completion``, the raw chat text, for users who sanitize themselves)
  and ``<out>/metadata.json`` (model, endpoint without credentials, sampling settings,
  token usage, truncated samples).

The endpoint's answers are third-party content: the default output directory lives under the
git-ignored ``data/interim/``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import dataclasses
import hashlib
import json
import os
import random
import re
import sys
import threading
import urllib.parse
from pathlib import Path
from typing import Any, Callable, Sequence
from ._io import atomic_write

#: Bumped whenever the prompt templates below change (it is part of the cache's config, so a
#: cache drawn with older prompts is never mixed with new ones).
PROMPT_VERSION = "flaws-generate-1"

PROMPT_STYLES = ("base", "instruction")

BENCHMARKS = ("humaneval+", "mbpp+")

# "base": the task prompt with a plain instruction to complete the function. HumanEval prompts
# hold the signature and docstring; MBPP prompts only a description (and an example test), so
# the function's name is spelled out.
_BASE_TEMPLATE = (
    "Complete the following Python function. Reply with the complete function (its signature, "
    "body and any imports or helper functions it needs) in a single ```python code block.\n"
    "\n"
    "```python\n"
    "{prompt}"
    "```\n"
)
_BASE_TEMPLATE_NO_SIGNATURE = (
    "Write the Python function `{entry_point}` described below. Reply with the complete function "
    "(and any imports or helper functions it needs) in a single ```python code block.\n"
    "\n"
    "```python\n"
    "{prompt}"
    "```\n"
)

# "instruction": the message EvalPlus 0.3.1 sends to OpenAI-compatible chat endpoints
# (evalplus/provider/openai.py, OpenAIChatDecoder.codegen: instruction_prefix + the fenced prompt).
_INSTRUCTION_TEMPLATE = (
    "Please provide a self-contained Python script that solves the following problem in a "
    "markdown code block:\n"
    "```python\n"
    "{prompt}\n"
    "```"
)

# Status codes worth retrying (the same set the openai client retries by itself).
RETRY_STATUS = frozenset({408, 409, 429})


class GenerationError(RuntimeError):
    """A generation run cannot continue (bad request, endpoint down, inconsistent cache...)."""


# --------------------------------------------------------------------------------------------
# prompts


def _has_signature(task: dict) -> bool:
    return re.search(rf"def\s+{re.escape(task['entry_point'])}\s*\(", task["prompt"]) is not None


def task_problem(task: dict) -> str:
    """The problem text shown to the model.

    A HumanEval prompt (signature + docstring) as is. An MBPP task whose prompt is only a quoted
    description gets its first example test appended inside the quotes, the way EvalPlus's
    released MBPP+ prompts read (so the model learns the function's name and call shape).
    """
    prompt = task["prompt"]
    assertion = task.get("assertion")
    if _has_signature(task) or not assertion:
        return prompt
    first = next((line.strip() for line in assertion.splitlines() if line.strip()), "")
    text = prompt.strip()
    for quote in ('"""', "'''"):
        if len(text) >= 6 and text.startswith(quote) and text.endswith(quote):
            text = text[3:-3].strip()
            break
    return f'"""\n{text}\n{first}\n"""\n'


def build_messages(task: dict, prompt_style: str = "base") -> list[dict[str, str]]:
    """The chat messages for one task: its prompt with an instruction to complete the function."""
    prompt = task_problem(task)
    if prompt_style == "base":
        prompt = prompt if prompt.endswith("\n") else prompt + "\n"
        if _has_signature(task):
            text = _BASE_TEMPLATE.format(prompt=prompt)
        else:
            text = _BASE_TEMPLATE_NO_SIGNATURE.format(prompt=prompt, entry_point=task["entry_point"])
    elif prompt_style == "instruction":
        text = _INSTRUCTION_TEMPLATE.format(prompt=prompt.strip())
    else:
        raise ValueError(f"unknown prompt style {prompt_style!r}; expected one of {PROMPT_STYLES}")
    return [{"role": "user", "content": text}]


# --------------------------------------------------------------------------------------------
# retries


@dataclasses.dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with deterministic jitter.

    The delay before retry ``attempt`` (0-based) is ``min(max_delay, base_delay * 2**attempt)``
    scaled by a factor in [0.5, 1) drawn from a RNG seeded with the request's identity and the
    attempt number, so two runs wait the same times and concurrent requests do not retry in
    lock-step. A ``Retry-After`` header from the server raises the delay (capped at ``max_delay``).
    """

    max_retries: int = 8
    base_delay: float = 1.0
    max_delay: float = 60.0

    def delay(self, key: str, attempt: int, retry_after: float | None = None) -> float:
        rng = random.Random(f"{key}#{attempt}")
        backoff = min(self.max_delay, self.base_delay * 2**attempt) * (0.5 + 0.5 * rng.random())
        if retry_after is not None:
            backoff = max(backoff, min(retry_after, self.max_delay))
        return backoff


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if not headers:
        return None
    value = headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:  # an HTTP date: fall back to our own backoff
        return None


def _is_retryable(exc: BaseException) -> bool:
    import openai

    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in RETRY_STATUS or exc.status_code >= 500
    return False


def _describe(exc: BaseException) -> str:
    import openai

    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}: {exc.message}"
    return f"{type(exc).__name__}: {exc}"


# --------------------------------------------------------------------------------------------
# cache and files


def task_dirname(task_id: str) -> str:
    """``HumanEval/0`` -> ``HumanEval_0`` (the EvalPlus samples-directory convention)."""
    name = task_id.replace("/", "_")
    if not name or name in {".", ".."} or re.search(r"[\\\x00]", name):
        raise GenerationError(f"task id {task_id!r} cannot be used as a directory name")
    return name


def public_url(url: str) -> str:
    """``url`` without credentials: no user:password, and secret-looking query values redacted."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.hostname or ""
    if ":" in netloc:  # IPv6 literal
        netloc = f"[{netloc}]"
    if parts.port is not None:
        netloc += f":{parts.port}"
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    secret = re.compile(r"key|token|secret|sig|pass|auth|cred", re.IGNORECASE)
    query = [(k, "REDACTED" if secret.search(k) else v) for k, v in query]
    return urllib.parse.urlunsplit(
        (parts.scheme, netloc, parts.path, urllib.parse.urlencode(query), "")
    )


def _dump(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@dataclasses.dataclass(frozen=True)
class GenerationConfig:
    """What defines a sample set; pinned in ``cache/config.json``.

    The endpoint URL is not part of it (a server may move between runs); each cached sample
    records the URL it came from, and the metadata lists them.
    """

    model: str
    temperature: float
    top_p: float | None
    max_tokens: int | None
    prompt_style: str
    benchmark: str
    seed: bool
    prompt_version: str = PROMPT_VERSION


class SampleCache:
    """One JSON file per (task, sample index) under ``root``."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, task_id: str, index: int) -> Path:
        return self.root / task_dirname(task_id) / f"{index}.json"

    def has(self, task_id: str, index: int) -> bool:
        return self.path(task_id, index).is_file()

    def load(self, task_id: str, index: int) -> dict:
        path = self.path(task_id, index)
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise GenerationError(
                f"{path}: line {exc.lineno}: not valid JSON ({exc.msg}); delete it to redraw"
            ) from exc
        for key, want in (("task_id", task_id), ("sample_index", index)):
            if record.get(key) != want:
                raise GenerationError(
                    f"{path}: field {key!r} is {record.get(key)!r}, expected {want!r}; "
                    "delete it to redraw"
                )
        if not isinstance(record.get("completion"), str):
            raise GenerationError(f"{path}: field 'completion' missing or not a string")
        return record

    def store(self, record: dict) -> None:
        atomic_write(self.path(record["task_id"], record["sample_index"]), _dump(record), fsync=True)

    def check_config(self, config: GenerationConfig) -> None:
        """Pin ``config`` for this cache; refuse a cache drawn with different settings."""
        path = self.root / "config.json"
        want = dataclasses.asdict(config)
        if path.is_file():
            try:
                have = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as exc:
                raise GenerationError(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg})")
            diff = {k: (have.get(k), v) for k, v in want.items() if have.get(k) != v}
            if diff:
                detail = "; ".join(
                    f"{k}: cached {a!r}, requested {b!r}" for k, (a, b) in diff.items()
                )
                raise GenerationError(
                    f"{path}: this output directory holds samples drawn with other settings "
                    f"({detail}); choose another --out directory"
                )
        else:
            atomic_write(path, _dump(want), fsync=True)


# --------------------------------------------------------------------------------------------
# the run


@dataclasses.dataclass
class GenerationResult:
    out_dir: Path
    samples_path: Path
    metadata_path: Path
    n_tasks: int
    n_samples: int
    n_requested: int  # samples drawn in this run (the rest came from the cache)
    n_cached: int  # samples already in the cache when the run started
    n_retries: int  # failed attempts that were retried
    sanitized: bool


def default_out_dir(model: str, benchmark: str, temperature: float, prompt_style: str) -> Path:
    from flaws.data import project_root

    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", model).strip("-") or "model"
    return (
        project_root() / "data" / "interim" / "generated" / benchmark
        / f"{slug}_temp{temperature:g}_{prompt_style}"
    )


def load_tasks(
    benchmark: str, task_ids: Sequence[str] | None = None, limit: int | None = None
) -> list[dict]:
    """Benchmark tasks in file order, optionally only ``task_ids`` and/or the first ``limit``."""
    from flaws.data import load_benchmark

    tasks = load_benchmark(benchmark)
    return select_tasks(tasks, task_ids, limit)


def select_tasks(
    tasks: Sequence[dict], task_ids: Sequence[str] | None = None, limit: int | None = None
) -> list[dict]:
    """``tasks`` (in their order) restricted to ``task_ids`` and/or the first ``limit``."""
    tasks = list(tasks)
    if task_ids:
        by_id = {t["task_id"]: t for t in tasks}
        missing = [t for t in task_ids if t not in by_id]
        if missing:
            raise GenerationError(f"unknown task id(s): {', '.join(missing)}")
        wanted = set(task_ids)
        tasks = [t for t in tasks if t["task_id"] in wanted]
    if limit is not None:
        tasks = tasks[:limit]
    return tasks


def _find_sanitizer() -> Callable[[str, dict], str]:
    from flaws.samples import sanitize  # the samples stage's sanitizer (issue 3)

    return sanitize


def generate(
    model: str,
    base_url: str,
    *,
    n: int,
    temperature: float,
    benchmark: str = "humaneval+",
    tasks: Sequence[dict] | None = None,
    out_dir: str | os.PathLike | None = None,
    concurrency: int = 4,
    max_tokens: int | None = 1024,
    top_p: float | None = None,
    prompt_style: str = "base",
    api_key: str | None = None,
    seed: bool = True,
    timeout: float = 600.0,
    retry: RetryPolicy = RetryPolicy(),
    raw: bool = False,
    progress: bool = True,
    benchmark_sha256: str | None = None,
) -> GenerationResult:
    """Draw ``n`` samples per task from a chat completions endpoint; resumable.

    ``tasks`` defaults to every task of ``benchmark`` (via :func:`flaws.data.load_benchmark`);
    pass a list of task dicts (``task_id``, ``prompt``, ``entry_point``) to use others (then
    ``benchmark`` is only a label, and ``benchmark_sha256``, recorded in the metadata, is whatever
    the caller says). ``api_key`` defaults to ``$OPENAI_API_KEY`` or ``"EMPTY"`` (local servers
    ignore it).
    """
    tasks, benchmark_sha256 = _checked_tasks(n, concurrency, prompt_style, benchmark, tasks, benchmark_sha256)
    endpoint = public_url(base_url)
    config = GenerationConfig(
        model=model,
        temperature=float(temperature),
        top_p=None if top_p is None else float(top_p),
        max_tokens=max_tokens,
        prompt_style=prompt_style,
        benchmark=benchmark,
        seed=seed,
    )
    out = default_out_dir(model, benchmark, temperature, prompt_style) if out_dir is None else Path(out_dir)
    cache = SampleCache(out / "cache")
    cache.root.mkdir(parents=True, exist_ok=True)
    cache.check_config(config)

    todo = [(t, i) for t in tasks for i in range(n) if not cache.has(t["task_id"], i)]
    n_cached = len(tasks) * n - len(todo)

    drawer = _Drawer(base_url, endpoint, api_key, timeout, retry, cache, model=model,
                     temperature=temperature, max_tokens=max_tokens, top_p=top_p,
                     prompt_style=prompt_style, seed=seed)
    drawer.run(todo, concurrency, progress)

    result = write_outputs(
        out, tasks, n, config, cache, raw=raw, base_url=endpoint, benchmark_sha256=benchmark_sha256
    )
    result.n_requested = drawer.stats["requested"]
    result.n_cached = n_cached
    result.n_retries = drawer.stats["retries"]
    return result


def _checked_tasks(n: int, concurrency: int, prompt_style: str, benchmark: str,
                   tasks: Sequence[dict] | None, benchmark_sha256: str | None) -> tuple[list[dict], str | None]:
    """Step 1 of :func:`generate`: check the arguments; the task list (default: every task of
    ``benchmark``, with its file's sha256)."""
    if n < 1:
        raise GenerationError(f"--n must be at least 1, got {n}")
    if concurrency < 1:
        raise GenerationError(f"--concurrency must be at least 1, got {concurrency}")
    if prompt_style not in PROMPT_STYLES:
        raise GenerationError(f"unknown prompt style {prompt_style!r}; expected one of {PROMPT_STYLES}")
    if tasks is None:
        tasks = load_tasks(benchmark)
        benchmark_sha256 = _benchmark_sha256(benchmark)
    tasks = list(tasks)
    if not tasks:
        raise GenerationError("no tasks to generate for")
    ids = [t["task_id"] for t in tasks]
    if len(set(ids)) != len(ids):
        raise GenerationError("duplicate task ids in the task list")
    return tasks, benchmark_sha256


class _Drawer:
    """Steps 2-3 of :func:`generate`: draw the missing samples on a thread pool, one request
    each (retried with backoff), caching each as it arrives; the first failure stops new
    requests and is raised once the running ones have finished."""

    def __init__(self, base_url: str, endpoint: str, api_key: str | None, timeout: float,
                 retry: RetryPolicy, cache: SampleCache, **request: Any) -> None:
        import openai

        self.client = openai.OpenAI(
            base_url=base_url,
            api_key=api_key if api_key is not None else os.environ.get("OPENAI_API_KEY", "EMPTY"),
            max_retries=0,
            timeout=timeout,
        )
        self.endpoint, self.retry, self.cache, self.request = endpoint, retry, cache, request
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.stats = {"retries": 0, "requested": 0}

    def run(self, todo: list[tuple[dict, int]], concurrency: int, progress: bool) -> None:
        from tqdm.auto import tqdm

        if not todo:
            self.client.close()
            return
        bar = tqdm(total=len(todo), desc=f"generate {self.request['model']}", unit="sample",
                   disable=not progress)
        pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=concurrency, thread_name_prefix="flaws-generate"
        )
        futures = [pool.submit(self.draw, t, i) for t, i in todo]
        error: BaseException | None = None
        try:
            for future in concurrent.futures.as_completed(futures):
                exc = future.exception()
                if exc is not None:
                    error = exc
                    break
                bar.update(1)
        except BaseException as exc:  # KeyboardInterrupt: stop cleanly, keep what is cached
            error = exc
        finally:
            if error is not None:
                self.stop.set()
                for f in futures:
                    f.cancel()
            pool.shutdown(wait=True)
            bar.close()
            self.client.close()
        if error is not None:
            raise error

    def draw(self, task: dict, index: int) -> None:
        try:
            self._draw(task, index)
        except BaseException:
            self.stop.set()  # no new request starts once one has failed for good
            raise

    def _params(self, messages: list, index: int) -> dict[str, Any]:
        r = self.request
        params: dict[str, Any] = {"model": r["model"], "messages": messages, "temperature": r["temperature"]}
        if r["max_tokens"] is not None:
            params["max_tokens"] = r["max_tokens"]
        if r["top_p"] is not None:
            params["top_p"] = r["top_p"]
        if r["seed"]:
            params["seed"] = index
        return params

    def _call(self, task_id: str, index: int, params: dict[str, Any]):
        """The response to one request, retried with backoff; None once generation has stopped."""
        import openai

        key = f"{task_id}#{index}"
        attempt = 0
        while True:
            if self.stop.is_set():
                return None
            try:
                return self.client.chat.completions.create(**params)
            except Exception as exc:  # noqa: BLE001 - classified below
                if not _is_retryable(exc):
                    if isinstance(exc, openai.APIStatusError):
                        raise GenerationError(
                            f"{task_id} sample {index}: the endpoint {self.endpoint} rejected the "
                            f"request ({_describe(exc)}); not retried"
                        ) from exc
                    raise GenerationError(
                        f"{task_id} sample {index}: unexpected error from {self.endpoint}: "
                        f"{_describe(exc)}"
                    ) from exc
                if attempt >= self.retry.max_retries:
                    raise GenerationError(
                        f"{task_id} sample {index}: giving up after {attempt + 1} attempts at "
                        f"{self.endpoint}; last error: {_describe(exc)}. Finished samples are "
                        "cached: rerun the same command to resume"
                    ) from exc
                with self.lock:
                    self.stats["retries"] += 1
                if self.stop.wait(self.retry.delay(key, attempt, _retry_after(exc))):
                    return None
                attempt += 1

    def _draw(self, task: dict, index: int) -> None:
        task_id = task["task_id"]
        messages = build_messages(task, self.request["prompt_style"])
        response = self._call(task_id, index, self._params(messages, index))
        if response is None:
            return
        if not response.choices:
            raise GenerationError(f"{task_id} sample {index}: the endpoint returned no choices")
        choice = response.choices[0]
        usage = response.usage.model_dump() if response.usage is not None else None
        self.cache.store(
            {
                "task_id": task_id,
                "sample_index": index,
                "model": self.request["model"],
                "response_model": response.model,
                "response_id": response.id,
                "base_url": self.endpoint,
                "temperature": self.request["temperature"],
                "prompt_style": self.request["prompt_style"],
                "prompt_sha256": hashlib.sha256(
                    json.dumps(messages, sort_keys=True).encode("utf-8")
                ).hexdigest(),
                "completion": choice.message.content or "",
                "finish_reason": choice.finish_reason,
                "usage": usage,
            }
        )
        with self.lock:
            self.stats["requested"] += 1


def write_outputs(
    out: Path,
    tasks: Sequence[dict],
    n: int,
    config: GenerationConfig,
    cache: SampleCache,
    *,
    raw: bool = False,
    base_url: str | None = None,
    benchmark_sha256: str | None = None,
) -> GenerationResult:
    """Write ``samples.jsonl`` and ``metadata.json`` from a complete cache, in task then index order."""
    sanitize = None if raw else _find_sanitizer()
    lines = []
    usage_totals: dict[str, int] = {}
    finish: dict[str, int] = {}
    response_models: set[str] = set()
    base_urls: set[str] = set()
    for task in tasks:
        for index in range(n):
            record = cache.load(task["task_id"], index)
            text = record["completion"]
            if sanitize is not None:
                try:
                    entry = {"task_id": task["task_id"], "solution": sanitize(text, task)}
                except Exception as exc:  # noqa: BLE001
                    raise GenerationError(
                        f"{cache.path(task['task_id'], index)}: the sanitizer failed ({exc!r})"
                    ) from exc
            else:
                entry = {"task_id": task["task_id"], "completion": text}
            lines.append(json.dumps(entry, ensure_ascii=False) + "\n")
            for k, v in (record.get("usage") or {}).items():
                if isinstance(v, int):
                    usage_totals[k] = usage_totals.get(k, 0) + v
            reason = str(record.get("finish_reason"))
            finish[reason] = finish.get(reason, 0) + 1
            if record.get("base_url"):
                base_urls.add(record["base_url"])
            if record.get("response_model"):
                response_models.add(record["response_model"])
    samples_path = out / "samples.jsonl"
    atomic_write(samples_path, "".join(lines), fsync=True)
    metadata = {
        **dataclasses.asdict(config),
        "base_url": base_url,  # of the run that completed the set, without credentials
        "base_urls": sorted(base_urls),  # every endpoint a cached sample came from
        "n": n,
        "n_tasks": len(tasks),
        "n_samples": len(tasks) * n,
        "task_ids_sha256": hashlib.sha256("\n".join(t["task_id"] for t in tasks).encode()).hexdigest(),
        "benchmark_sha256": benchmark_sha256,
        "response_models": sorted(response_models),
        "finish_reasons": dict(sorted(finish.items())),
        "truncated": finish.get("length", 0),
        "usage": dict(sorted(usage_totals.items())),
        "sanitized": sanitize is not None,
        "samples_field": "solution" if sanitize is not None else "completion",
        "samples": samples_path.name,
        "cache": "cache/",
    }
    metadata_path = out / "metadata.json"
    atomic_write(metadata_path, _dump(metadata), fsync=True)
    return GenerationResult(
        out_dir=out,
        samples_path=samples_path,
        metadata_path=metadata_path,
        n_tasks=len(tasks),
        n_samples=len(tasks) * n,
        n_requested=0,
        n_cached=0,
        n_retries=0,
        sanitized=sanitize is not None,
    )


def _benchmark_sha256(benchmark: str) -> str:
    from flaws.data import benchmark_sha256

    return benchmark_sha256(benchmark)


# --------------------------------------------------------------------------------------------
# command line


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="flaws generate",
        description="Draw samples from an OpenAI-compatible chat completions endpoint (resumable).",
    )
    p.add_argument("--model", required=True, help="model name as the endpoint knows it")
    p.add_argument("--base-url", required=True, help="endpoint base URL, e.g. http://localhost:8000/v1")
    p.add_argument("--n", type=int, default=50, help="samples per task (default 50)")
    p.add_argument("--temperature", type=float, default=0.8, help="sampling temperature (default 0.8)")
    p.add_argument("--top-p", type=float, default=None, help="nucleus sampling (default: server's)")
    p.add_argument("--max-tokens", type=int, default=1024,
                   help="max completion tokens (default 1024; 0 = the server's default)")
    p.add_argument("--benchmark", choices=BENCHMARKS, default="humaneval+",
                   help="benchmark whose tasks are prompted (default humaneval+)")
    p.add_argument("--prompt-style", choices=PROMPT_STYLES, default="base",
                   help="base: complete the function in a python code block; instruction: "
                        "EvalPlus's chat prompt (default base)")
    p.add_argument("--tasks", default=None, help="comma-separated task ids (default: all)")
    p.add_argument("--limit", type=int, default=None, help="only the first N tasks")
    p.add_argument("--out", default=None, help="output directory (default: data/interim/generated/...)")
    p.add_argument("--concurrency", type=int, default=4, help="max requests in flight (default 4)")
    p.add_argument("--api-key-env", default="OPENAI_API_KEY",
                   help="environment variable holding the API key (default OPENAI_API_KEY)")
    p.add_argument("--timeout", type=float, default=600.0, help="per-request timeout in seconds")
    p.add_argument("--max-retries", type=int, default=RetryPolicy.max_retries,
                   help="retries per request on 408/409/429/5xx/connection errors (default %(default)s)")
    p.add_argument("--retry-base-delay", type=float, default=RetryPolicy.base_delay,
                   help="first backoff in seconds, doubled per retry (default %(default)s)")
    p.add_argument("--retry-max-delay", type=float, default=RetryPolicy.max_delay,
                   help="longest backoff in seconds (default %(default)s)")
    p.add_argument("--no-seed", action="store_true", help="do not send seed=sample_index")
    p.add_argument("--raw", action="store_true", help="write the raw chat text (no sanitizing)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        task_ids = [t.strip() for t in args.tasks.split(",") if t.strip()] if args.tasks else None
        tasks = load_tasks(args.benchmark, task_ids, args.limit)
        result = generate(
            args.model,
            args.base_url,
            n=args.n,
            temperature=args.temperature,
            benchmark=args.benchmark,
            tasks=tasks,
            out_dir=args.out,
            concurrency=args.concurrency,
            max_tokens=args.max_tokens or None,
            top_p=args.top_p,
            prompt_style=args.prompt_style,
            api_key=os.environ.get(args.api_key_env, "EMPTY"),
            seed=not args.no_seed,
            timeout=args.timeout,
            retry=RetryPolicy(args.max_retries, args.retry_base_delay, args.retry_max_delay),
            raw=args.raw,
            progress=not args.no_progress,
            benchmark_sha256=_benchmark_sha256(args.benchmark),
        )
    except GenerationError as exc:
        print(f"flaws generate: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("flaws generate: interrupted; finished samples are cached, rerun to resume",
              file=sys.stderr)
        return 130
    print(
        f"{result.n_samples} samples for {result.n_tasks} tasks in {_relative(result.samples_path)} "
        f"({result.n_requested} drawn now, {result.n_cached} from the cache, "
        f"{result.n_retries} retries)"
    )
    return 0


def _relative(path: Path) -> str:
    try:
        from flaws.data import project_root

        return str(path.resolve().relative_to(project_root().resolve()))
    except Exception:  # noqa: BLE001
        return str(path)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
