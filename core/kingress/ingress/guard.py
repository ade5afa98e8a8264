"""Calling backend code with a deadline, so a hung plugin costs one ingress, not the controller.

A backend's ``translate`` and ``check_ready`` are third-party code running in
the controller's process. ``CallGuard.call`` runs one in a daemon worker thread
and waits at most ``deadline`` seconds for it. A call still running then is
*abandoned*: the caller gets ``Overdue`` (the reconciler turns it into a
``...Timeout`` condition on that one ingress and moves on) and the thread is
left to finish or hang on its own — Python cannot kill a thread, and being a
daemon it never keeps the process alive.

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

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast

T = TypeVar("T")

#: How long a backend call may run before it is abandoned, in seconds.
DEFAULT_DEADLINE = 10.0
#: How many abandoned calls of one backend may still be running.
DEFAULT_MAX_OVERDUE = 2


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
        self, deadline: float = DEFAULT_DEADLINE, max_overdue: int = DEFAULT_MAX_OVERDUE
    ) -> None:
        if deadline <= 0 or max_overdue < 1:
            raise ValueError("deadline must be positive and max_overdue at least 1")
        self.deadline = deadline
        self.max_overdue = max_overdue
        self._lock = threading.Lock()
        self._overdue: Counter[str] = Counter()

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
        worker = threading.Thread(
            target=self._run, args=(owner, fn, outcome), name=f"kingress-{owner}-{what}"
        )
        worker.daemon = True
        worker.start()
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

    def _run(self, owner: str, fn: Callable[[], T], outcome: _Outcome[T]) -> None:
        try:
            value = fn()
        except Exception as error:
            self._finish(owner, outcome, None, error)
        except BaseException as error:  # plugin code, not a signal: this is a worker thread
            self._finish(owner, outcome, None, BackendAborted(error))
        else:
            self._finish(owner, outcome, value, None)

    def _finish(
        self, owner: str, outcome: _Outcome[T], value: T | None, error: BaseException | None
    ) -> None:
        with outcome.lock:
            outcome.value, outcome.error = value, error
            outcome.done.set()
            if outcome.abandoned:
                with self._lock:
                    self._overdue[owner] -= 1
