"""Results of pure functions, remembered for the objects they were last computed for.

A reconciler computes the same thing from the same inputs again and again: a
no-op reconcile (one triggered by its own status write, say) rebuilds what the
last one built. ``Recent`` keeps, for the last ``size`` keys (objects), the
inputs and the result of the last computation, and returns that result while
the inputs are equal. Only pure computations of those inputs may go through
it, and inputs must not change in place (frozen values, or copies): a stale
result is then impossible, and a miss only costs the computation. Bounded, so
memory does not grow with the number of objects. Thread-safe.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Recent(Generic[K, V]):
    """The last result computed for each of the last ``size`` keys, with its inputs."""

    def __init__(self, size: int = 256) -> None:
        if size < 1:
            raise ValueError("size must be at least 1")
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[K, tuple[object, V]] = OrderedDict()

    def get(self, key: K, inputs: object, compute: Callable[[], V], *, remember: bool = True) -> V:
        """The result for ``key`` if its inputs equal ``inputs``, else ``compute()``.

        With ``remember=False`` (inputs that could change in place), a new
        result is not kept. Exceptions from ``compute`` pass through, and
        nothing is kept for them.
        """
        with self._lock:
            found = self._entries.get(key)
            if found is not None and (found[0] is inputs or found[0] == inputs):
                self._entries.move_to_end(key)
                return found[1]
        value = compute()
        if remember:
            self.put(key, inputs, value)
        return value

    def put(self, key: K, inputs: object, value: V) -> None:
        """Keep ``value`` as the result for ``key`` while its inputs equal ``inputs``.

        For a result that ``get`` computed, replaced by an equal one that is
        cheaper to keep (frozen, sharing parts with what was stored).
        """
        with self._lock:
            self._entries[key] = (inputs, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def forget(self, key: K) -> None:
        """Drop what is kept for ``key`` (its object is gone)."""
        with self._lock:
            self._entries.pop(key, None)
