"""The embedded store: an in-memory Kubernetes API with the semantics reconcilers rely on.

- ``resourceVersion``: one counter for the whole store; every write gets the next
  value; an update or status update naming an older one is a ``Conflict``.
- ``generation``: 1 on create, +1 whenever the spec (anything but metadata and
  status) changes, and when deletion starts.
- Status subresource: ``create`` and ``update`` never change status;
  ``update_status`` changes nothing else.
- Deletion: objects with finalizers get ``deletionTimestamp`` and go when the last
  finalizer is removed; dependents whose owners are all gone are deleted too
  (Kubernetes' garbage collector, done synchronously) — also when the
  dependent is created or updated after its owners went (a controller reading
  a stale cache writes a child of a deleted owner), so nothing is orphaned.
- Watch: every change is kept in a history bounded by a number of events and
  by their total size (so a flood of large writes cannot grow memory without
  limit); a watch from an older resourceVersion than the history holds is
  ``Gone`` (410), as in Kubernetes, and the client relists.

Any kind is accepted. It is thread-safe. Objects are frozen when written
(``kingress.frozen``) and the frozen object is what every read returns,
so reads cost no copy and no caller can change what the store holds: changing
one in place raises ``TypeError``. Lists are served from indexes by kind,
namespace, label and owner (``kingress.cluster.index``).
"""

from __future__ import annotations

import builtins
import re
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from kingress import jsoncodec
from kingress.cluster.errors import AlreadyExists, Conflict, Gone, Invalid, NotFound
from kingress.cluster.index import Page, PageQuery, StoreIndex
from kingress.cluster.port import EventType, Kind, Object, ObjectRef, WatchEvent
from kingress.frozen import freeze, freeze_version

#: Kinds that live outside namespaces.
CLUSTER_SCOPED: frozenset[Kind] = frozenset(
    {
        Kind("", "Namespace"),
        Kind("", "Node"),
        Kind("", "PersistentVolume"),
        Kind("rbac.authorization.k8s.io", "ClusterRole"),
        Kind("rbac.authorization.k8s.io", "ClusterRoleBinding"),
        Kind("apiextensions.k8s.io", "CustomResourceDefinition"),
        Kind("networking.k8s.io", "IngressClass"),
        Kind("gateway.networking.k8s.io", "GatewayClass"),
    }
)

_DNS1123_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
_METADATA_KEYS_SET_BY_STORE = ("uid", "resourceVersion", "generation", "creationTimestamp")
#: Default bounds of the watch history: events, and their total size as JSON.
HISTORY_EVENTS = 10_000
HISTORY_BYTES = 64 * 1024 * 1024


