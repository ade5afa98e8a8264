"""Time, injected: reconcilers never read the wall clock themselves.

``SystemClock`` is the real one; ``FakeClock`` lets tests (and gradual-rollout
steps) advance time explicitly.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from kingress.cluster.memory import rfc3339


class Clock(Protocol):
    """A source of the current time."""

    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        """The current time."""
        return datetime.now(UTC)


class FakeClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        """The fake current time."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self._now += timedelta(seconds=seconds)


def stamp(clock: Clock) -> str:
    """The clock's time as a Kubernetes timestamp (for conditions)."""
    return rfc3339(clock.now())
