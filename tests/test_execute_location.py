"""Verdicts do not depend on where the project lives or who runs it.

A clone is laid out in a new place (its own virtual environment and its own copy of ``src/``),
and real CodeGen-16B samples that import third-party modules at load time are judged from there,
in a subprocess of that environment's Python:

* under ``/tmp`` (the sandbox mounts a private ``/tmp`` and binds the clone back: its missing
  ancestors used to come out 0700, so the sample's uid could not import ``requests``);
* below a 0700 home directory outside ``/tmp``;
* in a path containing spaces;
* as an ordinary user (no uid drop): verdicts equal root's, and a sample can neither find the
  answer key nor write outside its work directory.

The third-party packages the samples import are copied into the new environment's
``site-packages``, so they are imported from the new place, as in a real clone.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pytest

from flaws.execute.pool import bwrap_available

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(bwrap_available() is None, reason="needs bubblewrap"),
              pytest.mark.usefixtures("mirror")]

#: real samples (task, index) of codet-codegen16b that import third-party modules at the top
SAMPLES = [("HumanEval/48", 4), ("HumanEval/60", 11)]
#: packages those imports need, copied into the relocated environment
PACKAGES = ["requests", "urllib3", "idna", "charset_normalizer", "certifi", "bs4", "soupsieve",
            "httplib2", "pyparsing"]
KEYS = ["task_id", "sample_index", "base_status", "plus_status"]

ONLY_HERE = """import importlib.machinery, sys
SITE, NAMES = {site!r}, set({names!r})
class OnlyHere:
    @staticmethod
    def find_spec(name, path=None, target=None):
        if name not in NAMES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, [SITE])
        if spec is None:
            raise ModuleNotFoundError(f"No module named {{name!r}} in " + SITE, name=name)
        return spec
sys.meta_path.insert(0, OnlyHere)
"""

SCRIPT = r"""
import json, sys
from flaws.execute import evaluate
samples = json.load(open(sys.argv[1]))
out = sorted((r["task_id"], r["sample_index"], r["base_status"], r["plus_status"])
             for r in evaluate(samples, "humaneval+", workers=1, progress=False, dedupe=False))
print(json.dumps(out))
"""

PROBE = """
import posix
SEEN = []
def has_close_elements(numbers, threshold):
    if not SEEN:  # look once per process: scanning /proc for every input would time out
        SEEN.append(look())
    if SEEN[0]:
        return None
    s = sorted(numbers)
    return any(b - a < threshold for a, b in zip(s, s[1:]))

def look():
    leaked = []
    for path in ['/tmp/.flaws-expected']:  # where earlier versions bound the answer key
        try:
            posix.listdir(path)
            leaked.append(path)
        except OSError:
            pass
    for pid in posix.listdir('/proc'):
        if pid.isdigit():
            try:
                for fd in posix.listdir('/proc/' + pid + '/fd'):
                    try:
                        if 'index.json' in posix.listdir('/proc/' + pid + '/fd/' + fd):
                            leaked.append(pid)
                    except OSError:
                        pass
            except OSError:
                pass
    for fd in ('0', '1'):  # bwrap's own process must not hold the host's protocol pipes
        try:
            if posix.readlink('/proc/1/fd/' + fd).startswith('pipe:'):
                leaked.append('pipe ' + fd)
        except OSError:
            pass
    try:  # may succeed in the sandbox's private /tmp; the host checks its own file
        fd = posix.open({canary!r}, posix.O_WRONLY | posix.O_CREAT, 0o644)
        posix.write(fd, b'x')
    except OSError:
        pass
    return leaked
"""


@pytest.fixture(scope="module")
def real_samples():
    from flaws.samples import load

    df = load("codet-codegen16b", progress=False)
    keep = df.set_index(["task_id", "sample_index"]).loc[SAMPLES].reset_index()
    assert all("import requests" in s or "import bs4" in s or "httplib2" in s or "from bs4" in s
               for s in keep["solution"]), "the fixed samples import third-party modules"
    return keep.to_dict("records")


@pytest.fixture(scope="module")
def committed(real_samples):
    from flaws.data import project_root
    from flaws.execute.outcomes import read_outcomes

    df = read_outcomes(project_root() / "data" / "processed" / "outcomes.csv.gz")
    df = df[df["source_id"] == "codet-codegen16b"].set_index(["task_id", "sample_index"])
    rows = [[t, i, df.loc[(t, i), "base_status"], df.loc[(t, i), "plus_status"]] for t, i in SAMPLES]
    assert all(r[2] == "pass" for r in rows)  # they import at load time and still pass
    return sorted(rows)


@pytest.fixture(scope="module")
def expected_cache():
    """Compute (or reuse) the expected outputs once, in the project's own cache."""
    from flaws.data import interim_dir
    from flaws.execute import groundtruth

    groundtruth.expected_outputs("humaneval+", workers=1, progress=False)
    return interim_dir()


