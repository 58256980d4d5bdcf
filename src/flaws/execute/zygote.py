"""The zygote: a clean process that forks one sandboxed child per run.

Why a separate process?  A child created by ``fork`` inherits its parent's whole
memory.  The worker holds the *expected outputs*; a hostile sample could find
them with ``gc.get_objects()`` and simply return them.  So children are forked
from this zygote instead, a fresh interpreter (started with ``exec``, not fork)
that only ever holds the tasks' *inputs* and entry-point names.  The worker
talks to it over a Unix socket: each request carries the write end of a fresh
result pipe (``SCM_RIGHTS``); the zygote forks, replies with the child's pid and
forgets about it (``SIGCHLD`` is ignored, so children are reaped by the kernel).

The child (:func:`_child_main`):

1. ``setsid()`` (own session and process group, killed as a group afterwards),
   ``PR_SET_PDEATHSIG`` and ``PR_SET_NO_NEW_PRIVS``;
2. stdin/stdout/stderr on ``/dev/null``, every other descriptor closed except
   the result pipe (moved to fd 3);
3. ``chdir`` into its own fresh temporary directory;
4. resource limits: address space, data and stack (EvalPlus's 4 GiB), CPU
   seconds (the run's ceiling), file size, open files, processes, no core;
5. when running as root: ``setgroups([])``, ``setgid``/``setuid`` to the
   worker's unprivileged uid (so ``kill(-1)`` and file writes cannot hurt);
6. EvalPlus's ``reliability_guard`` (same disabled functions, so programs that
   call ``exit``, ``open``, ``os.remove``... behave as under EvalPlus);
7. ``exec`` of the program, lookup of the entry point, then one call per input
   (from input ``start`` of the request on, default 0), streaming each encoded
   return value as a frame on fd 3; after an exception the child exits, unless the
   request says ``keep_going`` (per-input results), when it goes on with the next input.
   A request with ``tests`` (model-written test sources) runs those instead of calling
   the entry point: one ``O`` (completed) or ``E`` (raised) frame per test, from test
   ``start`` on.

Frames are ``kind(1 byte) + length(4 bytes little endian) + payload``:
``R`` loaded, ``X`` load error (does not compile / raises / no entry point),
``O`` output (payload: :mod:`flaws.execute.codec` bytes), ``E`` exception in
the call, ``U`` unencodable return value.
"""

from __future__ import annotations

import array
import json
import os
import random
import signal
import socket
import struct
import sys

FRAME = struct.Struct("<cI")
RESULT_FD = 3


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def send_frame(fd: int, kind: bytes, payload: bytes = b"") -> None:
    _write_all(fd, FRAME.pack(kind, len(payload)) + payload)


def _become_subreaper() -> None:
    try:
        _libc().prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    except Exception:  # pragma: no cover - non-Linux
        pass


_LIBC = None  # loaded once in the zygote, inherited by every child


def _libc():
    global _LIBC
    if _LIBC is None:
        import ctypes

        _LIBC = ctypes.CDLL(None, use_errno=True)
    return _LIBC


def _prctl_hardening() -> None:
    try:
        libc = _libc()
        PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    except Exception:  # pragma: no cover - non-glibc platforms
        pass


class _Sink:
    """EvalPlus's WriteOnlyStringIO, minus the memory: writes vanish, reads raise."""

    encoding = "utf-8"
    errors = "strict"

    def write(self, s):
        return len(s)

    def writelines(self, lines):
        pass

    def flush(self):
        pass

    def read(self, *a, **k):
        raise IOError

    readline = readlines = read

    def readable(self):
        return False

    def writable(self):
        return True

    def isatty(self):
        return False

    def fileno(self):
        raise OSError("no fileno")

    def close(self):
        pass


def _reliability_guard() -> None:
    """``evalplus.eval.utils.reliability_guard`` without its rlimits (set earlier)."""
    import builtins
    import faulthandler
    import shutil
    import subprocess

    faulthandler.disable()
    builtins.exit = None
    builtins.quit = None
    os.environ["OMP_NUM_THREADS"] = "1"
    for name in ("kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir",
                 "setuid", "fork", "forkpty", "killpg", "rename", "renames", "truncate",
                 "replace", "unlink", "fchmod", "fchown", "chmod", "chown", "chroot",
                 "lchflags", "lchmod", "lchown", "getcwd", "chdir"):
        setattr(os, name, None)
    builtins.open = None
    shutil.rmtree = None
    shutil.move = None
    shutil.chown = None
    subprocess.Popen = None
    builtins.help = None
    for mod in ("ipdb", "joblib", "resource", "psutil", "tkinter"):
        sys.modules[mod] = None


