"""End-to-end tests of the generation client (flaws.generate).

A real HTTP server on 127.0.0.1 (ephemeral port) speaks the chat completions protocol; the
``openai`` client library talks to it over TCP, unmocked. The server can fail the first k
requests or every request after m successes, counts requests and the maximum number in flight,
and answers with canned code derived from the prompt and the seed.
"""

from __future__ import annotations

import http.server
import json
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("openai")

from flaws import generate as gen  # noqa: E402

TASKS = [
    {
        "task_id": "Toy/0",
        "prompt": 'def add_one(x: int) -> int:\n    """Return x + 1."""\n',
        "entry_point": "add_one",
    },
    {
        "task_id": "Toy/1",
        "prompt": 'def double(x: int) -> int:\n    """Return 2 * x."""\n',
        "entry_point": "double",
    },
    {
        "task_id": "Toy/2",
        "prompt": 'def negate(x: int) -> int:\n    """Return -x."""\n',
        "entry_point": "negate",
    },
]

FAST = gen.RetryPolicy(max_retries=3, base_delay=0.001, max_delay=0.01)


def canned_reply(messages: list[dict], seed) -> str:
    """The server's deterministic answer: a fenced function named after the prompt's entry point."""
    name = re.search(r"def (\w+)\(", messages[-1]["content"]).group(1)
    return f"Sure! Here it is:\n```python\ndef {name}(x):\n    return x  # sample {seed}\n```\nDone."


class ChatServer:
    """A tiny OpenAI-compatible chat completions server for tests.

    ``fail_first``: answer the first k requests with ``fail_status``.
    ``fail_after``: once that many requests succeeded, answer every further one with
    ``after_status`` (set to None at any time to heal the server).
    ``delay``: seconds each request is held (to measure concurrency).
    ``hold_after``: requests after this many wait until ``release`` is set (at most 60 s).
    """

    def __init__(self, *, fail_first=0, fail_status=429, fail_after=None, after_status=500,
                 delay=0.0, retry_after=None, hold_after=None):
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.fail_after = fail_after
        self.after_status = after_status
        self.delay = delay
        self.retry_after = retry_after
        self.hold_after = hold_after
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.reset()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):
                server._handle(self)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)

    def reset(self):
        with self.lock:
            self.requests = 0
            self.successes = 0
            self.in_flight = 0
            self.max_in_flight = 0
            self.bodies = []
            self.auth = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    def _send(self, handler, status, payload, headers=()):
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            handler.send_header(k, v)
        handler.end_headers()
        handler.wfile.write(data)

    def _handle(self, handler):
        length = int(handler.headers.get("Content-Length", 0))
        body = json.loads(handler.rfile.read(length) or b"{}")
        if handler.path != "/v1/chat/completions":
            self._send(handler, 404, {"error": {"message": f"no route {handler.path}"}})
            return
        with self.lock:
            self.requests += 1
            number = self.requests
            self.bodies.append(body)
            self.auth.append(handler.headers.get("Authorization"))
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            if number <= self.fail_first:
                status = self.fail_status
            elif self.fail_after is not None and self.successes >= self.fail_after:
                status = self.after_status
            else:
                status = 200
                self.successes += 1
        if self.hold_after is not None and number > self.hold_after:
            self.release.wait(60)
        time.sleep(self.delay)
        with self.lock:  # leave before answering: the measured maximum never over-counts
            self.in_flight -= 1
        if status != 200:
            headers = [("Retry-After", str(self.retry_after))] if self.retry_after is not None else []
            self._send(handler, status, {"error": {"message": f"test server says {status}",
                                                   "type": "test_error", "code": status}}, headers)
            return
        content = canned_reply(body["messages"], body.get("seed"))
        self._send(handler, 200, {
            "id": f"chatcmpl-{number}",
            "object": "chat.completion",
            "created": 1700000000 + number,
            "model": body["model"] + "-served",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18},
        })


