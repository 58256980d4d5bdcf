"""The committed outputs outside a checkout (flaws.outputs): the manifest is current, a copy of the
package that is not in a checkout fetches and verifies them from a repository URL, and a
checkout reads them in place without the network."""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from flaws import outputs, sources

ROOT = sources.checkout_root()
SRC = Path(outputs.__file__).resolve().parents[1]


def test_manifest_is_current():
    """Fails after a committed output changed without `python -m flaws.outputs manifest`."""
    assert outputs.stale(ROOT) == [], "run `python -m flaws.outputs manifest`"


def test_manifest_lists_what_the_readers_read():
    from flaws import metrics, paper
    from flaws.execute import agreement, generated_tests, plus_failures

    listed = {f["path"] for f in outputs.load_manifest()["files"]}
    for p in (ROOT / metrics.DEFAULT_OUTCOMES, paper.reported_path(), plus_failures.default_path(),
              generated_tests.default_path(), agreement.verdicts_path(), sources.registry_path(),
              ROOT / "benchmarks" / "results" / "plus_failures.json"):
        assert p.relative_to(ROOT).as_posix() in listed
    assert outputs.load_manifest()["repository"].startswith("https://github.com/")


def test_the_manifest_is_package_data():
    text = (ROOT / "pyproject.toml").read_text()
    assert '"outputs.json"' in text.split("[tool.setuptools.package-data]")[1]


def test_a_checkout_reads_in_place_without_the_network(monkeypatch):
    def no_network(*a, **k):
        raise AssertionError("a checkout must not download its outputs")

    monkeypatch.setattr(outputs.urllib.request, "urlopen", no_network)
    assert sources.project_root() == ROOT
    assert (ROOT / "pyproject.toml").is_file()


@pytest.fixture
def server(tmp_path):
    """A local file server of a folder; yields (folder, base URL)."""
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(served))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield served, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _entry(path, data: bytes) -> dict:
    import hashlib

    return {"path": path, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def test_fetch_verifies_and_leaves_nothing_half_written(server, tmp_path):
    served, base = server
    (served / "data").mkdir()
    (served / "data" / "good.txt").write_bytes(b"right\n")
    (served / "data" / "bad.txt").write_bytes(b"tampered\n")
    cache = tmp_path / "cache"
    got = outputs.fetch(_entry("data/good.txt", b"right\n"), cache, base)
    assert got.read_bytes() == b"right\n"
    want = _entry("data/bad.txt", b"original\n")
    with pytest.raises(outputs.OutputsError) as e:
        outputs.fetch(want, cache, base)
    msg = str(e.value)
    assert "data/bad.txt" in msg and want["sha256"] in msg
    assert __import__("hashlib").sha256(b"tampered\n").hexdigest() in msg
    assert sorted(p.name for p in (cache / "data").iterdir()) == ["good.txt"]  # no temporary file
    with pytest.raises(outputs.OutputsError, match=r"data/missing\.txt: download from .* failed"):
        outputs.fetch(_entry("data/missing.txt", b"x"), cache, base)
    with pytest.raises(outputs.OutputsError, match="not inside the project"):
        outputs.fetch(_entry("../escape.txt", b"x"), cache, base)


def test_default_base_url_is_the_repository_raw_content(monkeypatch):
    monkeypatch.delenv(outputs.REPO_ENV, raising=False)
    manifest = {"repository": "https://github.com/owner/repo", "files": []}
    monkeypatch.setattr(outputs, "_installed_from", lambda: (None, None))
    assert outputs.base_url(manifest) == "https://raw.githubusercontent.com/owner/repo/main"
    monkeypatch.setattr(outputs, "_installed_from", lambda: ("https://github.com/owner/repo.git", "ab12"))
    assert outputs.base_url(manifest) == "https://raw.githubusercontent.com/owner/repo/ab12"
    monkeypatch.setenv(outputs.REPO_ENV, "http://mirror.example/x/")
    assert outputs.base_url(manifest) == "http://mirror.example/x"


# What a stage notebook's first cells read, run by a copy of the package outside the checkout.
_READERS = r"""
import json, sys
from flaws import metrics, paper, sources
from flaws.data import project_root
from flaws.execute import plus_failures
root = project_root()
assert sources.checkout_root() is None and root.name.startswith("outputs-"), root
outcomes = metrics.load_outcomes()
same = metrics.load_outcomes(project_root() / metrics.DEFAULT_OUTCOMES)  # notebooks 02-04, 08
failures = plus_failures.read()
cost = json.loads((project_root() / "benchmarks" / "results" / "plus_failures.json").read_text())
print(json.dumps({"root": str(root), "flaws": metrics.__file__, "outcomes": len(outcomes),
                  "same": len(same), "failures": len(failures),
                  "paper_models": len(paper.humaneval_points()), "cost": sorted(cost)}))
"""


def _serve_checkout_copy(served: Path) -> None:
    """The repository's files as a raw-content server has them (only those the manifest lists)."""
    for f in outputs.load_manifest()["files"]:
        dest = served / f["path"]
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / f["path"], dest)


