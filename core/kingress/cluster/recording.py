"""A cluster that records every write: the heart of table-driven reconciler tests.

It wraps a real in-memory store (nothing is faked: reads and writes behave as
the store does) and keeps an ordered log of the writes a reconcile made, so a
test can compare them with the creates, updates, status updates and deletes
it expects. It can also make chosen writes fail, as Knative's TableTest
``WithReactors`` does, to test error paths.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from kingress.cluster.errors import ApiError
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, Object, ObjectRef, WatchEvent


class Verb(StrEnum):
    """A write operation."""

    CREATE = "create"
    UPDATE = "update"
    UPDATE_STATUS = "update_status"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class Action:
    """One write: its verb, the object reference, and the object written (not for deletes)."""

    verb: Verb
    ref: ObjectRef
    object: Object | None = None


@dataclass
class RecordingCluster:
    """A ``MemoryCluster`` whose writes are logged and can be made to fail."""

    inner: MemoryCluster
    actions: list[Action] = field(default_factory=list)
    #: (verb, kind name) pairs that fail with the given error.
    failures: dict[tuple[Verb, str], ApiError] = field(default_factory=dict)

    def _check(self, verb: Verb, kind: Kind) -> None:
        error = self.failures.get((verb, kind.kind))
        if error is not None:
            raise error

    def get(self, kind: Kind, namespace: str, name: str) -> Object:
        """As the store."""
        return self.inner.get(kind, namespace, name)

    def list(
        self,
        kind: Kind,
        namespace: str | None = None,
        labels: Mapping[str, str] | str | None = None,
    ) -> list[Object]:
        """As the store."""
        return self.inner.list(kind, namespace, labels)

    def create(self, obj: Object) -> Object:
        """Record, then create."""
        self._check(Verb.CREATE, Kind.of(obj))
        created = self.inner.create(obj)
        self.actions.append(Action(Verb.CREATE, ObjectRef.of(created), created))
        return created

    def update(self, obj: Object) -> Object:
        """Record (if anything changed), then update."""
        self._check(Verb.UPDATE, Kind.of(obj))
        before = self.inner.resource_version
        updated = self.inner.update(obj)
        if self.inner.resource_version != before:
            self.actions.append(Action(Verb.UPDATE, ObjectRef.of(updated), updated))
        return updated

    def update_status(self, obj: Object) -> Object:
        """Record (if anything changed), then update the status."""
        self._check(Verb.UPDATE_STATUS, Kind.of(obj))
        before = self.inner.resource_version
        updated = self.inner.update_status(obj)
        if self.inner.resource_version != before:
            self.actions.append(Action(Verb.UPDATE_STATUS, ObjectRef.of(updated), updated))
        return updated

    def delete(self, kind: Kind, namespace: str, name: str) -> None:
        """Record, then delete."""
        self._check(Verb.DELETE, kind)
        self.inner.delete(kind, namespace, name)
        self.actions.append(Action(Verb.DELETE, ObjectRef(kind, namespace, name)))

    def watch(
        self, since: int, kinds: frozenset[Kind] | None = None, timeout: float | None = None
    ) -> Iterator[WatchEvent]:
        """As the store."""
        return self.inner.watch(since, kinds, timeout)

    def of(self, verb: Verb) -> builtins.list[Action]:
        """The recorded actions of one verb, in order."""
        return [a for a in self.actions if a.verb is verb]