@pytest.fixture
def server():
    with ChatServer() as s:
        yield s


def run(server, out, **kw):
    kw.setdefault("n", 2)
    kw.setdefault("temperature", 0.8)
    kw.setdefault("tasks", TASKS)
    kw.setdefault("retry", FAST)
    kw.setdefault("raw", True)
    kw.setdefault("progress", False)
    kw.setdefault("concurrency", 1)
    return gen.generate("toy-model", server.base_url, out_dir=out, api_key="test-key", **kw)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_full_run_writes_samples_cache_and_metadata(server, tmp_path):
    result = run(server, tmp_path, concurrency=2)
    rows = read_jsonl(result.samples_path)
    assert [(r["task_id"]) for r in rows] == ["Toy/0", "Toy/0", "Toy/1", "Toy/1", "Toy/2", "Toy/2"]
    assert [set(r) for r in rows] == [{"task_id", "completion"}] * 6
    for row, (task, i) in zip(rows, [(t, i) for t in TASKS for i in range(2)]):
        expect = canned_reply([{"content": gen.build_messages(task)[0]["content"]}], i)
        assert row["completion"] == expect
    assert result.n_requested == 6 and result.n_cached == 0 and result.n_retries == 0
    assert server.requests == 6

    # every request carried the task prompt, the sampling settings, seed = sample index, our key
    seen = sorted((b["seed"], b["messages"][0]["content"]) for b in server.bodies)
    assert [s for s, _ in seen] == [0, 0, 0, 1, 1, 1]
    for body in server.bodies:
        assert body["model"] == "toy-model" and body["temperature"] == 0.8
        assert body["max_tokens"] == 1024 and "n" not in body
        assert any(t["prompt"] in body["messages"][0]["content"] for t in TASKS)
        assert "```python" in body["messages"][0]["content"]
    assert set(server.auth) == {"Bearer test-key"}

    cache_files = sorted(p.relative_to(tmp_path).as_posix() for p in (tmp_path / "cache").rglob("*.json"))
    assert cache_files == ["cache/Toy_0/0.json", "cache/Toy_0/1.json", "cache/Toy_1/0.json",
                           "cache/Toy_1/1.json", "cache/Toy_2/0.json", "cache/Toy_2/1.json",
                           "cache/config.json"]
    assert not list(tmp_path.rglob("*.tmp"))
    record = json.loads((tmp_path / "cache/Toy_1/1.json").read_text())
    assert record["response_model"] == "toy-model-served" and record["finish_reason"] == "stop"

    meta = json.loads(result.metadata_path.read_text())
    assert meta["model"] == "toy-model" and meta["temperature"] == 0.8
    assert meta["base_url"] == server.base_url and meta["base_urls"] == [server.base_url]
    assert meta["n"] == 2 and meta["n_tasks"] == 3 and meta["n_samples"] == 6
    assert meta["usage"] == {"completion_tokens": 42, "prompt_tokens": 66, "total_tokens": 108}
    assert meta["sanitized"] is False and meta["samples_field"] == "completion"
    assert meta["truncated"] == 0
    assert "test-key" not in result.metadata_path.read_text()


@pytest.mark.parametrize("status", [429, 500, 503])
def test_retries_transient_errors_then_succeeds(tmp_path, status):
    with ChatServer(fail_first=2, fail_status=status, retry_after=0) as server:
        result = run(server, tmp_path, tasks=TASKS[:1], n=1)
        assert server.requests == 3 and server.successes == 1
    assert result.n_retries == 2 and result.n_requested == 1
    assert len(read_jsonl(result.samples_path)) == 1


def test_gives_up_after_max_retries_with_clear_error(tmp_path):
    with ChatServer(fail_first=100, fail_status=429) as server:
        with pytest.raises(gen.GenerationError, match=r"Toy/0 sample 0: giving up after 4 attempts.*HTTP 429"):
            run(server, tmp_path, tasks=TASKS[:1], n=1)
        assert server.requests == 4  # 1 + FAST.max_retries
    assert not (tmp_path / "samples.jsonl").exists()


