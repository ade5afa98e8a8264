"""The cluster port as controllers see it at run time: reads from caches, writes to the API.

Reads of a kind an informer caches (in a namespace it covers) are answered
from the cache, as Knative's listers do, so a reconcile costs no API reads;
other reads go to the API. Writes go to the API, and their results are put
into the cache at once so the next read sees them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from kingress.cluster.errors import NotFound
from kingress.cluster.kube import KubeCluster
from kingress.cluster.port import Kind, Object, WatchEvent
from kingress.runtime.informer import Informer


class CachedCluster:
    """A ``Cluster`` reading through informers and writing through ``KubeCluster``."""

    def __init__(self, api: KubeCluster, informers: Mapping[Kind, Informer]) -> None:
        self.api = api
        self.informers = informers

    def _informer(self, kind: Kind, namespace: str | None) -> Informer | None:
        informer = self.informers.get(kind)
        return informer if informer is not None and informer.covers(namespace) else None

    def get(self, kind: Kind, namespace: str, name: str) -> Object:
        """From the cache when it covers the namespace, else from the API."""
        informer = self._informer(kind, namespace)
        if informer is None:
            return self.api.get(kind, namespace, name)
        found = informer.get(namespace, name)
        if found is None:
            raise NotFound(f'{kind} "{name}" not found')
        return found

    def list(
        self,
        kind: Kind,
        namespace: str | None = None,
        labels: Mapping[str, str] | str | None = None,
    ) -> list[Object]:
        """From the cache when it covers the namespace, else from the API."""
        informer = self._informer(kind, namespace)
        if informer is None:
            return self.api.list(kind, namespace, labels)
        return informer.list(namespace, labels)

    def _observe(self, obj: Object) -> Object:
        informer = self.informers.get(Kind.of(obj))
        if informer is not None:
            informer.observe(obj)
        return obj

    def create(self, obj: Object) -> Object:
        """Create through the API."""
        return self._observe(self.api.create(obj))

    def update(self, obj: Object) -> Object:
        """Update through the API."""
        return self._observe(self.api.update(obj))

    def update_status(self, obj: Object) -> Object:
        """Update the status through the API."""
        return self._observe(self.api.update_status(obj))

    def delete(self, kind: Kind, namespace: str, name: str) -> None:
        """Delete through the API."""
        self.api.delete(kind, namespace, name)
        informer = self.informers.get(kind)
        if informer is not None:
            informer.observe_deleted(namespace, name)

    def watch(
        self, since: int, kinds: frozenset[Kind] | None = None, timeout: float | None = None
    ) -> Iterator[WatchEvent]:
        """Straight from the API."""
        return self.api.watch(since, kinds, timeout)
