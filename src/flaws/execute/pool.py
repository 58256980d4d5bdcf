"""Host side: a pool of sandboxed worker processes.

Each worker (:mod:`flaws.execute.worker`) is started inside Debian's
``bubblewrap`` when it is available::

    bwrap --ro-bind / / --tmpfs /tmp --dev /dev --proc /proc
          --unshare-net --unshare-pid --unshare-ipc --unshare-uts
          --die-with-parent --new-session [--tmpfs <hidden dir>]...

so the whole host is read-only, ``/tmp`` is private, there is no network (not
even the host's loopback), and the worker has its own PID namespace (a stray
``kill(-1)`` from a sample reaches only that namespace, and the worker can kill
every leftover process of its sandbox uid).  Directories that hold task data
with reference solutions (the project's ``data/``, ``$FLAWS_MIRROR``,
``~/.cache``) are hidden behind empty tmpfs mounts.  When the host user is root,
each worker gets its own unprivileged uid (``uid_base + index``) which its
children switch to; interpreter directories under a private parent (e.g.
``/root/.pyenv``) are re-exposed read-only so that uid can import the stdlib.

Without bwrap (or when it cannot create namespaces) the workers run unwrapped:
per-child rlimits, own session, privilege drop when root, and EvalPlus's guard
still apply, but there is no network or PID isolation; a warning says so once.
"""

from __future__ import annotations

import functools
import os
import selectors
import shutil
import stat
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Iterable, Iterator

from .protocol import split_frames, write_frame

#: ``PYTHONHASHSEED`` of the workers, their zygotes and every sample process
HASH_SEED = "0"

_WARNED = False