def test_connection_errors_are_retried(tmp_path):
    with ChatServer() as server:
        url = server.base_url
    # the server is gone: nothing listens on that port any more
    with pytest.raises(gen.GenerationError, match=r"giving up after 4 attempts.*APIConnectionError"):
        gen.generate("toy-model", url, n=1, temperature=0.8, tasks=TASKS[:1], out_dir=tmp_path,
                     retry=FAST, raw=True, progress=False)


def test_persistent_4xx_fails_at_once(tmp_path):
    with ChatServer(fail_first=100, fail_status=400) as server:
        with pytest.raises(gen.GenerationError) as info:
            run(server, tmp_path, n=3)
        assert server.requests == 1  # a bad request is not retried, and the run stops
    message = str(info.value)
    assert "rejected the request (HTTP 400" in message and "test server says 400" in message
    assert "not retried" in message and "Toy/0 sample 0" in message


def test_resume_after_interruption_matches_uninterrupted_run(tmp_path):
    with ChatServer(fail_after=4, after_status=500) as server:
        with pytest.raises(gen.GenerationError, match="rerun the same command to resume"):
            run(server, tmp_path / "interrupted")
        cached = sorted(p.relative_to(tmp_path / "interrupted/cache").as_posix()
                        for p in (tmp_path / "interrupted/cache").rglob("*/*.json"))
        assert cached == ["Toy_0/0.json", "Toy_0/1.json", "Toy_1/0.json", "Toy_1/1.json"]
        assert not (tmp_path / "interrupted/samples.jsonl").exists()

        server.fail_after = None  # the endpoint recovers
        server.reset()
        resumed = run(server, tmp_path / "interrupted")
        assert server.successes == 2 and server.requests == 2  # only the missing samples
        assert resumed.n_cached == 4 and resumed.n_requested == 2

        server.reset()
        again = run(server, tmp_path / "interrupted")  # nothing left to draw
        assert server.requests == 0 and again.n_cached == 6 and again.n_requested == 0

        server.reset()
        clean = run(server, tmp_path / "clean", concurrency=3)
        assert server.requests == 6

    for name in ("samples.jsonl", "metadata.json"):
        assert (tmp_path / "interrupted" / name).read_bytes() == (tmp_path / "clean" / name).read_bytes()


INTERRUPTIBLE = """
import json, sys
from flaws import generate as gen
try:
    gen.generate("toy-model", sys.argv[2], n=10, temperature=0.8, tasks=json.loads(sys.argv[1]),
                 out_dir=sys.argv[3], raw=True, progress=False, concurrency=2)
except KeyboardInterrupt:
    sys.exit(130)
"""


@pytest.mark.slow
def test_ctrl_c_keeps_every_answered_sample(tmp_path):
    def cached():
        return sorted((tmp_path / "cache").rglob("*/*.json"))

    # The server answers four requests, then holds the rest until the interrupt has been sent,
    # so the interrupt always lands mid-run, however busy the machine.
    with ChatServer(hold_after=4) as server:
        # A shell that starts a job in the background (nohup, CI runners) makes it ignore
        # SIGINT, and children inherit that: give the generator the default disposition back.
        proc = subprocess.Popen([sys.executable, "-c", INTERRUPTIBLE, json.dumps(TASKS),
                                 server.base_url, str(tmp_path)],
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        deadline = time.monotonic() + 60
        while len(cached()) < 4 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.01)
        assert proc.poll() is None and len(cached()) == 4
        time.sleep(0.2)  # let the next requests arrive and be held
        proc.send_signal(signal.SIGINT)
        server.release.set()  # the requests in flight are answered and kept
        assert proc.wait(30) == 130
        kept = len(cached())
        assert 4 <= kept < 30
        assert server.successes == kept  # requests in flight at the interrupt were kept too
        assert not (tmp_path / "samples.jsonl").exists()
        assert not list(tmp_path.rglob("*.tmp"))

        server.reset()
        server.hold_after = None
        result = run(server, tmp_path, n=10, concurrency=2)
        assert server.requests == 30 - kept and result.n_cached == kept
        assert len(read_jsonl(result.samples_path)) == 30


