"""Watching one run: read a child's result frames, enforce the time limits, judge each output.

:class:`RunMonitor` is the trusted worker's (:mod:`flaws.execute.worker`) loop for one run
(one program on the base or the plus inputs), split into one method per job:

* :meth:`~RunMonitor._wait` and :meth:`~RunMonitor._drain`: wait for output (or for the
  next limit check) and read everything pending from the result pipe;
* :meth:`~RunMonitor._read_cpu`: one reading of the child's CPU time for all frames read;
* :meth:`~RunMonitor._next_frame` and :meth:`~RunMonitor._on_frame`: split and dispatch the
  frames (``R`` loaded, ``X`` load error, ``O`` output, ``E``/``U`` exception, unencodable);
* :meth:`~RunMonitor._on_output` and :meth:`~RunMonitor._verdict`: the CPU limit of the
  inputs answered, then the verdict of one output (:class:`flaws.execute.verdict.Judge`);
* :meth:`~RunMonitor._on_exit` and :meth:`~RunMonitor._time_left`: the child's end, and the
  limits (per input and per run, CPU and wall clock) checked once all pending output is judged.

Pending output is always drained *before* limits are checked, and the CPU time measured
between two reads is charged to all inputs answered in between (a batch is over its limit
only if it used more than the sum of its inputs' limits), so a worker that was briefly
descheduled on a busy machine cannot turn a fast program into a time-out.
"""

from __future__ import annotations

import os
import select
import time
from dataclasses import dataclass
from typing import Callable

from .codec import decode
from .protocol import MISSING
from .verdict import Judge, is_floats_encoded, type_name
from .zygote import FRAME

_TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """utime+stime (+ reaped children) of ``pid`` in seconds, None if gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            s = fh.read()
    except OSError:
        return None
    fields = s[s.rindex(b")") + 2:].split()
    # fields[0] is state (field 3); utime..cstime are fields 14..17
    return (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / _TICK


class Expected:
    """One input set's expected outputs (encoded, :mod:`flaws.execute.codec`), each decoded
    on its first use: most outputs are judged by comparing encodings (the judge's shortcut),
    so most expected outputs are never decoded."""

    __slots__ = ("raw", "_decoded", "_floats")

    def __init__(self, encoded: list[str]):
        self.raw = [None if e == MISSING else e.encode() for e in encoded]
        self._decoded: dict = {}
        self._floats: dict = {}

    def __len__(self) -> int:
        return len(self.raw)

    def missing(self, k: int) -> bool:
        """Has the reference itself no output for input ``k``?"""
        return self.raw[k] is None

    def shortcut(self, k: int) -> bytes | None:
        """The encoding an identical output may be passed on without decoding (none when it
        holds a NaN: ``nan != nan``)."""
        raw = self.raw[k]
        return None if raw is None or b"NaN" in raw else raw

    def value(self, k: int):
        """``(value, foreign type name or None)`` of input ``k``'s expected output."""
        got = self._decoded.get(k)
        if got is None:
            got = self._decoded[k] = decode(self.raw[k])
        return got

    def floats(self, k: int) -> bool:
        """EvalPlus's ``is_floats`` of input ``k``'s expected output."""
        got = self._floats.get(k)
        if got is None:
            got = self._floats[k] = is_floats_encoded(self.raw[k])
        return got


@dataclass
class RunPlan:
    """What one run is judged against.

    ``limits`` is indexed from input ``start`` (the first input this child computes),
    ``expected`` (:class:`Expected`) from input 0; ``expected`` is None when recording
    (``record``: outputs and times are returned, nothing is judged).  ``failures`` (details mode) collects the absolute indices
    of the inputs not passed, and judging goes on after a wrong output or an exception.
    """

    task: dict
    limits: list
    total_cap: float
    expected: Expected | None
    n: int
    record: bool = False
    start: int = 0
    failures: set | None = None


@dataclass
class Child:
    """The child process of one run: pid, read end of its result pipe, pidfd (or None)."""

    pid: int
    r: int
    pidfd: int | None


class RunMonitor:
    """Read one child's frames until a verdict (:meth:`result`)."""

    def __init__(self, plan: RunPlan, child: Child, judge: Judge | None, opts: dict,
                 inputs: Callable[[], list]):
        self.plan = plan
        self.child = child
        self.judge = judge
        self.shortcut = judge is not None and judge.shortcut_allowed
        self.inputs = inputs  # the run's decoded inputs, on first need
        self.wall_factor = opts["wall_factor"]
        self.wall_slack = opts["wall_slack"]
        self.max_frame = opts["max_frame_bytes"]
        self.buf = bytearray()
        self.t0 = time.monotonic()
        self.wall_total = plan.total_cap * self.wall_factor + self.wall_slack
        self.cpu_start = 0.0  # CPU at the start of the current input
        self.wall_start = self.t0
        self.i = -1  # -1: loading; else index of the input being computed
        self.outputs: list = []
        self.times: list = []
        self.quirk_index = None
        self.dead = False
        self.last_cpu = 0.0  # the child's CPU seconds at the last reading
        self.first_fail = None  # details mode: (index, reason) of the first wrong output
        self.batch_start = -1  # input index when the current batch of frames began
        self.batch_limit = 0.0  # summed limits of the inputs answered in this batch
        os.set_blocking(child.r, False)
        self.poller = select.poll()
        self.poller.register(child.r, select.POLLIN)
        if child.pidfd is not None:
            self.poller.register(child.pidfd, select.POLLIN)

    # ------------------------------------------------------------------ the loop
    def result(self) -> dict:
        """The run's record: ``status``, ``first_failed`` and ``cpu`` (and more, see :meth:`_done`)."""
        wait = 0.0
        while True:
            self._wait(wait)
            got_data = self._drain()
            cpu_now = self._read_cpu()
            cpu_mark = cpu_now if cpu_now is not None else self.cpu_start
            res = self._consume_frames(cpu_mark)
            if res is not None:
                return res
            if self.dead and not got_data:
                return self._on_exit(cpu_now)
            left = self._time_left(cpu_mark, cpu_now)
            if left <= 0 and not got_data:
                return self._done("timeout", self._index())
            wait = max(0.002, left)

    def _index(self):
        """The input being computed, None while loading."""
        return self.i if self.i >= 0 else None

    def _done(self, status, index=None, **kw) -> dict:
        p = self.plan
        d = {"status": status, "first_failed": index}
        if p.record:
            d["outputs"], d["times"] = self.outputs, self.times
        d["cpu"] = self.last_cpu
        if p.failures is not None:
            d["first_wrong"], d["quirk"] = self.first_fail, self.quirk_index
        d.update(kw)
        return d

    # ------------------------------------------------------------------ reading
    def _wait(self, wait: float) -> None:
        """Wait for output, the child's exit or ``wait`` seconds (none once it is dead)."""
        pidfd = self.child.pidfd
        for fd, _ev in self.poller.poll(0 if self.dead else wait * 1000):
            if pidfd is not None and fd == pidfd:
                self.dead = True
                self.poller.unregister(pidfd)
                self.child.pidfd = pidfd = None  # closed by the worker's reaping

    def _drain(self) -> bool:
        """Read what is pending on the result pipe (up to 64 MiB); True if anything came."""
        got_data = False
        drained = 0
        while drained < (64 << 20):
            try:
                chunk = os.read(self.child.r, 1 << 20)
            except BlockingIOError:
                break
            if not chunk:
                self.dead = True  # EOF: every holder of the write end is gone
                break
            self.buf += chunk
            drained += len(chunk)
            got_data = True
        return got_data

    def _read_cpu(self) -> float | None:
        """One CPU reading for every frame received since the last read."""
        cpu_now = cpu_seconds(self.child.pid)
        if cpu_now is not None:
            self.last_cpu = cpu_now
        return cpu_now

    def _next_frame(self):
        """``(kind, payload)`` of the next complete frame (removed from the buffer), None
        when incomplete; a frame over the size limit ends the run (``("too large", None)``)."""
        buf = self.buf
        if len(buf) < FRAME.size:
            return None
        kind, length = FRAME.unpack_from(buf)
        if length > self.max_frame:
            return "too large", None
        if len(buf) < FRAME.size + length:
            return None
        payload = bytes(buf[FRAME.size:FRAME.size + length])
        del buf[:FRAME.size + length]
        return kind, payload

    # ------------------------------------------------------------------ frames
    def _consume_frames(self, cpu_mark: float):
        """Judge every complete frame in the buffer; the run's record once it is decided."""
        self.batch_start, self.batch_limit = self.i, 0.0
        while True:
            frame = self._next_frame()
            if frame is None:
                break
            kind, payload = frame
            if kind == "too large":
                return self._done("fail", max(self.i, 0), reason="frame too large")
            res = self._on_frame(kind, payload, cpu_mark)
            if res is not None:
                return res
        if self.i > self.batch_start >= 0:
            self.cpu_start = cpu_mark  # the next input starts from this reading
        return None

    def _on_frame(self, kind: bytes, payload: bytes, cpu_mark: float):
        if self.i == -1:
            return self._on_load(kind, cpu_mark)
        if kind in (b"E", b"U"):
            res = self._on_exception(kind)
        elif kind == b"O":
            res = self._on_output(payload, cpu_mark)
        else:
            return self._done("fail", self.i, reason="protocol")
        if res is not None:
            return res
        return self._next_input()

    def _on_load(self, kind: bytes, cpu_mark: float):
        """The first frame: the program loaded (``R``) or not (``X``)."""
        if kind == b"X":
            return self._done("error")
        if kind != b"R":
            return self._done("fail", None, reason="protocol")
        self.i = 0
        self.cpu_start = cpu_mark
        self.batch_start = 0
        self.wall_start = time.monotonic()
        if self.plan.n == 0:
            return self._done("pass")
        return None

    def _on_exception(self, kind: bytes):
        """``E`` (the call raised) or ``U`` (unencodable output): the run fails, or in
        details mode the child went on with the next input."""
        why = "exception" if kind == b"E" else "unencodable"
        p = self.plan
        if p.failures is None:
            return self._done("fail", self.i, reason=why)
        p.failures.add(p.start + self.i)
        if self.first_fail is None:
            self.first_fail = (self.i, why)
        self.batch_limit += p.limits[self.i]
        return None

    def _on_output(self, payload: bytes, cpu_mark: float):
        """An output: recorded, or over the batch's CPU limit, or judged."""
        p, i = self.plan, self.i
        used = cpu_mark - self.cpu_start
        self.batch_limit += p.limits[i]
        if p.record:
            self.outputs.append(payload.decode())
            self.times.append(used)
            return None
        if used > self.batch_limit:
            return self._done("timeout", self.batch_start)
        return self._note_verdict(self._verdict(payload))

    def _verdict(self, payload: bytes) -> str:
        """The judge's verdict on one output (``ok``, ``uncounted``, ``fail`` or a reason)."""
        p = self.plan
        k = p.start + self.i
        expected = p.expected
        if expected.missing(k):  # the reference itself has no output here
            return "no reference output"
        if self.shortcut and payload == expected.shortcut(k):
            return self.judge.identical(floats=lambda: expected.floats(k))
        exp, exp_foreign = expected.value(k)
        try:
            out, foreign = decode(payload)
        except Exception:  # noqa: BLE001 - malformed data is a failure
            return "malformed"
        return self.judge.check(self.inputs()[k], out, type_name(out, foreign),
                                exp, type_name(exp, exp_foreign))

    def _note_verdict(self, verdict: str):
        """A failing verdict ends the run (details mode: is recorded); the find_zero quirk
        is remembered."""
        p, i = self.plan, self.i
        if verdict not in ("ok", "uncounted"):
            if p.failures is None:
                return self._done("fail", i, **({} if verdict == "fail" else {"reason": verdict}))
            p.failures.add(p.start + i)
            if self.first_fail is None:
                self.first_fail = (i, verdict)
        if verdict == "uncounted" and self.quirk_index is None:
            self.quirk_index = i
        if verdict == "uncounted" and p.failures is not None:
            p.failures.add(p.start + i)  # as EvalPlus's details: not counted as passed
        return None

    def _next_input(self):
        """Input ``i`` answered: on to the next, or the run's end after the last."""
        self.i += 1
        self.wall_start = time.monotonic()
        if self.i == self.plan.n:
            if self.plan.failures is not None:  # details mode: run_details gives the verdict
                return self._done("pass")
            if self.quirk_index is not None:
                return self._done("fail", self.quirk_index, reason="find_zero quirk")
            return self._done("pass")
        return None

    # ------------------------------------------------------------------ end and limits
    def _on_exit(self, cpu_now: float | None) -> dict:
        """The child is gone (or closed the pipe) before answering every input."""
        if (cpu_now or 0.0) >= self.plan.total_cap:
            return self._done("timeout", self._index())
        return self._done("fail", self._index(), reason="exited early")

    def _time_left(self, cpu_mark: float, cpu_now: float | None) -> float:
        """Seconds before the nearest limit: the current input's CPU and wall-clock limits
        (while loading, the run's), the run's CPU cap and its wall-clock ceiling."""
        now = time.monotonic()
        if self.i >= 0:
            lim = self.plan.limits[self.i]
            cpu_left = lim - (cpu_mark - self.cpu_start)
            wall_left = lim * self.wall_factor + self.wall_slack - (now - self.wall_start)
        else:
            cpu_left = self.plan.total_cap
            wall_left = self.wall_total
        total_left = self.plan.total_cap - (cpu_now or 0.0)
        total_wall_left = self.wall_total - (now - self.t0)
        return min(cpu_left, wall_left, total_left, total_wall_left)