@functools.lru_cache(maxsize=None)
def bwrap_available() -> str | None:
    exe = shutil.which("bwrap")
    if not exe:
        return None
    try:
        subprocess.run([exe, "--ro-bind", "/", "/", "--unshare-pid", "--unshare-net",
                        "--proc", "/proc", "--dev", "/dev", "true"],
                       check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return exe


def _traversable(path: Path) -> bool:
    try:
        return bool(os.stat(path).st_mode & stat.S_IXOTH)
    except OSError:
        return True


def _expose_args(paths: Iterable[Path]) -> list[str]:
    """bwrap args making ``paths`` reachable for an unprivileged uid."""
    args: list[str] = []
    masked: set[Path] = set()
    bound: set[Path] = set()
    for p in paths:
        p = Path(p).resolve()
        parts = p.parts
        # every closed ancestor (not only the first: a 0700 folder inside a 0700 home) becomes a
        # world-traversable tmpfs holding just the next component, bound back read-only
        for k in range(1, len(parts)):
            anc = Path(*parts[:k])
            nxt = Path(*parts[:k + 1])
            if anc in masked:
                if nxt not in bound:
                    args += ["--ro-bind", str(nxt), str(nxt)]
                    bound.add(nxt)
            elif not _traversable(anc):
                args += ["--perms", "0755", "--tmpfs", str(anc), "--ro-bind", str(nxt), str(nxt)]
                masked.add(anc)
                bound.add(nxt)
    return args


def interpreter_public() -> bool:
    """Can an unprivileged uid reach this interpreter and its packages (without bwrap)?"""
    for p in {Path(sys.base_prefix), Path(sys.prefix)}:
        p = p.resolve()
        for anc in [p, *p.parents]:
            if not _traversable(anc):
                return False
    return True


def hidden_dirs() -> list[Path]:
    """Directories holding reference solutions, hidden from the sandbox."""
    out = []
    try:
        from flaws.data import interim_dir, project_root, raw_dir

        out.append(project_root() / "data")
        out.append(project_root().parent / "shared" / "data")  # the documented mirror spot
        out += [raw_dir(), interim_dir()]  # wherever $FLAWS_RAW_DIR / $FLAWS_INTERIM_DIR point
    except Exception:  # noqa: BLE001 - foundation not importable: skip
        pass
    if os.environ.get("FLAWS_MIRROR"):
        out.append(Path(os.environ["FLAWS_MIRROR"]))
    out.append(Path.home() / ".cache")
    seen, res = set(), []
    for p in out:
        if p.is_dir() and p.resolve() not in seen:
            seen.add(p.resolve())
            res.append(p.resolve())
    return res


def sandbox_command(exe: str, index: int, root: bool) -> list[str]:
    cmd = [exe, "--ro-bind", "/", "/", "--tmpfs", "/tmp", "--dev", "/dev", "--proc", "/proc",
           "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
           "--die-with-parent", "--new-session"]
    hide = hidden_dirs()
    need = [Path(sys.base_prefix), Path(sys.prefix), Path(sys.executable).resolve().parent]
    need += [Path(p) for p in sys.path if p and Path(p).is_dir()]
    need.append(Path(__file__).resolve().parents[2])  # the folder holding the flaws package
    # a path to re-expose must not sit inside a hidden dir
    need = [p.resolve() for p in need if not any(_is_under(p.resolve(), h) for h in hide)]
    # The private /tmp hides whatever lives below the host's /tmp (a clone or venv made there):
    # bind those paths back, read-only.
    tmp = Path("/tmp").resolve()
    under_tmp = sorted({p for p in need if _is_under(p, tmp) and p != tmp})
    made: set[Path] = set()
    for p in under_tmp:
        if not any(q != p and _is_under(p, q) for q in under_tmp):
            # bwrap creates missing ancestors of a bind target with mode 0700, which the
            # unprivileged sample uid cannot traverse: create them first, world-traversable.
            for anc in reversed(p.relative_to(tmp).parents):
                d = tmp / anc
                if d != tmp and d not in made:
                    cmd += ["--perms", "0755", "--dir", str(d)]
                    made.add(d)
            cmd += ["--ro-bind", str(p), str(p)]
    if root:
        cmd += _expose_args(need)
    for h in hide:
        cmd += ["--tmpfs", str(h)]
    cmd += ["--chdir", "/"]
    return cmd


def _is_under(p: Path, root: Path) -> bool:
    try:
        p.relative_to(root)
        return True
    except ValueError:
        return False


class _Proc:
    def __init__(self, index: int, argv: list[str], init: dict, pass_fds=()):
        env = dict(os.environ)
        env["PYTHONDONTWRITEBYTECODE"] = "1"
        # Fixed string hashing, so a program whose output depends on the order of a
        # set of strings gives the same output in every run (EvalPlus leaves it random).
        env["PYTHONHASHSEED"] = HASH_SEED
        self.index = index
        # The frames travel on two extra pipes, not on stdin/stdout: bwrap's own process (PID 1
        # of the sandbox, of the caller's uid when the caller is not root) keeps its stdin and
        # stdout open, and a sample of that uid could reach them through /proc/1/fd; bwrap
        # closes the extra descriptors in that process and hands them on to the worker only.
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        try:
            self.p = subprocess.Popen([*argv, str(to_r), str(from_w)], stdin=subprocess.DEVNULL,
                                      stdout=subprocess.DEVNULL, env=env, start_new_session=True,
                                      pass_fds=(to_r, from_w, *pass_fds))
        except BaseException:
            for fd in (to_r, to_w, from_r, from_w):
                os.close(fd)
            raise
        os.close(to_r)
        os.close(from_w)
        self.to_worker = os.fdopen(to_w, "wb")
        self.from_worker = os.fdopen(from_r, "rb", buffering=0)
        write_frame(self.to_worker, init)
        self.buf = bytearray()
        self.job = None

    def frames(self, chunk: bytes) -> list[dict]:
        self.buf += chunk
        return split_frames(self.buf)

    def kill(self):
        try:
            self.p.kill()
        except OSError:
            pass
        for f in (self.to_worker, self.from_worker):
            try:
                f.close()
            except OSError:
                pass
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover
            pass


class WorkerPool:
    """``WorkerPool(spec, workers).run(jobs)`` yields ``(job, result)`` as they finish."""

    def __init__(self, spec: dict, workers: int = 1, sandbox: str = "auto",
                 uid_base: int = 61000):
        global _WARNED
        self.spec = spec
        self.n = max(1, int(workers))
        root = os.geteuid() == 0
        exe = bwrap_available() if sandbox in ("auto", "bwrap") else None
        if sandbox == "bwrap" and exe is None:
            raise RuntimeError("bwrap requested but not usable on this machine")
        self.sandbox = "bwrap" if exe else "none"
        if self.sandbox == "none" and not _WARNED:
            separate_uid = root and interpreter_public()
            warnings.warn("flaws.execute: bubblewrap is not usable here; running samples with "
                          "rlimits, own session and EvalPlus's guard only (no network/PID "
                          "namespaces)" + ("" if separate_uid else " and without a separate uid"),
                          RuntimeWarning, stacklevel=2)
            _WARNED = True
        self.root = root
        self.uid_base = uid_base
        self.procs: list[_Proc] = []
        self.sel = selectors.DefaultSelector()
        for i in range(self.n):
            self._start(i)

    def _argv(self, i: int) -> list[str]:
        py = [sys.executable, "-m", "flaws.execute.worker"]
        if self.sandbox == "bwrap":
            return sandbox_command(bwrap_available(), i, self.root) + py
        return py

    def _start(self, i: int) -> _Proc:
        init = dict(self.spec)
        drop = self.root and (self.sandbox == "bwrap" or interpreter_public())
        init["uid"] = (self.uid_base + i) if drop else None
        init["private_pid_ns"] = self.sandbox == "bwrap"
        # The expected outputs (the answer key) reach the worker as an open directory, never as
        # a path inside the sandbox: the cache stays hidden with the rest of data/, and a sample
        # (another uid, or the same uid when not root: the worker is not dumpable) cannot
        # reach the worker's descriptor through /proc.
        exp_fd = None
        if init.pop("expected_dir", None):
            exp_fd = os.open(self.spec["expected_dir"], os.O_RDONLY | os.O_DIRECTORY)
            init["expected_fd"] = exp_fd
        try:
            p = _Proc(i, self._argv(i), init, pass_fds=(exp_fd,) if exp_fd is not None else ())
        finally:
            if exp_fd is not None:
                os.close(exp_fd)
        ready = self._read_one(p)
        if ready is None or not ready.get("ready"):
            p.kill()
            raise RuntimeError("execution worker failed to start")
        self.sel.register(p.from_worker, selectors.EVENT_READ, p)
        if i < len(self.procs):
            self.procs[i] = p
        else:
            self.procs.append(p)
        return p

    @staticmethod
    def _read_one(p: _Proc):
        while True:
            chunk = os.read(p.from_worker.fileno(), 1 << 20)
            if not chunk:
                return None
            fr = p.frames(chunk)
            if fr:
                return fr[0]

    def run(self, jobs: Iterable[dict]) -> Iterator[tuple[dict, dict]]:
        it = iter(jobs)
        pending = 0
        exhausted = False
        retries: dict[int, int] = {}
        seq = 0

        def feed(p: _Proc, job=None):
            nonlocal exhausted, pending, seq
            if job is None:
                if exhausted:
                    return
                try:
                    job = next(it)
                except StopIteration:
                    exhausted = True
                    return
            seq += 1
            p.job = (seq, job)
            msg = {"job": seq, "task_id": job["task_id"], "solution": job["solution"],
                   "mode": job.get("mode", "judge"), "which": job.get("which", ["base", "plus"])}
            if job.get("mode") == "tests":  # model-written tests (worker.run_tests)
                msg.update(tests=job["tests"], test_limit=job["test_limit"],
                           time_cap=job["time_cap"])
            if job.get("details"):  # every failing input, not only the first (worker.run_details)
                msg["details"] = True
                msg["details_time_cap"] = job.get("details_time_cap")
            write_frame(p.to_worker, msg)
            pending += 1

        for p in self.procs:
            feed(p)
        while pending:
            for key, _ in self.sel.select():
                p: _Proc = key.data
                chunk = os.read(p.from_worker.fileno(), 1 << 20)
                if not chunk:  # worker died: restart it, retry its job once
                    self.sel.unregister(p.from_worker)
                    p.kill()
                    _seq, job = p.job
                    pending -= 1
                    q = self._start(p.index)
                    k = id(job)
                    retries[k] = retries.get(k, 0) + 1
                    if retries[k] <= 1:
                        feed(q, job)
                    else:
                        res = {w: {"status": "fail", "first_failed": None,
                                   "reason": "worker crashed"}
                               for w in job.get("which", ["base", "plus"])}
                        yield job, res
                        feed(q)
                    continue
                for res in p.frames(chunk):
                    _seq, job = p.job
                    pending -= 1
                    p.job = None
                    feed(p)
                    yield job, res

    def close(self):
        for p in self.procs:
            try:
                p.to_worker.close()
            except OSError:
                pass
        for p in self.procs:
            try:
                p.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        self.sel.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
