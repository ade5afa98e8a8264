"""Informers: a local cache of one kind, kept current by list + watch.

An informer lists its kind (in one namespace or all), then watches from the
list's resourceVersion, applying every event to its cache and passing it on
to a handler. A watch that ends (server timeout, dropped connection) is
resumed from the last resourceVersion seen; a ``410 Gone`` (history expired)
or any other error means a fresh list, after a backoff for errors. After a
relist, objects that vanished meanwhile are reported as deleted and every
listed object as added or modified — changed or not, as client-go's
``Replace`` does: the cache may already hold an object the controller wrote
itself (``observe``) whose watch event was lost with the connection, and its
handlers must still hear of it.

Writes a controller makes through ``CachedCluster`` are put into the cache at
once (``observe``) so its next read sees them; the cache never goes back to
an older resourceVersion of an object, nor brings back one whose deletion it
has seen (a write's answer can arrive after the watch reported the object
gone, e.g. when the garbage collector removed it at once).

The cache holds frozen objects (``kingress.frozen``), as the embedded store
does: an object is frozen once, when it enters the cache, and reads and
handlers get that same read-only object instead of a deep copy each (at 1,000
Routes the copies were most of a cold start's reads). It is frozen as the
store freezes a version (``freeze_version``): its parts are shared with equal
ones, but the object and its metadata, which carry its own resourceVersion and
can equal nothing else, are not looked up, nor held by the sharing table.
Lists are served from an index by namespace and label (``StoreIndex``), not by
sorting and filtering the whole cache.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Protocol

from kingress.cluster.errors import ApiError, Gone
from kingress.cluster.index import StoreIndex
from kingress.cluster.port import EventType, Kind, Object, ObjectRef, WatchEvent
from kingress.cluster.selectors import parse_selector
from kingress.frozen import freeze_version
from kingress.runtime.ratelimit import ExponentialBackoff

log = logging.getLogger("kingress.runtime.informer")

#: Called with each change: the event type and the object after it.
Handler = Callable[[EventType, Object], None]


class ListWatch(Protocol):
    """What an informer needs from the API (``KubeCluster`` provides it)."""

    def list_pages(
        self, kind: Kind, namespace: str | None = None
    ) -> Iterator[tuple[list[Object], str]]:
        """The objects one page at a time, each with the list's resourceVersion."""
        ...

    def watch_kind(
        self, kind: Kind, namespace: str | None, resource_version: str, timeout: float | None
    ) -> Iterator[WatchEvent]:
        """Changes after ``resource_version``; ``Gone`` when it is too old."""
        ...


def _key(obj: Object) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return meta.get("namespace") or "", meta.get("name") or ""


def _version(obj: Object) -> int:
    raw = str((obj.get("metadata") or {}).get("resourceVersion") or "0")
    return int(raw) if raw.isdigit() else 0


