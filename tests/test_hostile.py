"""Hostile samples: none may be judged pass, harm the host, or disturb other samples.

Every program targets the toy task ``add(a, b)``.  Programs that attack something
return the right answer only if the attack worked, so "judged pass" means "the
sandbox failed".  Good programs are interleaved with the hostile ones in the same
run, on two workers, and must still pass.  Side effects are checked on canaries
this test creates: files in its temporary directory and in a world-writable
directory outside ``/tmp``, and a TCP listener on 127.0.0.1.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
from pathlib import Path

import pytest

from flaws.execute import judge_programs
from flaws.execute.pool import bwrap_available

needs_bwrap = pytest.mark.skipif(bwrap_available() is None,
                                 reason="bubblewrap (bwrap) is required for the sandbox tests")

BASE = [[1, 2], [3, 4]]
PLUS = [[5, 6], [7, 8], [10**20, 1], [-3, 3]]
TASK = {"task_id": "toy/add", "entry_point": "add", "atol": 0,
        "base_input": BASE, "plus_input": PLUS,
        "base_expected": [a + b for a, b in BASE], "plus_expected": [a + b for a, b in PLUS]}
GOOD = "def add(a, b):\n    return a + b\n"
WORKERS = 2
UID_BASE = 62000  # not the default (61000), so a concurrent pipeline run cannot interfere


def reference_files() -> list[Path]:
    """Files holding reference solutions that the sandbox must hide (those that exist)."""
    from flaws.execute.groundtruth import cache_dir
    from flaws.execute.pool import hidden_dirs

    found = []
    for d in hidden_dirs() + [cache_dir()]:
        for root, _dirs, files in os.walk(d):
            found += [Path(root) / f for f in files
                      if "umaneval" in str(Path(root) / f) or "bpp" in str(Path(root) / f)]
    return sorted(found)[:50]


def hostile_programs(canary_tmp: Path, canary_out: Path, port: int) -> dict[str, str]:
    c1, c2 = str(canary_tmp), str(canary_out)
    return {
        "always_true_eq": """
class Any:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
def add(a, b): return Any()
""",
        "int_subclass_eq": """
class Liar(int):
    def __eq__(self, other): return True
    __hash__ = int.__hash__
def add(a, b): return Liar(0)
""",
        "exit_call": "def add(a, b):\n    exit(0)\n",
        "sys_exit": "import sys\ndef add(a, b):\n    sys.exit(0)\n",
        "os_exit": "import os\ndef add(a, b):\n    os._exit(0)\n",
        "raise_systemexit": "def add(a, b):\n    raise SystemExit(0)\n",
        "module_level_exit": "import os\nos._exit(0)\ndef add(a, b): return a + b\n",
        "keyboard_interrupt": "def add(a, b):\n    raise KeyboardInterrupt\n",
        "forged_print": "def add(a, b):\n    print(a + b)\n    print('PASS')\n",
        "fork_bomb": """
import posix, time
def add(a, b):
    for _ in range(10000):
        try:
            posix.fork()
        except OSError:
            break
    time.sleep(1000)
""",
        "alloc_50gb": "def add(a, b):\n    x = bytearray(50 * 2**30)\n    return a + b\n",
        "delete_canary_tmp": f"""
import posix
def add(a, b):
    try:
        posix.unlink({c1!r})
        return a + b
    except OSError:
        return None
""",
        "delete_canary_outside": f"""
import posix
def add(a, b):
    try:
        posix.unlink({c2!r})
        return a + b
    except OSError:
        return None
""",
        "write_outside_dir": f"""
import posix
def add(a, b):
    ok = 0
    for p in ({str(canary_out.parent / 'new_file')!r}, '/tmp/flaws_hostile', '/flaws_hostile'):
        try:
            fd = posix.open(p, posix.O_WRONLY | posix.O_CREAT, 0o666)
            posix.write(fd, b'x'); ok += 1
        except OSError:
            pass
    return a + b if ok else None
