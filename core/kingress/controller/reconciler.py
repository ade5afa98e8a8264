"""What a reconciler is, for the runners that drive it.

A reconciler owns one primary kind. It is called with the reference of one
object of that kind and brings the world in line with it — level-based: it
reads everything it needs each time and keeps no state between calls. It
declares which other kinds it watches and how a change to one of those maps to
primary objects to re-reconcile (its children through owner references, or
objects it refers to).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from kingress.cluster.port import Cluster, Kind, Object, ObjectRef
from kingress.controller.clock import Clock

#: Maps a changed object of a watched kind to the primary objects to reconcile.
Mapper = Callable[[Object], Iterable[ObjectRef]]

#: Watch every kind: for children whose kinds are only known at run time (the
#: ClusterIngress reconciler applies whatever its backends return). A runner on a
#: real cluster resolves it to the kinds it has seen applied.
ANY_KIND = Kind("*", "*")


@dataclass(frozen=True, slots=True)
class Watch:
    """A secondary kind and how its changes map to primary objects."""

    kind: Kind
    mapper: Mapper


@dataclass(frozen=True, slots=True)
class Result:
    """The outcome of one reconcile: optionally, when to look again."""

    requeue_after: float | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """What every reconcile gets: the cluster and the clock."""

    cluster: Cluster
    clock: Clock


class Reconciler(Protocol):
    """One controller's reconcile function and what it watches."""

    #: Name for logs and metrics.
    name: str
    #: The kind this reconciler owns.
    kind: Kind

    def watches(self) -> Sequence[Watch]:
        """Other kinds whose changes re-trigger primary objects."""
        ...

    def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
        """Make the world match the object ``ref`` (which may have been deleted)."""
        ...


def owner_mapper(owner_kind: Kind) -> Mapper:
    """Map a child to its controlling owner of ``owner_kind`` (same namespace)."""

    def mapper(obj: Object) -> Iterable[ObjectRef]:
        meta = obj.get("metadata") or {}
        for ref in meta.get("ownerReferences") or ():
            if not ref.get("controller"):
                continue
            kind = Kind(ref.get("apiVersion", "").rpartition("/")[0], ref.get("kind", ""))
            if kind == owner_kind:
                yield ObjectRef(owner_kind, meta.get("namespace") or "", ref.get("name", ""))

    return mapper


def label_mapper(kind: Kind, label: str) -> Mapper:
    """Map an object to the ``kind`` object named by one of its labels (same namespace)."""

    def mapper(obj: Object) -> Iterable[ObjectRef]:
        meta = obj.get("metadata") or {}
        name = (meta.get("labels") or {}).get(label)
        if name:
            yield ObjectRef(kind, meta.get("namespace") or "", name)

    return mapper