def _set_limits(req: dict) -> None:
    import resource

    mem = int(req["memory_bytes"])
    for lim in (resource.RLIMIT_AS, resource.RLIMIT_DATA, resource.RLIMIT_STACK):
        resource.setrlimit(lim, (mem, mem))
    cpu = int(req["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (req["file_bytes"],) * 2)
    resource.setrlimit(resource.RLIMIT_NOFILE, (req["open_files"],) * 2)
    resource.setrlimit(resource.RLIMIT_NPROC, (req["processes"],) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _child_main(req: dict, wfd: int, task: tuple) -> None:
    """Runs in the forked child; never returns."""
    try:
        os.setsid()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        _prctl_hardening()
        # descriptors: result pipe -> 3, stdio -> /dev/null, close the rest
        if wfd != RESULT_FD:
            os.dup2(wfd, RESULT_FD, inheritable=False)
            os.close(wfd)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        os.closerange(RESULT_FD + 1, 65536)
        os.chdir(req["workdir"])
        _set_limits(req)
        uid = req.get("uid")
        if uid is not None and os.geteuid() == 0:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        entry_point, not_none, inputs = task
        from .codec import Unencodable, encode

        sink = _Sink()
        sys.stdout = sys.stderr = sys.stdin = sink
        sys.__stdout__ = sys.__stderr__ = sys.__stdin__ = sink
        _preimport(req["solution"])
        random.seed(RANDOM_SEED)  # it reseeded from the OS at fork; fix it, as numpy's in _preload
        _reliability_guard()
        g: dict = {}
        try:
            exec(compile(req["solution"], "<solution>", "exec", dont_inherit=True), g)
            fn = g[entry_point]
        except BaseException:  # noqa: BLE001 - any load failure
            send_frame(RESULT_FD, b"X")
            os._exit(0)
        send_frame(RESULT_FD, b"R")
        if req.get("tests") is not None:  # model-written tests (flaws.execute.generated_tests)
            _run_tests(req["tests"][req.get("start", 0):], g)
            os._exit(0)
        keep_going = bool(req.get("keep_going"))  # details mode: every input is tried
        for inp in inputs[req.get("start", 0):]:
            try:
                out = fn(*inp)
            except BaseException:  # noqa: BLE001 - incl. SystemExit, KeyboardInterrupt
                send_frame(RESULT_FD, b"E")
                if keep_going:
                    continue
                os._exit(0)
            try:
                data = encode(out, not_none_task=not_none)
            except (Unencodable, Exception, RecursionError):
                send_frame(RESULT_FD, b"U")
                if keep_going:
                    continue
                os._exit(0)
            send_frame(RESULT_FD, b"O", data)
    except BaseException:  # noqa: BLE001
        pass
    os._exit(0)


def _run_tests(tests: list, g: dict) -> None:
    """Run each test source against a fresh copy of the program's globals (a test that rebinds
    a name does not leak into the next): frame ``O`` when it completes, ``E`` when it raises
    (a failed assert or any other exception, ``SystemExit`` included)."""
    for src in tests:
        try:
            exec(compile(src, "<test>", "exec", dont_inherit=True), dict(g))
        except BaseException:  # noqa: BLE001 - a failing test
            send_frame(RESULT_FD, b"E")
            continue
        send_frame(RESULT_FD, b"O")


#: modules an ``evalplus.evaluate`` process has loaded that this zygote has not
#: (set in :func:`main` from the spec); see :func:`_preimport`
_EVALPLUS_ONLY: frozenset = frozenset()
_IMPORT_RE = None


def imported_modules(solution: str) -> set[str]:
    """Top-level names of the modules a program's import statements name (parsed, not run)."""
    import ast

    try:
        tree = ast.parse(solution)
    except BaseException:  # noqa: BLE001 - syntax errors, absurd nesting
        return set()
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def _preimport(solution: str) -> None:
    """Import, before the guard, what the program imports and EvalPlus had loaded.

    EvalPlus runs each sample in a fork of its own process, where (for example)
    ``pandas`` is already imported, so ``import pandas`` in a sample is free
    there; imported afresh after the reliability guard, pandas fails (its import
    calls ``os.putenv``).  So a module the program names in an import statement
    and that EvalPlus's process has loaded is imported here, before the guard,
    as the sandbox user.  Only names from that fixed set are ever imported; the
    program is parsed, not run.
    """
    global _IMPORT_RE
    import re

    if not _EVALPLUS_ONLY:
        return
    if _IMPORT_RE is None:
        _IMPORT_RE = re.compile(r"^[ \t]*(?:import|from)[ \t]+([^\n]*)", re.M)
    words = {w for line in _IMPORT_RE.findall(solution) for w in re.findall(r"\w+", line)}
    if not words & _EVALPLUS_ONLY:
        return  # cheap pre-filter: most programs import nothing of the kind
    import importlib

    names = imported_modules(solution)
    for name in sorted(names & _EVALPLUS_ONLY):
        try:
            importlib.import_module(name)
        except BaseException:  # noqa: BLE001 - then it fails the same way in the program
            pass


def _load_tasks(blob: bytes) -> dict:
    from .codec import loads

    spec = json.loads(blob)
    tasks = {}
    for t in spec["tasks"]:
        tasks[t["task_id"]] = {
            "base": (t["entry_point"], t["not_none"], loads(t["base_input"])),
            "plus": (t["entry_point"], t["not_none"], loads(t["plus_input"])),
        }
    return tasks


#: seed of ``random`` and ``numpy.random`` in every sample process
RANDOM_SEED = 0


def _preload() -> None:
    # Modules programs commonly import; loading them once here makes each
    # child's import free (the EvalPlus process had numpy loaded too).
    import bisect  # noqa: F401
    import collections  # noqa: F401
    import copy  # noqa: F401
    import decimal  # noqa: F401
    import fractions  # noqa: F401
    import functools  # noqa: F401
    import hashlib  # noqa: F401
    import heapq  # noqa: F401
    import itertools  # noqa: F401
    import math  # noqa: F401
    import operator  # noqa: F401
    import random  # noqa: F401
    import re  # noqa: F401
    import statistics  # noqa: F401
    import string  # noqa: F401
    import typing  # noqa: F401
    import ctypes  # noqa: F401
    import resource  # noqa: F401
    import shutil  # noqa: F401
    import subprocess  # noqa: F401
    import faulthandler  # noqa: F401
    from . import codec  # noqa: F401 - the child's encoder
    try:
        import numpy  # noqa: F401

        # Every sample process forks from here, so it starts from this state: a program
        # that draws numpy random numbers without seeding gives the same output in
        # every run.  (``random`` reseeds itself after a fork: see _child_main.)
        numpy.random.seed(RANDOM_SEED)
    except ImportError:  # pragma: no cover
        pass


def main() -> int:
    """``python -m flaws.execute.zygote SOCKFD``: task spec arrives on stdin."""
    sock = socket.socket(fileno=int(sys.argv[1]))
    blob = sys.stdin.buffer.read()
    global _EVALPLUS_ONLY
    tasks = _load_tasks(blob)
    _preload()
    _EVALPLUS_ONLY = frozenset(json.loads(blob).get("evalplus_modules") or ()) - set(sys.modules)
    del blob  # every fork would map its pages (copied page tables, torn down at each exit)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernel reaps children
    _become_subreaper()  # orphans (e.g. setsid escapes) are re-parented here, not to init
    import gc

    gc.collect()
    gc.freeze()  # keep copy-on-write pages shared across forks
    while True:
        try:
            req, wfd = recv_request(sock)
        except (OSError, EOFError, ValueError):
            return 0
        pid = os.fork()
        if pid == 0:
            sock.close()
            _child_main(req, wfd, tasks[req["task_id"]][req["which"]])
        os.close(wfd)
        sock.sendall(_PID.pack(pid))


_LEN = struct.Struct("<I")
_PID = struct.Struct("<i")


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("socket closed")
        buf += chunk
    return bytes(buf)


def send_request(sock: socket.socket, req: dict, wfd: int) -> int:
    """Worker side: send one run request plus the result pipe's write end."""
    payload = json.dumps(req).encode()
    socket.send_fds(sock, [_LEN.pack(len(payload))], [wfd])
    sock.sendall(payload)
    return _PID.unpack(_recv_exact(sock, _PID.size))[0]


def recv_request(sock: socket.socket):
    """Zygote side: the request and its descriptor."""
    head, fds, _flags, _addr = socket.recv_fds(sock, _LEN.size, 1)
    if not head:
        raise EOFError("socket closed")
    if not fds:
        raise ValueError("request without descriptor")
    if len(head) < _LEN.size:
        head += _recv_exact(sock, _LEN.size - len(head))
    n = _LEN.unpack(head)[0]
    return json.loads(_recv_exact(sock, n)), fds[0]


if __name__ == "__main__":
    sys.exit(main())
