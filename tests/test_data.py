"""The sources registry, the verifying fetcher (mirror and HTTP paths) and the benchmark loader."""

import hashlib
import http.server
import json
import os
import pathlib
import shutil
import subprocess
import sys
import threading

import pytest

from flaws import data, sources

ROOT = pathlib.Path(__file__).resolve().parents[1]


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def write_registry(path: pathlib.Path, sid: str, files: list[dict]) -> pathlib.Path:
    lines = [
        "[[source]]",
        f'id = "{sid}"',
        'kind = "samples"',
        'license = "MIT"',
        'citation = "test"',
        'description = "a source made by the test"',
    ]
    for f in files:
        lines += ["[[source.file]]"] + [f"{k} = {json.dumps(v)}" for k, v in f.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def raw(tmp_path, monkeypatch):
    d = tmp_path / "raw"
    monkeypatch.setenv("FLAWS_RAW_DIR", str(d))
    return d


# -- registry ---------------------------------------------------------------------------------

def test_registry_has_all_sixteen_sources_with_complete_entries():
    reg = sources.registry()
    assert [s["id"] for s in reg] == [
        "humanevalplus-v0.1.10", "mbppplus-2023-11", "codet-codegen16b", "multipl-e-davinci-keep",
        "mvce-ollama", "humaneval-results-md", "evalplus-leaderboard",
        "codet-codegen16b-tests", "agentcoder-gpt35", "reflexion-gpt4-tests", "reflexion-gpt4-mbpp",
        "paircoder-outputs", "wizardcoder-greedy", "llmdebugger-seeds", "mgdebugger-seeds",
        "evalplus-chatgpt-mbpp",
    ]
    for s in reg:
        assert s["kind"] in sources.KINDS and s["license"] and s["citation"] and s["description"]
        assert all(f["url"].startswith("https://") and f["bytes"] > 0 for f in s["file"])


def test_registry_agrees_with_the_mirror_manifest(mirror):
    manifest = json.loads((mirror / "sources.json").read_text())
    ours = {s["id"]: {f["path"]: (f["url"], f["sha256"], f["bytes"]) for f in s["file"]} for s in sources.registry()}
    theirs = {s["id"]: {f["path"]: (f["url"], f["sha256"], f["bytes"]) for f in s["files"]} for s in manifest}
    assert ours == theirs
    # license and pinned commit exactly as the manifest states them
    assert {s["id"]: (s["license"], s["commit"]) for s in sources.registry()} == {
        s["id"]: (s["license"], s["commit"]) for s in manifest}
    assert all(s["repository"] == f"https://github.com/{m['repo']}"
               for s, m in zip(sources.registry(), manifest))


def test_registry_errors_name_the_file_and_the_problem(tmp_path):
    bad = write_registry(tmp_path / "r.toml", "x", [{"path": "a", "url": "https://e/a", "sha256": "zz", "bytes": 1}])
    with pytest.raises(sources.RegistryError, match=r"r\.toml.*source #1 \(x\).*not 64 hex"):
        sources.parse_registry(bad)
    broken = tmp_path / "broken.toml"
    broken.write_text("[[source]]\nid = \n")
    with pytest.raises(sources.RegistryError, match=r"broken\.toml: not valid TOML.*line 2"):
        sources.parse_registry(broken)


def test_unknown_source_lists_known_ones():
    with pytest.raises(KeyError, match="known sources: humanevalplus"):
        data.files("nope")


# -- fetch from the mirror --------------------------------------------------------------------

def test_fetch_verifies_every_file_of_every_source_from_the_mirror(mirror, raw):
    counts = data.fetch(progress=False)
    assert len(counts) == 16
    for s in sources.registry():
        for f in s["file"]:
            p = raw / s["id"] / f["path"]
            assert p.is_file() and sha(p.read_bytes()) == f["sha256"]
    assert sum(counts.values()) == sum(len(s["file"]) for s in sources.registry())


def test_one_corrupted_byte_in_the_mirror_fails_with_source_file_and_hashes(mirror, raw, tmp_path, monkeypatch):
    sid, name = "evalplus-leaderboard", "results.json"
    fake = tmp_path / "mirror"
    (fake / sid).mkdir(parents=True)
    blob = bytearray((mirror / sid / name).read_bytes())
    blob[100] ^= 0x01
    (fake / sid / name).write_bytes(bytes(blob))
    monkeypatch.setenv("FLAWS_MIRROR", str(fake))
    expected = sources.file_entry(sid, name)["sha256"]
    with pytest.raises(data.FetchError) as e:
        data.path(sid, name)
    msg = str(e.value)
    assert sid in msg and name in msg and expected in msg and sha(bytes(blob)) in msg
    assert not (raw / sid / name).exists(), "an unverified file became visible"
    assert not [p for p in (raw / sid).glob("*")], "a temporary file was left behind"


def test_missing_mirror_file_is_a_clear_error(raw, tmp_path, monkeypatch):
    monkeypatch.setenv("FLAWS_MIRROR", str(tmp_path / "empty"))
    with pytest.raises(data.FetchError, match=r"'evalplus-leaderboard', file 'results.json': not in the mirror"):
        data.path("evalplus-leaderboard", "results.json")


def test_cli_fetch_reports_errors_with_exit_code(tmp_path):
    env = dict(os.environ, FLAWS_MIRROR=str(tmp_path / "empty"), FLAWS_RAW_DIR=str(tmp_path / "raw"))
    r = subprocess.run([sys.executable, "-m", "flaws.cli", "fetch", "evalplus-leaderboard"], env=env, capture_output=True, text=True)
    assert r.returncode == 1 and "not in the mirror" in r.stderr
    r = subprocess.run([sys.executable, "-m", "flaws.cli", "fetch", "no-such-source"], env=env, capture_output=True, text=True)
    assert r.returncode == 1 and "unknown source" in r.stderr


# -- fetch over HTTP ----------------------------------------------------------------------------

class _Server:
    def __init__(self, root: pathlib.Path):
        self.requests = []
        outer = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=str(root), **kw)

            def do_GET(self):
                outer.requests.append(self.path)
                super().do_GET()

            def log_message(self, *a):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    s = _Server(root)
    s.root = root
    yield s
    s.close()


