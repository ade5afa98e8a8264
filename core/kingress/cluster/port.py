"""The cluster port: the one interface every reconciler reads and writes through.

Objects cross this port as wire-form dicts (``apiVersion``, ``kind``,
``metadata``, ``spec``, ``status``), exactly what the Kubernetes API carries;
reconcilers parse them into typed models on their side. Objects are identified
by group, kind, namespace and name: the API version is a rendering detail, so a
Service submitted as ``serving.knative.dev/v1alpha1`` and read as ``v1`` is one
object. Implementations: the in-memory store (the embedded default and the test
bed) and, on a real cluster, the ``kubernetes`` client adapter.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

Object = dict[str, Any]


def group_of(api_version: str) -> str:
    """The API group of an apiVersion (``""`` for the core group ``v1``)."""
    return api_version.rpartition("/")[0]


@dataclass(frozen=True, slots=True, order=True)
class Kind:
    """A kind of object, independent of API version."""

    group: str
    kind: str

    @classmethod
    def of(cls, obj: Mapping[str, Any]) -> Kind:
        """The kind of a wire-form object."""
        return cls(group_of(str(obj.get("apiVersion", ""))), str(obj.get("kind", "")))

    def __str__(self) -> str:
        return f"{self.kind}.{self.group}" if self.group else self.kind


@dataclass(frozen=True, slots=True, order=True)
class ObjectRef:
    """Which object: kind, namespace (``""`` for cluster-scoped) and name."""

    kind: Kind
    namespace: str
    name: str
    # References key every index and queue; hashing one is done once.
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((self.kind, self.namespace, self.name)))

    def __hash__(self) -> int:
        return self._hash

    def __reduce__(self) -> tuple[type[ObjectRef], tuple[Kind, str, str]]:
        # Rebuilt (and re-hashed) on unpickling: string hashes differ between processes.
        return ObjectRef, (self.kind, self.namespace, self.name)

    @classmethod
    def of(cls, obj: Mapping[str, Any]) -> ObjectRef:
        """The reference of a wire-form object."""
        meta = obj.get("metadata") or {}
        return cls(Kind.of(obj), meta.get("namespace") or "", meta.get("name") or "")

    def __str__(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name}"


class EventType(StrEnum):
    """What happened to an object, as in a Kubernetes watch."""

    ADDED = "ADDED"
    MODIFIED = "MODIFIED"
    DELETED = "DELETED"


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """One change, carrying the object as it was after the change."""

    type: EventType
    object: Object
    resource_version: int


class Cluster(Protocol):
    """What reconcilers need from a Kubernetes API."""

    def get(self, kind: Kind, namespace: str, name: str) -> Object:
        """The object, or ``NotFound``."""
        ...

    def list(
        self,
        kind: Kind,
        namespace: str | None = None,
        labels: Mapping[str, str] | str | None = None,
    ) -> list[Object]:
        """Objects of a kind, optionally in one namespace and matching a label selector."""
        ...

    def create(self, obj: Object) -> Object:
        """Store a new object; ``AlreadyExists`` if the name is taken. Status is ignored."""
        ...

    def update(self, obj: Object) -> Object:
        """Replace metadata and spec; ``Conflict`` on a stale resourceVersion. Status is kept."""
        ...

    def update_status(self, obj: Object) -> Object:
        """Replace only the status; ``Conflict`` on a stale resourceVersion."""
        ...

    def delete(self, kind: Kind, namespace: str, name: str) -> None:
        """Delete (or, with finalizers, mark for deletion); dependents are collected."""
        ...

    def watch(
        self, since: int, kinds: frozenset[Kind] | None = None, timeout: float | None = None
    ) -> Iterator[WatchEvent]:
        """Changes after resourceVersion ``since``; ``Gone`` if that is too old."""
        ...
