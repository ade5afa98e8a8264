"""Garbage-collector settings for processes that hold a large store or cache.

A controller keeps every object of the kinds it watches in memory (the
embedded store, the informer caches): hundreds of thousands of dicts and
lists, acyclic and long-lived. CPython's default thresholds (700, 10, 10)
then run full collections over all of them again and again as the heap grows:
at 1,000 Services that was about 40% of the controllers' CPU time (see
docs/benchmarks.md). Collecting the young generation every 10,000 allocations
instead of 700, and the older ones 20 times less often than that, keeps
cycles collected (they are rare here) at a fraction of the cost.
"""

from __future__ import annotations

import gc

#: (generation 0, generation 1, generation 2) thresholds for long-running controllers.
THRESHOLDS = (10_000, 20, 20)


def tune() -> None:
    """Apply ``THRESHOLDS`` to this process."""
    gc.set_threshold(*THRESHOLDS)