def test_growing_n_only_draws_new_indices(server, tmp_path):
    run(server, tmp_path, n=1)
    server.reset()
    result = run(server, tmp_path, n=3)
    assert server.requests == 6 and sorted(b["seed"] for b in server.bodies) == [1, 1, 1, 2, 2, 2]
    assert result.n_cached == 3 and len(read_jsonl(result.samples_path)) == 9


def test_concurrency_bound_is_respected(tmp_path):
    with ChatServer(delay=0.15) as server:
        run(server, tmp_path, n=3, concurrency=3)  # 9 requests
        assert server.requests == 9
        assert server.max_in_flight == 3  # parallel, but never more than asked


def test_other_settings_in_the_same_directory_are_refused(server, tmp_path):
    run(server, tmp_path, n=1)
    with pytest.raises(gen.GenerationError, match=r"config.json.*temperature: cached 0.8, requested 0.2"):
        run(server, tmp_path, n=1, temperature=0.2)


def test_corrupt_cache_file_is_named(server, tmp_path):
    run(server, tmp_path, n=1)
    bad = tmp_path / "cache/Toy_1/0.json"
    bad.write_text('{"task_id": "Toy/1",\n oops')
    with pytest.raises(gen.GenerationError, match=r"Toy_1[/\\]0.json: line 2: not valid JSON"):
        run(server, tmp_path, n=1)


def test_sanitizer_is_applied_unless_raw(server, tmp_path, monkeypatch):
    calls = []

    def fake_sanitize(text, task):
        calls.append(task["task_id"])
        return f"# sanitized for {task['entry_point']}\n"

    monkeypatch.setattr(gen, "_find_sanitizer", lambda: fake_sanitize)
    result = run(server, tmp_path, n=1, raw=False)
    rows = read_jsonl(result.samples_path)
    assert rows[0] == {"task_id": "Toy/0", "solution": "# sanitized for add_one\n"}
    assert calls == ["Toy/0", "Toy/1", "Toy/2"]
    assert json.loads(result.metadata_path.read_text())["sanitized"] is True


def use_toy_benchmark(monkeypatch):
    """Make the CLI's benchmark the toy tasks (no mirror needed)."""
    monkeypatch.setattr(gen, "load_tasks",
                        lambda benchmark, ids=None, limit=None: gen.select_tasks(TASKS, ids, limit))
    monkeypatch.setattr(gen, "_benchmark_sha256", lambda benchmark: "toy-sha256")


