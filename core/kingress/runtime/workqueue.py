"""A work queue with client-go's guarantees.

- An item is queued at most once however often it is added (dedupe).
- An item is never handed to two workers at once: added while being processed,
  it is queued again when its worker calls ``done``.
- ``add_after`` delays an item (the earliest of several delays wins);
  ``add_rate_limited`` delays it by its rate limiter (per-key exponential
  backoff), ``forget`` resets that backoff.
- ``shutdown`` wakes every waiting worker; ``get`` then returns ``None``.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Hashable
from typing import Generic, TypeVar

from kingress.runtime.ratelimit import RateLimiter

T = TypeVar("T", bound=Hashable)


class WorkQueue(Generic[T]):
    """A deduplicating, delaying, rate-limited queue of keys."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter
        self._queue: deque[T] = deque()
        self._dirty: set[T] = set()
        self._processing: set[T] = set()
        self._waiting: list[tuple[float, int, T]] = []
        self._due: dict[T, float] = {}
        self._sequence = itertools.count()
        self._shutdown = False
        self._cond = threading.Condition()

    def __len__(self) -> int:
        """Items ready to be handed out (not counting delayed ones)."""
        with self._cond:
            return len(self._queue)

    @property
    def closed(self) -> bool:
        """Whether ``shutdown`` was called."""
        with self._cond:
            return self._shutdown

    @property
    def delayed(self) -> int:
        """Items waiting for their delay to pass."""
        with self._cond:
            return len(self._due)

    def add(self, item: T) -> None:
        """Queue ``item`` now (no-op if it is already queued)."""
        with self._cond:
            self._add(item)

    def _add(self, item: T) -> None:
        if self._shutdown or item in self._dirty:
            return
        self._dirty.add(item)
        if item not in self._processing:
            self._queue.append(item)
            self._cond.notify()

    def add_after(self, item: T, delay: float) -> None:
        """Queue ``item`` once ``delay`` seconds have passed."""
        if delay <= 0:
            self.add(item)
            return
        with self._cond:
            if self._shutdown:
                return
            due = time.monotonic() + delay
            if self._due.get(item, due + 1) <= due:
                return
            self._due[item] = due
            heapq.heappush(self._waiting, (due, next(self._sequence), item))
            self._cond.notify()

    def add_rate_limited(self, item: T) -> None:
        """Queue ``item`` after its rate limiter's delay."""
        self.add_after(item, self.limiter.when(item))

    def forget(self, item: T) -> None:
        """``item`` succeeded: reset its backoff."""
        self.limiter.forget(item)

    def _promote(self, now: float) -> float | None:
        """Move due items to the queue; the wait until the next one is due."""
        while self._waiting:
            due, _, item = self._waiting[0]
            if self._due.get(item) != due:
                heapq.heappop(self._waiting)
                continue
            if due > now:
                return due - now
            heapq.heappop(self._waiting)
            del self._due[item]
            self._add(item)
        return None

    def get(self, timeout: float | None = None) -> T | None:
        """The next item (the caller must call ``done``), or ``None`` on timeout or shutdown."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while True:
                now = time.monotonic()
                next_due = self._promote(now)
                if self._shutdown:
                    return None
                if self._queue:
                    item = self._queue.popleft()
                    self._processing.add(item)
                    self._dirty.discard(item)
                    return item
                waits = [
                    w
                    for w in (next_due, None if deadline is None else deadline - now)
                    if w is not None
                ]
                wait = min(waits) if waits else None
                if wait is not None and wait <= 0:
                    return None
                self._cond.wait(wait)

    def done(self, item: T) -> None:
        """The worker finished ``item``; requeue it if it was added meanwhile."""
        with self._cond:
            self._processing.discard(item)
            if item in self._dirty:
                self._queue.append(item)
                self._cond.notify()

    def shutdown(self) -> None:
        """Stop handing out items; wake every waiting worker."""
        with self._cond:
            self._shutdown = True
            self._cond.notify_all()
