"""The trusted worker: judges runs of untrusted programs (``python -m flaws.execute.worker``).

One worker is a long-lived process, normally started inside ``bwrap`` (see
:mod:`flaws.execute.pool`).  It talks to the host over its stdin/stdout with
length-prefixed JSON frames, holds the time limits of every task and reads a
task's expected outputs, when it first judges that task, from the cache
directory the host hands it as an open descriptor (the directory itself is hidden
in the sandbox, and the worker makes itself non-dumpable so that a sample of the
same uid cannot reach that descriptor or its memory through ``/proc``), and for each run (one program on the base *or* the plus inputs, each in a
fresh process, as EvalPlus does):

* asks its zygote (:mod:`flaws.execute.zygote`) to fork a sandboxed child,
* reads the child's result frames, measuring the child's **CPU time** from
  ``/proc/<pid>/stat`` at every frame (time limits in CPU seconds do not flip
  when the machine is loaded; a generous wall-clock ceiling catches sleepers),
* decodes each output (plain data only) and judges it with
  :class:`flaws.execute.verdict.Judge`, stopping at the first failing input
  (or, with ``details``, recording every failing input: see :meth:`Worker.run_details`),
* kills the child's process group and, when it has a private PID namespace and
  uid, every process of the sandbox uid, then removes the child's directory.

Time limits, as EvalPlus: per input ``max(min_time_limit, factor * t_canonical)``;
per run ``min(60, sum(limits)) + 1`` seconds.  Here both are CPU seconds of the
child (``t_canonical`` is the canonical solution's CPU time measured the same
way); the wall-clock ceilings are ``wall_factor`` times larger plus slack.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from .monitor import Child, Expected, RunMonitor, RunPlan, cpu_seconds
from .protocol import load_expected_file, read_frame, write_frame
from .verdict import Judge
from .zygote import FRAME, send_request


def _kill_uid(uid: int) -> None:
    """SIGKILL every process of ``uid`` visible in this PID namespace.

    Called after the run's own child has exited, so whatever it forked is
    already visible.  A process with a pending SIGKILL never runs user code
    again and cannot fork (the kernel refuses a fork with a fatal signal
    pending), so only processes not yet killed need another look: the scan
    repeats until it finds none (brief sleeps only when something was found).
    """
    killed: set[int] = set()
    for _ in range(50):
        found = False
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            pid = int(name)
            try:
                if os.stat(f"/proc/{name}").st_uid != uid:
                    continue
                os.kill(pid, signal.SIGKILL)
            except OSError:
                continue
            if pid not in killed:
                killed.add(pid)
                found = True
        if not found:
            return
        time.sleep(0.001)


def _kill_descendants(root_pid: int) -> None:
    """SIGKILL every process below ``root_pid`` (the zygote, a child subreaper)."""
    for _ in range(5):
        parent = {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat", "rb") as fh:
                    s = fh.read()
                parent[int(name)] = int(s[s.rindex(b")") + 2:].split()[1])
            except (OSError, ValueError, IndexError):
                pass
        doomed = set()
        for pid in parent:
            p, seen = pid, 0
            while p in parent and seen < 64:
                if parent[p] == root_pid:
                    doomed.add(pid)
                    break
                p, seen = parent[p], seen + 1
        if not doomed:
            return
        for pid in doomed:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.001)


def _wait_exit(pidfd: int | None, timeout: float = 2.0) -> None:
    """Wait until the process behind ``pidfd`` has exited (event-driven, no polling)."""
    if pidfd is None:
        return
    p = select.poll()
    p.register(pidfd, select.POLLIN)
    p.poll(timeout * 1000)


class Worker:
    def __init__(self, spec: dict):
        self.spec = spec
        self.dataset = spec["dataset"]
        self.uid = spec.get("uid")
        self.private_pid_ns = bool(spec.get("private_pid_ns"))
        self.opts = spec["options"]
        self.tasks = {}
        for t in spec["tasks"]:
            self.tasks[t["task_id"]] = t
            for which in ("base", "plus"):
                exp = t.get(f"{which}_expected")
                if exp is not None:
                    t[f"_{which}_exp"] = Expected(exp)
                times = t.get(f"{which}_time")
                if times is not None:
                    lim = [max(self.opts["min_time_limit"], self.opts["factor"] * (x or 0.0))
                           for x in times]
                    t[f"_{which}_limits"] = lim
        self.workroot = tempfile.mkdtemp(prefix="flaws-exec-")
        os.chmod(self.workroot, 0o755)
        self._start_zygote()

    def _start_zygote(self):
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        zspec = {"evalplus_modules": self.spec.get("evalplus_modules") or [], "tasks": [
            {"task_id": t["task_id"], "entry_point": t["entry_point"],
             "not_none": t["not_none"], "base_input": t["base_input"],
             "plus_input": t["plus_input"]}
            for t in self.spec["tasks"]]}
        self.zygote = subprocess.Popen(
            [sys.executable, "-m", "flaws.execute.zygote", str(child.fileno())],
            stdin=subprocess.PIPE, pass_fds=[child.fileno()], close_fds=True)
        child.close()
        self.zygote.stdin.write(json.dumps(zspec).encode())
        self.zygote.stdin.close()
        self.sock = parent

    # ------------------------------------------------------------------ runs
    def run(self, task_id: str, which: str, solution: str, mode: str, *,
            start: int = 0, failures: set | None = None, total_cap: float | None = None) -> dict:
        """One run: a fresh child computes the inputs ``start, start + 1, ...``.

        ``failures`` (details mode, see :meth:`run_details`): wrong outputs are added to it
        (absolute input indices) and judging goes on; the run still ends at an exception,
        a time-out or an early exit, whose index it reports.  Indices in the returned
        record are relative to ``start``.
        """
        t = self.tasks[task_id]
        inputs_n = t[f"n_{which}"]
        record = mode == "record"
        if record:
            limits = [self.opts["record_time_limit"]] * inputs_n
            total_cap = self.opts["record_time_limit"] * max(1, inputs_n)
            expected = None
        else:
            limits = t[f"_{which}_limits"]
            if total_cap is None:
                total_cap = min(self.opts["task_time_cap"], sum(limits)) + 1
            expected = self._expected(t, which)
        if start:
            limits, inputs_n = limits[start:], inputs_n - start
        workdir = self._workdir()
        req = {"task_id": task_id, "which": which, "solution": solution,
               "workdir": workdir, "uid": self.uid,
               "memory_bytes": self.opts["memory_bytes"],
               "cpu_seconds": int(total_cap) + 2,
               "file_bytes": self.opts["file_bytes"],
               "open_files": self.opts["open_files"],
               "processes": self.opts["processes"]}
        if start:
            req["start"] = start
        if failures is not None:
            req["keep_going"] = True  # the child goes on after an exception (EvalPlus's details)
        pid, r, pidfd = self._spawn(req)
        try:
            res = self._monitor(pid, r, t, which, limits, total_cap, expected,
                                record, inputs_n, pidfd, start, failures)
        finally:
            self._reap(pid, r, pidfd, workdir)
        return res

    def _workdir(self) -> str:
        """A fresh directory for one child, owned by the sandbox uid."""
        workdir = tempfile.mkdtemp(dir=self.workroot)
        if self.uid is not None and os.geteuid() == 0:
            os.chown(workdir, self.uid, self.uid)
            os.chmod(workdir, 0o700)
        return workdir

    def _spawn(self, req: dict):
        """Have the zygote fork a child for ``req``: ``(pid, result pipe, pidfd or None)``."""
        r, w = os.pipe()
        try:
            pid = send_request(self.sock, req, w)
        finally:
            os.close(w)
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:
            pidfd = None
        return pid, r, pidfd

    def _reap(self, pid, r, pidfd, workdir) -> None:
        """Kill a child and everything it started, then remove its directory."""
        os.close(r)
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
        # once the child is gone, anything it forked is visible in /proc
        _wait_exit(pidfd)
        if pidfd is not None:
            os.close(pidfd)
        if self.uid is not None and self.private_pid_ns and os.geteuid() == 0:
            _kill_uid(self.uid)
        else:
            _kill_descendants(self.zygote.pid)
        shutil.rmtree(workdir, ignore_errors=True)

    def run_details(self, task_id: str, which: str, solution: str,
                    time_cap: float | None = None) -> dict:
        """Judge every input (EvalPlus's ``--test-details``): the record of :meth:`run`
        plus ``failed`` (sorted 0-based indices of every input not passed) and
        ``reached`` (inputs judged; those after it are unknown).

        ``status`` and ``first_failed`` are what :meth:`run` reports.  A wrong output
        or an exception does not stop the child (as in EvalPlus's details mode); a
        time-out or an early exit ends it, that input counts as failed and a fresh child
        goes on from the next input.  All
        children together get a CPU budget (``time_cap``, default EvalPlus's per-run cap
        ``min(60, sum of limits) + 1``; the first child always gets that cap, so the
        verdict is :meth:`run`'s); when it is spent, the inputs not yet judged are left
        unknown (EvalPlus would count them failed).
        """
        t = self.tasks[task_id]
        n = t[f"n_{which}"]
        run_cap = min(self.opts["task_time_cap"], sum(t[f"_{which}_limits"])) + 1
        if time_cap is None:
            time_cap = run_cap
        failures: set[int] = set()
        first = None
        start, spent, reached = 0, 0.0, n
        while True:
            # the first child gets run()'s own cap, so its first failure is run()'s
            res = self.run(task_id, which, solution, "judge", start=start, failures=failures,
                           total_cap=run_cap if first is None else time_cap - spent)
            spent += float(res.pop("cpu", 0.0) or 0.0)
            wrong, quirk = res.pop("first_wrong"), res.pop("quirk")
            if first is None:  # what run() would have reported: the first event in order
                first = res
                if wrong is not None:
                    first = {"status": "fail", "first_failed": wrong[0],
                             **({} if wrong[1] == "fail" else {"reason": wrong[1]})}
                elif res["status"] == "pass" and quirk is not None:
                    first = {"status": "fail", "first_failed": quirk, "reason": "find_zero quirk"}
            if res["status"] == "pass":
                break
            j = res["first_failed"]
            if res["status"] == "error" or j is None:  # no input ran (or a protocol error)
                reached = start if res["status"] != "error" else 0
                if res["status"] == "error":
                    failures.update(range(n))
                    reached = n
                break
            failures.add(start + j)
            start += j + 1
            if start >= n:
                break
            if spent >= time_cap:
                reached = start
                break
        return {**first, "cpu": spent, "failed": sorted(failures), "reached": reached}

    def run_tests(self, task_id: str, solution: str, tests: list, test_limit: float,
                  time_cap: float) -> dict:
        """Run model-written tests against a program (:mod:`flaws.execute.generated_tests`).

        One child loads the program and runs the tests in order, each against a fresh copy of
        the program's globals. Returns ``{"status", "passed", "cpu"}``: ``passed`` has one
        character per test, ``1`` passed, ``0`` raised (a failed assert or any exception),
        ``t`` over its ``test_limit`` CPU seconds (or the wall-clock ceiling), ``?`` not run
        because the program's CPU budget ``time_cap`` (all its children together) was spent.
        A child that times out or exits early is replaced by a fresh one from the next test.
        ``status`` is ``error`` (every test ``0``) when the program does not load, else ``ok``.
        """
        n = len(tests)
        marks: list[str] = []
        spent = 0.0
        while len(marks) < n:
            if spent >= time_cap:
                marks += ["?"] * (n - len(marks))
                break
            got, loaded, cpu = self._tests_child(task_id, solution, tests, len(marks),
                                                 test_limit, time_cap - spent)
            spent += cpu
            if not loaded:
                return {"status": "error", "passed": "0" * n, "cpu": spent}
            marks += got
        return {"status": "ok", "passed": "".join(marks[:n]), "cpu": spent}

    def _tests_child(self, task_id, solution, tests, start, test_limit, budget):
        """One child from test ``start`` on: (marks, loaded, cpu seconds). The marks end with
        the test that timed out or ended the child (``t`` or ``0``), if any."""
        workdir = self._workdir()
        req = {"task_id": task_id, "which": "base", "solution": solution, "tests": tests,
               "start": start, "workdir": workdir, "uid": self.uid,
               "memory_bytes": self.opts["memory_bytes"], "cpu_seconds": int(budget) + 2,
               "file_bytes": self.opts["file_bytes"], "open_files": self.opts["open_files"],
               "processes": self.opts["processes"]}
        pid, r, pidfd = self._spawn(req)
        try:
            return self._tests_monitor(pid, r, pidfd, len(tests) - start, test_limit, budget)
        finally:
            self._reap(pid, r, pidfd, workdir)

    def _tests_monitor(self, pid, r, pidfd, n, test_limit, budget):
        os.set_blocking(r, False)
        poller = select.poll()
        poller.register(r, select.POLLIN)
        if pidfd is not None:
            poller.register(pidfd, select.POLLIN)
        wall_factor, wall_slack = self.opts["wall_factor"], self.opts["wall_slack"]
        t0 = time.monotonic()
        wall_total = budget * wall_factor + wall_slack
        buf = bytearray()
        marks: list[str] = []
        loaded = None
        cpu_start = 0.0
        last = 0.0
        wall_start = t0
        dead = False
        wait = 0.0
        while True:
            for fd, _ev in poller.poll(0 if dead else wait * 1000):
                if pidfd is not None and fd == pidfd:
                    dead = True
                    poller.unregister(pidfd)
                    pidfd = None
            got = False
            while True:
                try:
                    chunk = os.read(r, 1 << 16)
                except BlockingIOError:
                    break
                if not chunk:
                    dead = True
                    break
                buf += chunk
                got = True
            cpu = cpu_seconds(pid)
            if cpu is not None:
                last = cpu
            mark_cpu = cpu if cpu is not None else cpu_start
            answered = 0
            while len(buf) >= FRAME.size:
                kind, length = FRAME.unpack_from(buf)
                if length or kind not in (b"R", b"X", b"O", b"E"):
                    return marks + ["0"], True, last  # protocol violation: count as failed
                del buf[:FRAME.size]
                if loaded is None:
                    if kind == b"X":
                        return [], False, last
                    if kind != b"R":
                        return marks + ["0"], True, last
                    loaded = True
                    cpu_start, wall_start = mark_cpu, time.monotonic()
                    continue
                if kind not in (b"O", b"E"):
                    return marks + ["0"], True, last
                answered += 1
                # the CPU since the last reading is charged to every test answered in between
                if mark_cpu - cpu_start > answered * test_limit:
                    return marks + ["t"], True, last
                marks.append("1" if kind == b"O" else "0")
                if len(marks) == n:
                    return marks, True, last
            if answered:
                cpu_start, wall_start = mark_cpu, time.monotonic()
            if dead and not got:
                if loaded is None:
                    return [], False, last
                # the child died during a test: over the budget or it ended itself
                return marks + (["t"] if last >= budget else ["0"]), True, last
            now = time.monotonic()
            if loaded:
                left = min(test_limit - (mark_cpu - cpu_start),
                           test_limit * wall_factor + wall_slack - (now - wall_start))
            else:
                left = budget - last
            left = min(left, budget - last, wall_total - (now - t0))
            if left <= 0 and not got:
                if loaded is None:
                    return [], False, last  # the program does not even load in time
                return marks + ["t"], True, last
            wait = max(0.002, left)

    def _monitor(self, pid, r, t, which, limits, total_cap, expected,
                 record, n, pidfd, start=0, failures=None):
        """Watch one run's child until a verdict (see :class:`~flaws.execute.monitor.RunMonitor`)."""
        judge = None if record else Judge(self.dataset, t["entry_point"], t["atol"],
                                          self.opts["find_zero_quirk"])
        plan = RunPlan(task=t, limits=limits, total_cap=total_cap, expected=expected, n=n,
                       record=record, start=start, failures=failures)
        return RunMonitor(plan, Child(pid, r, pidfd), judge, self.opts,
                          lambda: self._inputs(t, which)).result()

    def _expected(self, t, which):
        """Expected outputs of a task, read from the cache directory on first use."""
        key = f"_{which}_exp"
        if key not in t:
            fd = os.open(t["expected_file"], os.O_RDONLY, dir_fd=self.spec["expected_fd"])
            with os.fdopen(fd, "rb") as fh:
                data = load_expected_file(fh)
            for w in ("base", "plus"):
                t[f"_{w}_exp"] = Expected(data[w])
        return t[key]

    def _inputs(self, t, which):
        key = f"_{which}_inputs"
        if key not in t:
            from .codec import loads
            t[key] = loads(t[f"{which}_input"])
        return t[key]

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
        try:
            self.zygote.kill()
            self.zygote.wait(timeout=5)
        except Exception:  # noqa: BLE001
            pass
        shutil.rmtree(self.workroot, ignore_errors=True)


def _not_dumpable() -> None:
    """PR_SET_DUMPABLE 0: processes of our uid (the samples, when the host is not root) can
    then neither ptrace us nor open our ``/proc/<pid>/fd``, ``mem`` or ``environ``."""
    from .zygote import _libc

    if _libc().prctl(4, 0, 0, 0, 0) != 0:  # PR_SET_DUMPABLE
        raise OSError("prctl(PR_SET_DUMPABLE, 0) failed")


def main(argv: list[str] | None = None) -> int:
    """``python -m flaws.execute.worker IN_FD OUT_FD``: frames from the host on ``IN_FD``,
    answers on ``OUT_FD`` (see :class:`flaws.execute.pool._Proc` for why not stdin/stdout)."""
    in_fd, out_fd = (int(x) for x in (argv if argv is not None else sys.argv[1:]))
    out = os.fdopen(out_fd, "wb")
    inp = os.fdopen(in_fd, "rb")
    os.dup2(2, 1)  # stray prints of ours go to stderr
    spec = read_frame(inp)
    if spec is None:
        return 1
    _not_dumpable()
    worker = Worker(spec)
    write_frame(out, {"ready": True})
    try:
        while True:
            job = read_frame(inp)
            if job is None:
                break
            res = {"job": job["job"]}
            if job["mode"] == "tests":
                res["tests"] = worker.run_tests(job["task_id"], job["solution"], job["tests"],
                                                job["test_limit"], job["time_cap"])
                write_frame(out, res)
                continue
            for which in job["which"]:
                if job.get("details") and job["mode"] == "judge":
                    res[which] = worker.run_details(job["task_id"], which, job["solution"],
                                                    job.get("details_time_cap"))
                else:
                    res[which] = worker.run(job["task_id"], which, job["solution"], job["mode"])
            write_frame(out, res)
    finally:
        worker.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