def test_cli_end_to_end(server, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MY_TEST_KEY", "sk-from-env")
    use_toy_benchmark(monkeypatch)
    argv = ["--model", "toy-model", "--base-url", server.base_url, "--n", "2", "--temperature", "0.2",
            "--tasks", "Toy/2,Toy/0", "--out", str(tmp_path), "--api-key-env", "MY_TEST_KEY",
            "--prompt-style", "instruction", "--max-tokens", "64", "--raw", "--no-progress",
            "--retry-base-delay", "0.001"]
    assert gen.main(argv) == 0
    assert "4 samples for 2 tasks" in capsys.readouterr().out
    rows = read_jsonl(tmp_path / "samples.jsonl")
    assert [r["task_id"] for r in rows] == ["Toy/0", "Toy/0", "Toy/2", "Toy/2"]  # benchmark order
    assert set(server.auth) == {"Bearer sk-from-env"}
    assert all(b["max_tokens"] == 64 and b["temperature"] == 0.2 for b in server.bodies)
    assert all("self-contained Python script" in b["messages"][0]["content"] for b in server.bodies)
    meta = json.loads((tmp_path / "metadata.json").read_text())
    assert meta["prompt_style"] == "instruction" and "sk-from-env" not in json.dumps(meta)
    assert meta["benchmark"] == "humaneval+" and meta["benchmark_sha256"] == "toy-sha256"

    assert gen.main(argv[:-2] + ["--tasks", "Toy/9"]) == 1
    assert "unknown task id(s): Toy/9" in capsys.readouterr().err


def test_cli_reports_bad_request(tmp_path, monkeypatch, capsys):
    use_toy_benchmark(monkeypatch)
    with ChatServer(fail_first=100, fail_status=404) as server:
        code = gen.main(["--model", "nope", "--base-url", server.base_url, "--n", "1",
                         "--out", str(tmp_path), "--raw", "--no-progress"])
    assert code == 1
    assert "HTTP 404" in capsys.readouterr().err


def test_public_url_strips_credentials():
    url = "https://alice:s3cret@api.example.com:8443/v1?api-key=abc&api-version=2024-02-01#frag"
    public = gen.public_url(url)
    assert public == "https://api.example.com:8443/v1?api-key=REDACTED&api-version=2024-02-01"
    assert gen.public_url("http://127.0.0.1:8000/v1") == "http://127.0.0.1:8000/v1"


def test_retry_delays_are_deterministic_and_bounded():
    policy = gen.RetryPolicy(max_retries=5, base_delay=1.0, max_delay=8.0)
    delays = [policy.delay("HumanEval/3#7", a) for a in range(6)]
    assert delays == [policy.delay("HumanEval/3#7", a) for a in range(6)]
    for attempt, d in enumerate(delays):
        cap = min(8.0, 2.0**attempt)
        assert cap / 2 <= d < cap
    assert delays != [policy.delay("HumanEval/3#8", a) for a in range(6)]  # jitter differs per request
    assert policy.delay("k", 0, retry_after=5.0) == 5.0
    assert policy.delay("k", 0, retry_after=100.0) == 8.0


def test_prompt_styles_contain_the_task_prompt():
    for style in gen.PROMPT_STYLES:
        (message,) = gen.build_messages(TASKS[0], style)
        assert message["role"] == "user"
        assert TASKS[0]["prompt"].strip() in message["content"]
    with pytest.raises(ValueError, match="unknown prompt style"):
        gen.build_messages(TASKS[0], "rule")


def test_default_output_is_the_sanitized_program(server, tmp_path):
    result = run(server, tmp_path, n=1, raw=False)
    rows = read_jsonl(result.samples_path)
    assert [set(r) for r in rows] == [{"task_id", "solution"}] * 3
    first = rows[0]["solution"]
    assert "def add_one(x):" in first and "return x  # sample 0" in first
    assert "Sure!" not in first and "```" not in first and "Done." not in first
    meta = json.loads(result.metadata_path.read_text())
    assert meta["sanitized"] is True and meta["samples_field"] == "solution"


def test_mbpp_style_prompt_names_the_function_and_shows_one_test():
    task = {"task_id": "Mbpp/2", "entry_point": "similar_elements",
            "prompt": "'''\nWrite a function to find the shared elements.\n'''",
            "assertion": "\nassert similar_elements((3, 4), (4, 5)) == (4,)\nassert similar_elements((1,), (1,)) == (1,)\n"}
    assert gen.task_problem(task) == ('"""\nWrite a function to find the shared elements.\n'
                                      'assert similar_elements((3, 4), (4, 5)) == (4,)\n"""\n')
    (base,) = gen.build_messages(task, "base")
    assert "`similar_elements`" in base["content"] and "(1,)) == (1,)" not in base["content"]
    (instruction,) = gen.build_messages(task, "instruction")
    assert instruction["content"].endswith(gen.task_problem(task).strip() + "\n```")
    assert gen.task_problem(TASKS[0]) == TASKS[0]["prompt"]  # HumanEval-style prompts unchanged
