"""Calling backend code with a deadline, so a hung plugin costs one ingress, not the controller.

A backend's ``translate`` and ``check_ready`` are third-party code running in
the controller's process. ``CallGuard.call`` runs one in a daemon worker thread
and waits at most ``deadline`` seconds for it. A call still running then is
*abandoned*: the caller gets ``Overdue`` (the reconciler turns it into a
``...Timeout`` condition on that one ingress and moves on) and the thread is
left to finish or hang on its own — Python cannot kill a thread, and being a
daemon it never keeps the process alive.

Worker threads are kept, one pool per backend: a worker whose call returned
in time waits for the next call (starting a thread per call cost more than
most translations), so concurrent callers each get a worker and a steady
controller starts none. A worker whose call was abandoned never serves again:
it ends once that call returns, and the next call starts a fresh one. A worker
left idle for ``idle_timeout`` seconds ends too, so a guard that is no longer
used holds no thread.

Abandoned threads are bounded: once ``max_overdue`` calls of one backend are
abandoned and still running, further calls of that backend are refused at
once with ``Overdue`` (no new thread), until one of them returns. A backend
that hangs on every call therefore holds at most ``max_overdue`` threads,
however many ingresses use it.

Anything the call raises is re-raised in the caller: an ``Exception`` as is,
and a ``BaseException`` that is not one (``SystemExit``, ``KeyboardInterrupt``
raised by plugin code, not by a signal) as ``BackendAborted``, so it is a
failure of that call and never stops the controller.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

T = TypeVar("T")

#: How long a backend call may run before it is abandoned, in seconds.
DEFAULT_DEADLINE = 10.0
#: How many abandoned calls of one backend may still be running.
DEFAULT_MAX_OVERDUE = 2
#: How long an idle worker thread waits for another call before it ends, in seconds.
DEFAULT_IDLE_TIMEOUT = 60.0


class Overdue(Exception):
    """A call ran past its deadline, or was refused because earlier ones still run."""


class BackendAborted(Exception):
    """Backend code raised a ``BaseException`` that is not an ``Exception``."""

    def __init__(self, original: BaseException) -> None:
        super().__init__(f"{type(original).__name__}: {original}")
        #: What the backend raised (``SystemExit``, ``KeyboardInterrupt``…).
        self.original = original


@dataclass
class _Outcome(Generic[T]):
    """What a worker thread hands back; ``lock`` orders its finish against abandonment."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    done: threading.Event = field(default_factory=threading.Event)
    value: T | None = None
    error: BaseException | None = None
    abandoned: bool = False


class CallGuard:
    """Runs backend calls in worker threads with a deadline and a cap on abandoned ones."""

    def __init__(
        self,
        deadline: float = DEFAULT_DEADLINE,
        max_overdue: int = DEFAULT_MAX_OVERDUE,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT,
    ) -> None:
        if deadline <= 0 or max_overdue < 1 or idle_timeout <= 0:
            raise ValueError(
                "deadline must be positive and max_overdue at least 1 (idle_timeout positive)"
            )
        self.deadline = deadline
        self.max_overdue = max_overdue
        self.idle_timeout = idle_timeout
        self._lock = threading.Lock()
        self._overdue: Counter[str] = Counter()
        self._idle: dict[str, list[_Worker]] = {}

    def overdue(self, owner: str) -> int:
        """How many abandoned calls of ``owner`` are still running."""
        with self._lock:
            return self._overdue[owner]

    def call(self, owner: str, what: str, fn: Callable[[], T]) -> T:
        """``fn()``, run for ``owner`` (a backend name); ``Overdue`` if it takes too long."""
        with self._lock:
            running = self._overdue[owner]
        if running >= self.max_overdue:
            raise Overdue(
                f"backend {owner}: {running} earlier calls are still running past the "
                f"{self.deadline:g}s deadline; {what} is not called until one returns"
            )
        outcome: _Outcome[T] = _Outcome()
        with self._lock:
            idle = self._idle.get(owner)
            worker = idle.pop() if idle else None
        if worker is None:
            worker = _Worker(self, owner)
        worker.jobs.put(_Job(what, fn, outcome))
        if not outcome.done.wait(self.deadline):
            with outcome.lock:
                if not outcome.done.is_set():
                    outcome.abandoned = True
                    with self._lock:
                        self._overdue[owner] += 1
                    raise Overdue(
                        f"backend {owner}: {what} did not return within {self.deadline:g}s"
                    )
        if outcome.error is not None:
            raise outcome.error
        return cast(T, outcome.value)

    def _finish(
        self,
        worker: _Worker,
        outcome: _Outcome[T],
        value: T | None,
        error: BaseException | None,
    ) -> bool:
        """Hand the call's result over; whether ``worker`` may serve another call.

        A worker that finished in time is back in the pool before its caller
        wakes, so the caller's next call reuses it.
        """
        with outcome.lock:
            outcome.value, outcome.error = value, error
            with self._lock:
                if outcome.abandoned:
                    self._overdue[worker.owner] -= 1
                else:
                    self._idle.setdefault(worker.owner, []).append(worker)
            outcome.done.set()
            return not outcome.abandoned

    def _retire_idle(self, worker: _Worker) -> bool:
        """Take an idle ``worker`` out of its pool; False if a caller took it meanwhile."""
        with self._lock:
            idle = self._idle.get(worker.owner, [])
            if worker not in idle:
                return False
            idle.remove(worker)
            return True


@dataclass(frozen=True, slots=True)
class _Job(Generic[T]):
    """One call for a worker: what it is (for the thread's name), the function, the outcome."""

    what: str
    fn: Callable[[], T]
    outcome: _Outcome[T]


class _Worker:
    """A daemon thread running one backend's calls, one at a time, until one is abandoned."""

    def __init__(self, guard: CallGuard, owner: str) -> None:
        self.guard = guard
        self.owner = owner
        self.jobs: queue.SimpleQueue[_Job[Any]] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._serve, name=f"kingress-{owner}", daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                job = self.jobs.get(timeout=self.guard.idle_timeout)
            except queue.Empty:
                if self.guard._retire_idle(self):
                    return
                continue  # a caller took this worker from the pool: its call is coming
            self.thread.name = f"kingress-{self.owner}-{job.what}"
            try:
                value = job.fn()
            except Exception as error:
                served = self.guard._finish(self, job.outcome, None, error)
            except BaseException as error:  # plugin code, not a signal: this is a worker thread
                served = self.guard._finish(self, job.outcome, None, BackendAborted(error))
            else:
                served = self.guard._finish(self, job.outcome, value, None)
            if not served:
                return
