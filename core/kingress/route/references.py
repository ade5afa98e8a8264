"""What each Route read at its last reconcile, so changes to those objects re-trigger it.

The Route controller reads objects it does not own: the Configurations and
Revisions its traffic names (found or not), the Revisions' Services, and the
names its children should have (to notice when a foreign object holding one
goes away). Each reconcile records them here; the watch mappers turn a change
to one of them into the Routes to reconcile again. This is Knative's tracker
in miniature: the state is rebuilt by the first reconcile of every Route, so
losing it loses nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from kingress.cluster.index import Refs, add_ref, discard_ref, refs_in
from kingress.cluster.port import Object, ObjectRef


class References:
    """Routes and the objects they read, both ways; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reads: dict[ObjectRef, frozenset[ObjectRef]] = {}
        self._readers: dict[ObjectRef, Refs] = {}

    def track(self, route: ObjectRef, reads: Iterable[ObjectRef]) -> None:
        """Record that ``route`` read exactly ``reads`` (replacing what it read before)."""
        wanted = frozenset(reads)
        with self._lock:
            self._drop(route)
            self._reads[route] = wanted
            for ref in wanted:
                add_ref(self._readers, ref, route)

    def forget(self, route: ObjectRef) -> None:
        """``route`` is gone."""
        with self._lock:
            self._drop(route)
            self._reads.pop(route, None)

    def readers(self, obj: Object) -> list[ObjectRef]:
        """The Routes that read ``obj`` at their last reconcile (a watch mapper)."""
        with self._lock:
            return sorted(refs_in(self._readers.get(ObjectRef.of(obj))))

    def routes(self) -> list[ObjectRef]:
        """Every Route reconciled and not forgotten."""
        with self._lock:
            return sorted(self._reads)

    def _drop(self, route: ObjectRef) -> None:
        for ref in self._reads.get(route, ()):
            discard_ref(self._readers, ref, route)