def rfc3339(moment: datetime) -> str:
    """Kubernetes' timestamp format (seconds precision, UTC, ``Z``)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def validate_name(name: str, what: str = "metadata.name") -> None:
    """Reject names Kubernetes would reject (DNS-1123 subdomain, at most 253 characters)."""
    if not name:
        raise Invalid(f"{what}: Required value: name or generateName is required")
    if len(name) > 253 or not _DNS1123_SUBDOMAIN.match(name):
        raise Invalid(
            f"{what}: Invalid value: {name!r}: a lowercase RFC 1123 subdomain must consist of "
            "lower case alphanumeric characters, '-' or '.', and must start and end with an "
            "alphanumeric character"
        )


def _spec_of(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion", "kind")}


class MemoryCluster:
    """The in-memory implementation of the cluster port."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        history: int = HISTORY_EVENTS,
        history_bytes: int = HISTORY_BYTES,
    ) -> None:
        self._clock = clock
        self._index = StoreIndex()
        self._by_uid: dict[str, ObjectRef] = {}
        self._kinds: dict[Kind, Kind] = {}
        # One event per resourceVersion, oldest first, with its size as JSON.
        self._events: deque[tuple[WatchEvent, int]] = deque()
        self._history = history
        self._history_bytes = history_bytes
        self._retained_bytes = 0
        self._version = 0
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)

    # -- reads -------------------------------------------------------------

    @property
    def resource_version(self) -> int:
        """The store's current resourceVersion (the last write's)."""
        with self._lock:
            return self._version

    @property
    def history(self) -> int:
        """How many changes the watch history keeps at most (fewer if they are large)."""
        return self._history

    def count(self) -> int:
        """How many objects the store holds."""
        return len(self._index.objects)

    def get(self, kind: Kind, namespace: str, name: str) -> Object:
        """The object (read-only), or ``NotFound``."""
        obj = self._index.objects.get(ObjectRef(kind, self._ns(kind, namespace), name))
        if obj is None:
            raise NotFound(f'{kind} "{name}" not found')
        return obj

    def list(
        self,
        kind: Kind,
        namespace: str | None = None,
        labels: Mapping[str, str] | str | None = None,
    ) -> list[Object]:
        """Objects (read-only) of a kind sorted by namespace and name, filtered as asked."""
        with self._lock:
            return self._index.select(kind, namespace, labels)

    def page(self, kind: Kind, namespace: str | None, labels: str | None, query: PageQuery) -> Page:
        """One page of a list (read-only objects), as ``StoreIndex.page`` reads it."""
        with self._lock:
            return self._index.page(kind, namespace, labels, query)

    def kinds(self) -> builtins.list[Kind]:
        """Every kind that has at least one object."""
        with self._lock:
            return self._index.kinds()

    # -- writes ------------------------------------------------------------

    def create(self, obj: Object) -> Object:
        """Store a new object (status dropped); ``AlreadyExists`` if its name is taken."""
        new = {k: v for k, v in obj.items() if k != "status"}
        meta = dict(new.get("metadata") or {})
        new["metadata"] = meta
        kind = Kind.of(new)
        if not kind.kind or not new.get("apiVersion"):
            raise Invalid("apiVersion and kind must be set")
        with self._lock:
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = meta["generateName"] + uuid.uuid4().hex[:5]
            validate_name(meta.get("name", ""))
            meta["namespace"] = self._ns(kind, meta.get("namespace"))
            if not meta["namespace"]:
                meta.pop("namespace")
            ref = ObjectRef.of(new)
            if ref in self._index.objects:
                raise AlreadyExists(f'{kind} "{ref.name}" already exists')
            meta.pop("deletionTimestamp", None)
            meta["uid"] = str(uuid.uuid4())
            meta["generation"] = 1
            meta["creationTimestamp"] = rfc3339(self._clock())
            created = self._commit(ref, new, EventType.ADDED)
            self._collect_if_orphaned(ref)
            return created

    def restore(self, obj: Object) -> Object:
        """Store an object exactly as given: uid, generation and status included.

        For restoring a snapshot and for table-driven tests that need a precise
        starting state (Knative's TableTest seeds its listers the same way).
        Any object with the same reference is replaced; missing ``uid``,
        ``generation`` and ``creationTimestamp`` are filled in as ``create`` does.
        Normal writes go through ``create``, ``update`` and ``update_status``.
        """
        new = dict(obj)
        meta = dict(new.get("metadata") or {})
        new["metadata"] = meta
        kind = Kind.of(new)
        if not kind.kind or not new.get("apiVersion"):
            raise Invalid("apiVersion and kind must be set")
        with self._lock:
            validate_name(meta.get("name", ""))
            meta["namespace"] = self._ns(kind, meta.get("namespace"))
            if not meta["namespace"]:
                meta.pop("namespace")
            meta.setdefault("uid", str(uuid.uuid4()))
            meta.setdefault("generation", 1)
            meta.setdefault("creationTimestamp", rfc3339(self._clock()))
            ref = ObjectRef.of(new)
            replaced = self._index.objects.get(ref)
            if replaced is not None:
                self._by_uid.pop(replaced["metadata"]["uid"], None)
            event = EventType.ADDED if replaced is None else EventType.MODIFIED
            return self._commit(ref, new, event)

    def update(self, obj: Object) -> Object:
        """Replace metadata and spec, keeping status; generation follows spec changes."""
        with self._lock:
            ref, current = self._current(obj)
            new = dict(obj)
            new_meta = dict(new.get("metadata") or {})
            new["metadata"] = new_meta
            cur_meta = current["metadata"]
            for key in (*_METADATA_KEYS_SET_BY_STORE, "namespace", "deletionTimestamp"):
                if key in cur_meta:
                    new_meta[key] = cur_meta[key]
                else:
                    new_meta.pop(key, None)
            if "status" in current:
                new["status"] = current["status"]
            else:
                new.pop("status", None)
            if _spec_of(new) != _spec_of(current):
                new_meta["generation"] = cur_meta.get("generation", 0) + 1
            if new == current:
                return current
            if cur_meta.get("deletionTimestamp") and not new_meta.get("finalizers"):
                self._remove(ref)
                return freeze(new)  # type: ignore[no-any-return]
            updated = self._commit(ref, new, EventType.MODIFIED)
            self._collect_if_orphaned(ref)
            return updated

    def update_status(self, obj: Object) -> Object:
        """Replace the status only."""
        with self._lock:
            ref, current = self._current(obj)
            new = dict(current)
            if obj.get("status") is None:
                new.pop("status", None)
            else:
                new["status"] = obj["status"]
            if new == current:
                return current
            new["metadata"] = dict(current["metadata"])
            return self._commit(ref, new, EventType.MODIFIED)

    def delete(self, kind: Kind, namespace: str, name: str) -> None:
        """Delete, or mark for deletion when finalizers remain; collect dependents."""
        with self._lock:
            ref = ObjectRef(kind, self._ns(kind, namespace), name)
            current = self._index.objects.get(ref)
            if current is None:
                raise NotFound(f'{kind} "{name}" not found')
            meta = current["metadata"]
            if meta.get("finalizers"):
                if not meta.get("deletionTimestamp"):
                    new_meta = {
                        **meta,
                        "deletionTimestamp": rfc3339(self._clock()),
                        "generation": meta.get("generation", 0) + 1,
                    }
                    self._commit(ref, {**current, "metadata": new_meta}, EventType.MODIFIED)
                return
            self._remove(ref)

    # -- watch -------------------------------------------------------------

    def events_since(
        self, since: int, kinds: frozenset[Kind] | None = None
    ) -> builtins.list[WatchEvent]:
        """Changes after ``since`` without waiting; ``Gone`` if history no longer reaches it."""
        with self._lock:
            if since >= self._version:
                return []
            oldest = self._events[0][0].resource_version if self._events else self._version + 1
            if oldest > since + 1:
                raise Gone(f"too old resource version: {since} ({self._version})")
            # Versions are consecutive, one event each: the first wanted one is at this index.
            first = max(0, since + 1 - oldest)
            return [
                event
                for event, _ in (self._events[i] for i in range(first, len(self._events)))
                if kinds is None or Kind.of(event.object) in kinds
            ]

    def watch(
        self,
        since: int,
        kinds: frozenset[Kind] | None = None,
        timeout: float | None = None,
        *,
        deadline: float | None = None,
    ) -> Iterator[WatchEvent]:
        """Changes after ``since``, waiting for new ones until ``timeout`` passes quietly.

        With ``deadline`` (a ``time.monotonic()`` value), the watch also ends then,
        however busy the store is with other kinds.
        """
        position = since
        while True:
            with self._lock:
                events = self.events_since(position, kinds)
                if not events:
                    wait = timeout
                    if deadline is not None:
                        left = deadline - time.monotonic()
                        if left <= 0:
                            return
                        wait = left if wait is None else min(wait, left)
                    if position < self._version:
                        # Only other kinds changed: move past them without yielding.
                        position = self._version
                    elif not self._changed.wait(wait):
                        return
                    continue
            for event in events:
                position = event.resource_version
                yield event

    # -- internals ---------------------------------------------------------

    def _ns(self, kind: Kind, namespace: str | None) -> str:
        if kind in CLUSTER_SCOPED:
            return ""
        return namespace or "default"

    def _current(self, obj: Object) -> tuple[ObjectRef, Object]:
        kind = Kind.of(obj)
        meta = obj.get("metadata") or {}
        ref = ObjectRef(kind, self._ns(kind, meta.get("namespace")), meta.get("name", ""))
        current = self._index.objects.get(ref)
        if current is None:
            raise NotFound(f'{kind} "{ref.name}" not found')
        wanted = meta.get("resourceVersion")
        if wanted and str(wanted) != current["metadata"]["resourceVersion"]:
            raise Conflict(
                f'Operation cannot be fulfilled on {kind} "{ref.name}": the object has been '
                "modified; please apply your changes to the latest version and try again"
            )
        uid = meta.get("uid")
        if uid and uid != current["metadata"]["uid"]:
            raise Conflict(
                f"Precondition failed: UID in precondition: {uid}, UID in object meta: "
                f"{current['metadata']['uid']}"
            )
        return ref, current

    def _commit(self, ref: ObjectRef, obj: dict[str, Any], event: EventType) -> Object:
        """Freeze and store ``obj`` (its ``metadata`` a dict of its own) as the next version."""
        self._version += 1
        obj["metadata"]["resourceVersion"] = str(self._version)
        frozen: Object = freeze_version(obj)
        uid = frozen["metadata"]["uid"]
        held = self._by_uid.get(uid)
        ref = held if held is not None and held == ref else self._held_ref(ref)
        self._index.put(ref, frozen)
        self._by_uid[uid] = ref
        self._record(WatchEvent(event, frozen, self._version))
        return frozen

    def _held_ref(self, ref: ObjectRef) -> ObjectRef:
        """The reference the indexes keep for a new object: its kind and strings shared.

        Every write makes a reference of its own; keeping one per object (the
        first, then found by uid), with one ``Kind`` per kind and the interned
        strings of the object's metadata, saves three objects per stored object.
        """
        kind = self._kinds.setdefault(ref.kind, ref.kind)
        return ObjectRef(kind, sys.intern(ref.namespace), sys.intern(ref.name))

    def _record(self, event: WatchEvent) -> None:
        """Add an event to the history, dropping the oldest beyond either bound; wake watches."""
        size = len(jsoncodec.dumps(event.object, default=str))
        self._events.append((event, size))
        self._retained_bytes += size
        while len(self._events) > 1 and (
            len(self._events) > self._history or self._retained_bytes > self._history_bytes
        ):
            _, dropped = self._events.popleft()
            self._retained_bytes -= dropped
        self._changed.notify_all()

    def _remove(self, ref: ObjectRef) -> None:
        obj = self._index.pop(ref)
        uid = obj["metadata"]["uid"]
        self._by_uid.pop(uid, None)
        self._version += 1
        self._record(WatchEvent(EventType.DELETED, obj, self._version))
        self._collect_dependents(uid)

    def _orphaned(self, obj: Object) -> bool:
        """Whether ``obj`` has owners and none of them exists (any more)."""
        owners = [o.get("uid") for o in obj["metadata"].get("ownerReferences") or ()]
        return bool(owners) and not any(uid in self._by_uid for uid in owners)

    def _collect_if_orphaned(self, ref: ObjectRef) -> None:
        if self._orphaned(self._index.objects[ref]):
            self.delete(ref.kind, ref.namespace, ref.name)

    def _collect_dependents(self, owner_uid: str) -> None:
        for ref in self._index.dependents(owner_uid):
            obj = self._index.objects.get(ref)
            if obj is not None and self._orphaned(obj):
                self.delete(ref.kind, ref.namespace, ref.name)