def test_http_download_is_verified_and_idempotent(server, raw, tmp_path, monkeypatch):
    monkeypatch.delenv("FLAWS_MIRROR", raising=False)
    payload = b"task_id,solution\n" * 1000
    (server.root / "f.csv").write_bytes(payload)
    reg = write_registry(tmp_path / "reg.toml", "local", [
        {"path": "sub/f.csv", "url": f"{server.url}/f.csv", "sha256": sha(payload), "bytes": len(payload)},
        {"path": "bad.csv", "url": f"{server.url}/f.csv", "sha256": "0" * 64, "bytes": len(payload)},
        {"path": "gone.csv", "url": f"{server.url}/gone.csv", "sha256": "1" * 64, "bytes": 1},
    ])
    monkeypatch.setenv("FLAWS_SOURCES", str(reg))
    p = data.path("local", "sub/f.csv")
    assert p == raw / "local" / "sub" / "f.csv" and p.read_bytes() == payload
    assert server.requests == ["/f.csv"]
    assert data.path("local", "sub/f.csv") == p
    assert server.requests == ["/f.csv"], "a verified file was fetched again"
    # a corrupted local copy is replaced by a verified one
    p.write_bytes(b"tampered")
    assert data.path("local", "sub/f.csv").read_bytes() == payload
    with pytest.raises(data.FetchError, match=f"'bad.csv': sha256 mismatch.*expected {'0' * 64}, got {sha(payload)}"):
        data.path("local", "bad.csv")
    assert not (raw / "local" / "bad.csv").exists()
    with pytest.raises(data.FetchError, match=r"'gone.csv': download of .*gone.csv failed"):
        data.path("local", "gone.csv")


# -- benchmarks ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name,n", [("humaneval+", 164), ("mbpp+", 399)])
def test_load_benchmark(mirror, name, n):
    tasks = data.load_benchmark(name)
    assert len(tasks) == n
    assert len({t["task_id"] for t in tasks}) == n
    for t in tasks:
        assert t["prompt"] and t["entry_point"] and t["canonical_solution"]
        assert t["entry_point"] in t["prompt"] or name == "mbpp+"
        assert isinstance(t["atol"], float)
        assert t["base_input"], t["task_id"]
    empty_plus = [t["task_id"] for t in tasks if not t["plus_input"]]
    # In the 399-task MBPP+ pre-release one task ships without plus inputs; HumanEval+ has none.
    assert empty_plus == ([] if name == "humaneval+" else ["Mbpp/793"])
    assert data.load_benchmark(name) == tasks  # deterministic


def test_load_benchmark_keeps_big_integers_and_mbpp_deserialization(mirror):
    he = {t["task_id"]: t for t in data.load_benchmark("humaneval+")}
    big = [x for t in he.values() for inp in t["plus_input"] for x in inp if isinstance(x, int) and abs(x) > 2**63]
    assert big, "HumanEval+ has integers beyond 64 bits; they must survive loading"
    from evalplus.data.mbpp import mbpp_deserialize_inputs

    raw = [json.loads(l) for l in open(data.path("mbppplus-2023-11", "MbppPlus.jsonl"))]
    ours = {t["task_id"]: t for t in data.load_benchmark("mbpp+")}
    for r in raw:
        assert ours[r["task_id"]]["plus_input"] == mbpp_deserialize_inputs(r["task_id"], r["plus_input"])


def test_benchmark_errors():
    with pytest.raises(KeyError, match="known: humaneval\\+, mbpp\\+"):
        data.load_benchmark("humaneval")
    with pytest.raises(ValueError, match="'local' or 'hub'"):
        data.load_benchmark("humaneval+", source="web")


def test_bad_benchmark_line_names_file_and_line(tmp_path, monkeypatch):
    sid = "humanevalplus-v0.1.10"
    good = '{"task_id": "HumanEval/0", "prompt": "def f():\\n", "entry_point": "f", "canonical_solution": "  return 1\\n", "base_input": [[]], "plus_input": [[]], "atol": 0}\n'
    blob = (good + "{not json\n").encode()
    import gzip

    gz = gzip.compress(blob, mtime=0)
    reg = write_registry(tmp_path / "reg.toml", sid, [{"path": "HumanEvalPlus.jsonl.gz", "url": "https://example.invalid/x", "sha256": sha(gz), "bytes": len(gz)}])
    mirror = tmp_path / "m" / sid
    mirror.mkdir(parents=True)
    (mirror / "HumanEvalPlus.jsonl.gz").write_bytes(gz)
    monkeypatch.setenv("FLAWS_SOURCES", str(reg))
    monkeypatch.setenv("FLAWS_MIRROR", str(tmp_path / "m"))
    monkeypatch.setenv("FLAWS_RAW_DIR", str(tmp_path / "raw"))
    monkeypatch.setenv("FLAWS_INTERIM_DIR", str(tmp_path / "interim"))
    with pytest.raises(ValueError, match=r"HumanEvalPlus.jsonl.gz, line 2: not valid JSON"):
        data.load_benchmark("humaneval+")
    assert list((tmp_path / "interim" / "benchmarks").iterdir()) == [], "a half-written file was left"
