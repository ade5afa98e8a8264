"""Which primary objects read which other objects: re-trigger them when those change.

A reconciler that reads objects it does not own (the Services a ClusterIngress's
splits point at, a backend's ConfigMap) records them here during each reconcile;
the tracker's ``mapper`` then turns a change to one of them into the primary
objects to reconcile again — Knative's tracker, minus the informers. The state
is rebuilt by the first reconcile of every primary object, so losing it (a
restart) loses nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from kingress.cluster.index import Refs, add_ref, discard_ref, refs_in
from kingress.cluster.port import Object, ObjectRef
from kingress.controller.reconciler import Mapper


class Tracker:
    """References from primary objects to the objects they read, both ways."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reads: dict[ObjectRef, frozenset[ObjectRef]] = {}
        self._readers: dict[ObjectRef, Refs] = {}

    def track(self, primary: ObjectRef, reads: Iterable[ObjectRef]) -> None:
        """Record that ``primary`` depends on exactly ``reads`` (replacing what it read before)."""
        wanted = frozenset(reads)
        with self._lock:
            self._drop(primary)
            if wanted:
                self._reads[primary] = wanted
                for ref in wanted:
                    add_ref(self._readers, ref, primary)

    def forget(self, primary: ObjectRef) -> None:
        """``primary`` is gone or no longer depends on anything."""
        with self._lock:
            self._drop(primary)

    def readers(self, ref: ObjectRef) -> list[ObjectRef]:
        """The primary objects that read ``ref`` at their last reconcile, sorted."""
        with self._lock:
            return sorted(refs_in(self._readers.get(ref)))

    def mapper(self) -> Mapper:
        """A watch mapper: a changed object maps to the primaries that read it."""

        def mapper(obj: Object) -> Iterable[ObjectRef]:
            return self.readers(ObjectRef.of(obj))

        return mapper

    def _drop(self, primary: ObjectRef) -> None:
        for ref in self._reads.pop(primary, ()):
            discard_ref(self._readers, ref, primary)