class Informer:
    """The cache of one kind and the thread that keeps it current."""

    def __init__(
        self,
        source: ListWatch,
        kind: Kind,
        handler: Handler,
        *,
        namespace: str | None = None,
        watch_timeout: float = 60.0,
        on_relist: Callable[[Kind, str], None] = lambda kind, why: None,
    ) -> None:
        self.source = source
        self.kind = kind
        self.namespace = namespace
        self.synced = threading.Event()
        self._handler = handler
        self._watch_timeout = watch_timeout
        self._on_relist = on_relist
        self._index = StoreIndex()
        #: The resourceVersion at which each deleted object was seen to go.
        self._deleted: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()
        self._backoff = ExponentialBackoff(0.1, 30.0)

    # -- reads --------------------------------------------------------------

    def covers(self, namespace: str | None) -> bool:
        """Whether reads in ``namespace`` (``None``: all) can be served from this cache."""
        return self.synced.is_set() and self.namespace in (None, namespace)

    def get(self, namespace: str, name: str) -> Object | None:
        """The cached object (read-only), if present."""
        return self._index.objects.get(self._ref((namespace, name)))

    def list(
        self, namespace: str | None = None, labels: Mapping[str, str] | str | None = None
    ) -> list[Object]:
        """The cached objects (read-only), filtered, sorted by namespace and name."""
        parse_selector(labels)  # an invalid selector is an error even on an empty cache
        with self._lock:
            return self._index.select(self.kind, namespace, labels)

    def _ref(self, key: tuple[str, str]) -> ObjectRef:
        return ObjectRef(self.kind, key[0], key[1])

    # -- writes from the controller ------------------------------------------

    def observe(self, obj: Object) -> None:
        """Put an object the controller just wrote into the cache (if not older)."""
        with self._lock:
            self._store(obj)

    def observe_deleted(self, namespace: str, name: str) -> None:
        """Drop an object the controller just deleted."""
        with self._lock:
            if self._ref((namespace, name)) in self._index.objects:
                self._index.pop(self._ref((namespace, name)))

    def _store(self, obj: Object) -> bool:
        key = _key(obj)
        ref = self._ref(key)
        current = self._index.objects.get(ref)
        if current is not None and _version(current) > _version(obj):
            return False
        if _version(obj) <= self._deleted.get(key, -1):
            return False
        self._deleted.pop(key, None)
        self._index.put(ref, freeze_version(obj))
        return True

    def _forget(self, key: tuple[str, str], version: int) -> Object | None:
        """Drop an object seen deleted at ``version``; the cached object, if any."""
        self._deleted[key] = max(version, self._deleted.get(key, -1))
        ref = self._ref(key)
        return self._index.pop(ref) if ref in self._index.objects else None

    # -- the loop -------------------------------------------------------------

    def run(self, stop: threading.Event) -> None:
        """List and watch until ``stop`` is set."""
        while not stop.is_set():
            try:
                version = self._relist()
                self._backoff.forget(self.kind)
                while not stop.is_set():
                    version = self._watch(version, stop)
            except Gone as error:
                self._on_relist(self.kind, "expired")
                log.info(
                    "watch expired; relisting",
                    extra={"kind": str(self.kind), "error": error.message},
                )
            except ApiError as error:
                if stop.is_set():
                    return
                self._on_relist(self.kind, "error")
                delay = self._backoff.when(self.kind)
                log.warning(
                    "list/watch failed; retrying",
                    extra={"kind": str(self.kind), "error": error.message, "retry_in": delay},
                )
                stop.wait(delay)

    def _relist(self) -> str:
        # Each page is frozen as it comes: the decoded objects of a whole kind are
        # never alive at once (at 10,000 Services they doubled the cache's memory,
        # left as fragments once freed). ``KubeCluster`` decodes its pages frozen
        # already, which ``freeze_version`` keeps as they are.
        listed: dict[tuple[str, str], Object] = {}
        version = ""
        for page, page_version in self.source.list_pages(self.kind, self.namespace):
            version = page_version
            listed.update((_key(obj), freeze_version(obj)) for obj in page)
        changes: list[tuple[EventType, Object]] = []
        cached = self._index.objects
        with self._lock:
            # A list is the whole truth: older deletions need no remembering any more.
            self._deleted = {}
            listed_at = int(version) if version.isdigit() else 0
            for ref in [r for r in cached if (r.namespace, r.name) not in listed]:
                key = (ref.namespace, ref.name)
                gone = self._forget(key, max(listed_at, _version(cached[ref])))
                assert gone is not None
                changes.append((EventType.DELETED, gone))
            for key, obj in listed.items():
                ref = self._ref(key)
                previous = cached.get(ref)
                if previous is None or _version(obj) >= _version(previous):
                    self._index.put(ref, obj)
                kind = EventType.ADDED if previous is None else EventType.MODIFIED
                changes.append((kind, cached[ref]))
        self.synced.set()
        for event_type, obj in changes:
            self._handler(event_type, obj)
        return version

    def _watch(self, version: str, stop: threading.Event) -> str:
        for event in self.source.watch_kind(
            self.kind, self.namespace, version, self._watch_timeout
        ):
            obj = freeze_version(event.object)
            with self._lock:
                if event.type is EventType.DELETED:
                    current = self._index.objects.get(self._ref(_key(obj)))
                    if current is None or _version(current) <= event.resource_version:
                        self._forget(_key(obj), event.resource_version)
                else:
                    self._store(obj)
            version = str(event.resource_version)
            self._handler(event.type, obj)
            if stop.is_set():
                break
        return version