def _lay_out_clone(where: Path) -> Path:
    """A clone at ``where``: data/sources.toml, a copy of src/, and a venv whose site-packages
    holds copies of :data:`PACKAGES` and points at this environment's packages for the rest."""
    from flaws.data import project_root

    root = project_root()
    (where / "data").mkdir(parents=True)
    shutil.copy2(root / "data" / "sources.toml", where / "data" / "sources.toml")
    shutil.copytree(root / "src" / "flaws", where / "src" / "flaws",
                    ignore=shutil.ignore_patterns("__pycache__"))
    venv = where / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(subprocess.run([str(venv / "bin" / "python"), "-c",
                                "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    here = Path(sysconfig.get_paths()["purelib"])
    for name in PACKAGES:
        shutil.copytree(here / name, site / name, ignore=shutil.ignore_patterns("__pycache__"))
    # the clone's src first, then this environment's packages (pandas, evalplus, ...); the copied
    # packages may come from the clone only, so a sandbox that cannot reach it fails to import them
    (site / "_flaws_relocated.py").write_text(ONLY_HERE.format(site=str(site), names=sorted(PACKAGES)))
    (site / "flaws-relocated.pth").write_text(f"{where / 'src'}\n{here}\nimport _flaws_relocated\n")
    return venv / "bin" / "python"


def _judge(python: Path, samples, env_extra=None, prefix=()) -> list:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(samples, fh)
    os.chmod(fh.name, 0o644)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    env.update(env_extra or {})
    try:
        proc = subprocess.run([*prefix, str(python), "-c", SCRIPT, fh.name], env=env,
                              capture_output=True, text=True, timeout=600)
    finally:
        os.unlink(fh.name)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _env(expected_cache):
    from flaws.data import raw_dir

    return {"FLAWS_RAW_DIR": str(raw_dir()), "FLAWS_INTERIM_DIR": str(expected_cache)}


def _samples(real):
    return [{k: r[k] for k in ("task_id", "sample_index", "solution")} for r in real]


@pytest.mark.parametrize("layout", ["under /tmp", "with spaces"])
def test_clone_under_tmp(layout, real_samples, committed, expected_cache):
    top = Path(tempfile.mkdtemp(prefix="flaws-clone-", dir="/tmp"))
    try:
        # world-readable, as `git clone` leaves a folder: the host's modes then give no reason
        # to re-expose anything, and only the sandbox's own ancestors of the bound paths matter
        os.chmod(top, 0o755)
        where = top / ("clone" if layout == "under /tmp" else "my projects/flaws clone")
        python = _lay_out_clone(where)
        assert _judge(python, _samples(real_samples), _env(expected_cache)) == committed
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_clone_below_a_private_home(real_samples, committed, expected_cache):
    home = Path.home()
    if str(home.resolve()).startswith("/tmp"):
        pytest.skip("the home directory is under /tmp: covered by the /tmp test")
    top = Path(tempfile.mkdtemp(prefix=".flaws-home-", dir=home))
    try:
        os.chmod(top, 0o700)
        python = _lay_out_clone(top / "src dir" / "clone")
        assert _judge(python, _samples(real_samples), _env(expected_cache)) == committed
    finally:
        shutil.rmtree(top, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                    reason="needs root (to become an ordinary user) and setpriv")
def test_ordinary_user_gets_root_verdicts_and_no_answer_key(real_samples, committed, expected_cache):
    """An ordinary uid runs the whole executor (no uid drop happens): same verdicts, and a
    probe sample finds no descriptor of the answer key and cannot write to the user's files."""
    from flaws.execute.pool import _expose_args

    uid = 62950
    top = Path(tempfile.mkdtemp(prefix="flaws-user-", dir="/tmp"))
    try:
        os.chmod(top, 0o755)
        where = top / "clone"
        python = _lay_out_clone(where)
        cache = top / "interim"
        for d in (expected_cache / "execute").glob("expected-humaneval-*"):
            if d.is_dir():  # not the lock file beside it
                shutil.copytree(d, cache / "execute" / d.name)
        from flaws.data import raw_dir

        raw = top / "raw"  # the user's own verified copy of the benchmark
        shutil.copytree(raw_dir() / "humanevalplus-v0.1.10", raw / "humanevalplus-v0.1.10")
        canary = where / "canary.txt"
        subprocess.run(["chown", "-R", f"{uid}:{uid}", str(top)], check=True)
        # the interpreter may live below a private directory (/root/.pyenv): re-expose it to the
        # user, as the sandbox does for its own uid
        need = [Path(sys.base_prefix), Path(sys.prefix), Path(sysconfig.get_paths()["purelib"])]
        outer = [bwrap_available(), "--dev-bind", "/", "/", *_expose_args(need), "--",
                 "setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]
        env = {**_env(expected_cache), "FLAWS_RAW_DIR": str(raw), "FLAWS_INTERIM_DIR": str(cache),
               "HOME": str(top)}
        assert _judge(python, _samples(real_samples), env, prefix=outer) == committed
        # the probe is a correct program that answers wrongly once it finds the answer key or
        # the worker's pipes; it must pass, and its write must not reach the user's files
        probe = [{"task_id": "HumanEval/0", "sample_index": 0,
                  "solution": PROBE.format(canary=str(canary))}]
        [(_t, _i, base, plus)] = _judge(python, probe, env, prefix=outer)
        assert (base, plus) == ("pass", "pass")
        assert not canary.exists()
    finally:
        shutil.rmtree(top, ignore_errors=True)