def _run(cmd, env, cwd):
    keep = {k: v for k, v in os.environ.items() if not k.startswith("FLAWS_") and k != "PYTHONPATH"}
    return subprocess.run(cmd, env={**keep, **env}, cwd=cwd, capture_output=True, text=True, timeout=600)


def _expected():
    from flaws import metrics, paper
    from flaws.execute import plus_failures

    return len(metrics.load_outcomes()), len(plus_failures.read()), len(paper.humaneval_points())


def _check(proc, home: Path):
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert Path(got["flaws"]).resolve().is_relative_to(home.resolve()), got  # the copy, not the checkout
    assert Path(got["root"]).resolve().is_relative_to((home / "cache").resolve())
    n_outcomes, n_failures, n_models = _expected()
    assert (got["outcomes"], got["same"], got["failures"], got["paper_models"]) == (
        n_outcomes, n_outcomes, n_failures, n_models)
    assert got["cost"]
    return got


@pytest.mark.slow
def test_a_copy_outside_the_checkout_fetches_the_outputs(server, tmp_path):
    """Only src/ copied into a temporary folder; the repository served over HTTP."""
    served, base = server
    _serve_checkout_copy(served)
    home = tmp_path / "elsewhere"
    shutil.copytree(SRC / "flaws", home / "site" / "flaws", ignore=shutil.ignore_patterns("__pycache__"))
    env = {"PYTHONPATH": str(home / "site"), outputs.REPO_ENV: base, outputs.CACHE_ENV: str(home / "cache")}
    got = _check(_run([sys.executable, "-c", _READERS], env, home), home)
    # a second run reads the verified cache: it works with the server gone
    shutil.rmtree(served)
    _check(_run([sys.executable, "-c", _READERS], env, home), home)
    # a tampered cached file is fetched again... and refused when the server has the wrong bytes
    cached = Path(got["root"]) / "data" / "reference" / "paper_reported.json"
    cached.write_text("{}")
    served.mkdir()
    (served / "data" / "reference").mkdir(parents=True)
    (served / "data" / "reference" / "paper_reported.json").write_text("{}")
    proc = _run([sys.executable, "-c", _READERS], env, home)
    assert proc.returncode != 0
    assert "data/reference/paper_reported.json" in proc.stderr and "expected sha256" in proc.stderr


@pytest.mark.slow
def test_a_package_pip_installed_from_a_clone_fetches_the_outputs(server, tmp_path):
    """`pip install git+<clone>@<commit>` (into a --target folder, no dependencies: the test's
    interpreter has them) of a clone holding the working tree's package: the manifest travels as
    package data, pip records the commit, and the readers work from a temporary folder."""
    served, base = server
    _serve_checkout_copy(served)
    repo, home = tmp_path / "clone", tmp_path / "elsewhere"
    for name in ("pyproject.toml", "README.md", "LICENSE", "LICENSE-text"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / name, repo / name)
    shutil.copytree(SRC / "flaws", repo / "src" / "flaws", ignore=shutil.ignore_patterns("__pycache__"))
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "snapshot"], check=True)
    commit = subprocess.run(git + ["rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    site = home / "site"
    pip = _run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site),
                f"git+{repo.as_uri()}@{commit}"], {}, tmp_path)
    offline = ("Could not find a version", "No matching distribution", "NewConnectionError")
    if pip.returncode != 0 and any(m in pip.stderr for m in offline):
        pytest.skip(f"pip cannot fetch the build backend (offline?): {pip.stderr[-300:]}")
    assert pip.returncode == 0, pip.stderr
    assert (site / "flaws" / "outputs.json").is_file()  # package data
    env = {"PYTHONPATH": str(site), outputs.CACHE_ENV: str(home / "cache")}
    probe = "from flaws import outputs; print(outputs._installed_from()[1]); print(outputs.base_url())"
    proc = _run([sys.executable, "-c", probe], env, home)
    assert proc.returncode == 0, proc.stderr
    raw = outputs.load_manifest()["repository"].replace("//github.com/", "//raw.githubusercontent.com/")
    assert proc.stdout.split() == [commit, f"{raw}/{commit}"]
    _check(_run([sys.executable, "-c", _READERS], {**env, outputs.REPO_ENV: base}, home), home)
