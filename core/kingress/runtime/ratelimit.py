"""When to retry: per-key exponential backoff, a global token bucket, and the larger of both.

The same limiters pace controller retries (the work queue) and gateway probes
(the prober), as client-go's ``workqueue`` rate limiters do for Knative.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Protocol


class RateLimiter(Protocol):
    """Decides how long an item waits before its next attempt."""

    def when(self, item: Hashable) -> float:
        """The delay (seconds) before the next attempt of ``item``; counts an attempt."""
        ...

    def forget(self, item: Hashable) -> None:
        """``item`` succeeded: start its backoff from scratch."""
        ...

    def failures(self, item: Hashable) -> int:
        """How many attempts of ``item`` were delayed since it was last forgotten."""
        ...


class ExponentialBackoff:
    """``base * 2**failures``, capped: per item."""

    def __init__(self, base: float, cap: float) -> None:
        self.base = base
        self.cap = cap
        self._failures: dict[Hashable, int] = {}
        self._lock = threading.Lock()

    def when(self, item: Hashable) -> float:
        """The next delay for ``item``."""
        with self._lock:
            count = self._failures.get(item, 0)
            self._failures[item] = count + 1
        return min(self.base * 2.0 ** min(count, 62), self.cap)

    def forget(self, item: Hashable) -> None:
        """Reset ``item``."""
        with self._lock:
            self._failures.pop(item, None)

    def failures(self, item: Hashable) -> int:
        """Attempts counted for ``item``."""
        with self._lock:
            return self._failures.get(item, 0)


class TokenBucket:
    """A global rate: ``qps`` tokens a second, at most ``burst`` saved up."""

    def __init__(self, qps: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.qps = qps
        self.burst = burst
        self._clock = clock
        self._tokens = float(burst)
        self._last = clock()
        self._lock = threading.Lock()

    def when(self, item: Hashable) -> float:
        """Reserve a token; the wait until it is available."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.qps)
            self._last = now
            self._tokens -= 1
            return 0.0 if self._tokens >= 0 else -self._tokens / self.qps

    def forget(self, item: Hashable) -> None:
        """Nothing per item."""

    def failures(self, item: Hashable) -> int:
        """Nothing per item."""
        return 0


class MaxOf:
    """The longest delay any of several limiters asks for."""

    def __init__(self, *limiters: RateLimiter) -> None:
        self.limiters = limiters

    def when(self, item: Hashable) -> float:
        """The largest delay."""
        return max(limiter.when(item) for limiter in self.limiters)

    def forget(self, item: Hashable) -> None:
        """Forget in all."""
        for limiter in self.limiters:
            limiter.forget(item)

    def failures(self, item: Hashable) -> int:
        """The largest count."""
        return max(limiter.failures(item) for limiter in self.limiters)


def controller_limiter() -> RateLimiter:
    """client-go's default controller limiter: 5 ms → 300 s per key, 10 qps / 100 burst overall."""
    return MaxOf(ExponentialBackoff(0.005, 300.0), TokenBucket(10.0, 100))