""",
        "socket_loopback": f"""
import socket
def add(a, b):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(('127.0.0.1', {port}))
        return a + b
    except OSError:
        return None
""",
        "infinite_loop": "def add(a, b):\n    while True:\n        pass\n",
        "sleep_forever": "import time\ndef add(a, b):\n    time.sleep(10**6)\n",
        "ignore_signals_loop": """
import signal
for s in (signal.SIGALRM, signal.SIGXCPU, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(s, signal.SIG_IGN)
def add(a, b):
    while True:
        pass
""",
        "kill_parent": """
import posix, signal
def add(a, b):
    try:
        posix.kill(posix.getppid(), signal.SIGKILL)
    except OSError:
        pass
    return None
""",
        "recursion_bomb": """
import sys
sys.setrecursionlimit(10**8)
def f(n): return f(n + 1) + 1
def add(a, b): return f(0)
""",
        "modify_builtins": """
import builtins
builtins.isinstance = lambda *a: True
builtins.len = lambda x: 0
def add(a, b): return None
""",
        "patch_encoder": """
import sys
def add(a, b):
    for name, mod in list(sys.modules.items()):
        if name.startswith('flaws.execute'):
            for attr in ('encode', 'decode', 'send_frame'):
                if hasattr(mod, attr):
                    setattr(mod, attr, lambda *a, **k: b'1')
    return None
""",
        "forge_result_frames": """
import posix, struct, json
def add(a, b):
    # claim a verdict and answers on every descriptor, then leave
    for fd in range(3, 20):
        try:
            for kind, d in ((b'R', b''), (b'O', b'{"status":"pass"}'), (b'O', b'"pass"'),
                            (b'D', b'{"base":{"status":"pass"}}')):
                posix.write(fd, kind + struct.pack('<I', len(d)) + d)
        except OSError:
            pass
    posix._exit(0)
""",
        "read_result_pipe": """
import posix
def add(a, b):
    for fd in range(0, 20):
        try:
            posix.read(fd, 10)
        except OSError:
            pass
    return None
""",
        "close_result_pipe": """
import posix
def add(a, b):
    for fd in range(0, 20):
        try:
            posix.close(fd)
        except OSError:
            pass
    return a + b
""",
        "huge_output": "def add(a, b):\n    return 'x' * (3 * 2**30)\n",
        "huge_int_output": "def add(a, b):\n    return 7 ** 10**7\n",
        "setsid_grandchild": """
import posix, time
def add(a, b):
    pid = posix.fork()
    if pid == 0:
        posix.setsid()
        time.sleep(1000)
        posix._exit(0)
    return None
""",
        "thread_left_running": """
import threading
def spin():
    while True:
        pass
def add(a, b):
    threading.Thread(target=spin, daemon=False).start()
    return None
""",
        "unencodable_generator": "def add(a, b):\n    return (x for x in [a + b])\n",
        "numpy_array": "import numpy as np\ndef add(a, b):\n    return np.array([a + b, 0])\n",
        "gc_scan_for_answers": """
import gc
def add(a, b):
    # look for the expected outputs or a reference solution in memory
    for o in gc.get_objects():
        if isinstance(o, list) and 3 in o and 7 in o and 11 in o:
            return o
    return None
""",
        "read_reference_files": f"""
import posix
def add(a, b):
    for p in {[str(p) for p in reference_files()]!r}:
        try:
            fd = posix.open(p, posix.O_RDONLY)
            if posix.read(fd, 1):
                return a + b
        except OSError:
            pass
    return None
""",
        "segfault_ctypes": "import ctypes\ndef add(a, b):\n    return ctypes.string_at(0)\n",
        "fd_exhaustion": """
import posix
def add(a, b):
    fds = []
    try:
        while True:
            fds.append(posix.open('/dev/null', posix.O_RDONLY))
    except OSError:
        pass
    return None if len(fds) < 100000 else a + b
""",
        "big_file_in_own_dir": """
import posix
def add(a, b):
    try:
        fd = posix.open('big', posix.O_WRONLY | posix.O_CREAT, 0o600)
        chunk = b'x' * (1 << 20)
        for _ in range(1024):
            posix.write(fd, chunk)
        return a + b
    except OSError:
        return None
""",
        "spawn_shell": f"""
import os
def add(a, b):
    try:
        pid = os.posix_spawn('/bin/sh', ['/bin/sh', '-c', 'rm -f {c1} {c2}'], {{}})
        os.waitpid(pid, 0)
    except Exception:
        pass
    return None
""",
        "stdout_flood": ("import sys\ndef add(a, b):\n    while True:\n"
                         "        sys.__stdout__.write('x' * 4096)\n"),
        "stdin_read": "def add(a, b):\n    return int(input())\n",
    }


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    canary_tmp = tmp_path_factory.mktemp("canary") / "canary.txt"
    canary_tmp.write_text("canary")
    outside_dir = Path(tempfile.mkdtemp(prefix="flaws-canary-", dir="/var/tmp"))
    os.chmod(outside_dir, 0o777)  # only the sandbox, not permissions, protects it
    canary_out = outside_dir / "canary.txt"
    canary_out.write_text("canary")
    os.chmod(canary_out, 0o666)

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    port = listener.getsockname()[1]
    connections = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                connections.append(conn)
            except OSError:
                pass

    th = threading.Thread(target=accept, daemon=True)
    th.start()

    progs = hostile_programs(canary_tmp, canary_out, port)
    names, programs = [], []
    for name, src in progs.items():
        names.append(name)
        programs.append({"task_id": "toy/add", "solution": src})
        names.append("good")
        programs.append({"task_id": "toy/add", "solution": GOOD})
    t0 = time.monotonic()
    results = judge_programs([TASK], programs, workers=WORKERS, uid_base=UID_BASE,
                             options={"wall_factor": 1.0, "wall_slack": 1.0})
    elapsed = time.monotonic() - t0
    stop.set()
    th.join(timeout=5)
    listener.close()
    state = {
        "results": list(zip(names, results)),
        "canary_tmp": canary_tmp.read_text() if canary_tmp.exists() else None,
        "canary_out": canary_out.read_text() if canary_out.exists() else None,
        "outside_listing": sorted(os.listdir(outside_dir)),
        "connections": len(connections),
        "elapsed": elapsed,
    }
    for c in connections:
        c.close()
    for f in outside_dir.iterdir():
        f.unlink()
    outside_dir.rmdir()
    return state


def test_at_least_25_hostile_samples():
    assert len(hostile_programs(Path("/x"), Path("/y"), 1)) >= 25


@needs_bwrap
def test_reference_files_exist_to_be_hidden():
    # the read_reference_files sample is only meaningful if there is something to read
    assert reference_files()


@needs_bwrap
@pytest.mark.parametrize("name", sorted(hostile_programs(Path("/x"), Path("/y"), 1)))
def test_hostile_sample_not_judged_pass(hostile_run, name):
    res = [r for n, r in hostile_run["results"] if n == name]
    assert len(res) == 1
    r = res[0]
    assert r["base"]["status"] != "pass" or r["plus"]["status"] != "pass", r
    assert r["base"]["status"] in ("fail", "timeout", "error")


@needs_bwrap
def test_good_samples_in_the_same_run_pass(hostile_run):
    good = [r for n, r in hostile_run["results"] if n == "good"]
    assert len(good) >= 25
    bad = [r for r in good if (r["base"]["status"], r["plus"]["status"]) != ("pass", "pass")]
    assert not bad


@needs_bwrap
def test_canaries_untouched(hostile_run):
    assert hostile_run["canary_tmp"] == "canary"
    assert hostile_run["canary_out"] == "canary"
    assert hostile_run["outside_listing"] == ["canary.txt"]


@needs_bwrap
def test_no_connection_to_loopback(hostile_run):
    assert hostile_run["connections"] == 0


@needs_bwrap
def test_no_stray_processes(hostile_run):
    uids = set(range(UID_BASE, UID_BASE + WORKERS))
    stray = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.stat(f"/proc/{name}").st_uid in uids:
                    stray.append(name)
            except OSError:
                pass
    assert not stray


@needs_bwrap
def test_specific_verdicts(hostile_run):
    by = {n: r for n, r in hostile_run["results"] if n != "good"}
    assert by["infinite_loop"]["base"]["status"] == "timeout"
    assert by["sleep_forever"]["base"]["status"] == "timeout"
    assert by["module_level_exit"]["base"]["status"] == "fail"  # exited before loading
    assert by["always_true_eq"]["base"]["status"] == "fail"
    assert by["forged_print"]["base"]["first_failed"] == 0


def test_fallback_without_bwrap_still_guards():
    """Without bubblewrap: rlimits, own session, guard and descendant kill still apply."""
    progs = hostile_programs(Path("/nonexistent/c1"), Path("/nonexistent/c2"), 9)
    names = ["always_true_eq", "os_exit", "infinite_loop", "alloc_50gb", "setsid_grandchild",
             "forge_result_frames"]
    with pytest.warns(RuntimeWarning, match="bubblewrap is not usable"):
        import flaws.execute.pool as pool_mod

        pool_mod._WARNED = False
        res = judge_programs([TASK], [{"task_id": "toy/add", "solution": progs[n]} for n in names]
                             + [{"task_id": "toy/add", "solution": GOOD}], workers=1,
                             sandbox="none", options={"wall_factor": 1.0, "wall_slack": 1.0})
    for n, r in zip(names, res):
        assert "pass" not in (r["base"]["status"], r["plus"]["status"]), n
    assert (res[-1]["base"]["status"], res[-1]["plus"]["status"]) == ("pass", "pass")
    time.sleep(0.5)
    orphans = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                cmd = Path(f"/proc/{name}/cmdline").read_bytes()
                stat_ = Path(f"/proc/{name}/stat").read_bytes()
            except OSError:
                continue
            ppid = int(stat_[stat_.rindex(b")") + 2:].split()[1])
            if b"flaws.execute.zygote" in cmd and ppid == 1:
                orphans.append(name)
    assert not orphans


@needs_bwrap
@pytest.mark.usefixtures("mirror")
def test_expected_outputs_cache_is_unreadable_from_the_sample():
    """Through ``evaluate``: the worker's descriptor of the cache is closed to the sample (no
    path to it in the sandbox, and /proc/<pid>/fd of the worker is out of reach)."""
    from flaws.execute import evaluate

    leak = """
import posix
def has_close_elements(numbers, threshold):
    found = False
    for pid in posix.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            fds = posix.listdir('/proc/' + pid + '/fd')
        except OSError:
            continue
        for fd in fds:
            try:
                if 'index.json' in posix.listdir('/proc/' + pid + '/fd/' + fd):
                    found = True
            except OSError:
                pass
    if not found:
        return None
    s = sorted(numbers)
    return any(b - a < threshold for a, b in zip(s, s[1:]))
"""
    honest = leak.replace("        return None\n", "        pass\n", 1)
    res = list(evaluate([{"task_id": "HumanEval/0", "solution": leak, "sample_index": 0},
                         {"task_id": "HumanEval/0", "solution": honest, "sample_index": 1}],
                        "humaneval+", workers=1, progress=False, cache=False))
    by = {r["sample_index"]: r for r in res}
    assert by[0]["base_status"] == "fail"  # could not read the cache
    assert (by[1]["base_status"], by[1]["plus_status"]) == ("pass", "pass")  # the program works
