"""Which Deployment a changed Service or Endpoints concerns, for the runtime's watches.

A Service names no Deployment: it selects pods by label. So each reconcile
records the Deployment's pod labels and the Services whose Endpoints it
wants; a Service change then maps to every Deployment its selector matches
(now) or that wanted its Endpoints (before), and an Endpoints change to every
Deployment that wanted it. Like the controller tracker, the index is rebuilt by
the first reconcile of each Deployment, so losing it loses nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kingress.cluster.port import Object, ObjectRef
from kingress.controller.reconciler import Mapper
from kingress.localrt.resources import selects


@dataclass(frozen=True, slots=True)
class _Seen:
    pod_labels: Mapping[str, str]
    services: frozenset[str]


class DeploymentIndex:
    """Each Deployment's pod labels and wanted Endpoints, as of its last reconcile."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[ObjectRef, _Seen] = {}

    def record(
        self, ref: ObjectRef, pod_labels: Mapping[str, str], services: Iterable[str]
    ) -> None:
        """Remember what the Deployment ``ref`` looked like just now."""
        with self._lock:
            self._seen[ref] = _Seen(dict(pod_labels), frozenset(services))

    def forget(self, ref: ObjectRef) -> None:
        """The Deployment is gone."""
        with self._lock:
            self._seen.pop(ref, None)

    def _matching(self, namespace: str, wants: str, service: Object | None) -> list[ObjectRef]:
        with self._lock:
            seen = list(self._seen.items())
        return sorted(
            ref
            for ref, state in seen
            if ref.namespace == namespace
            and (
                wants in state.services
                or (service is not None and selects(service, state.pod_labels))
            )
        )

    def service_mapper(self) -> Mapper:
        """A Service maps to the Deployments it selects or whose Endpoints it had."""

        def mapper(obj: Object) -> Iterable[ObjectRef]:
            ref = ObjectRef.of(obj)
            return self._matching(ref.namespace, ref.name, obj)

        return mapper

    def endpoints_mapper(self) -> Mapper:
        """An Endpoints maps to the Deployments that want it."""

        def mapper(obj: Object) -> Iterable[ObjectRef]:
            ref = ObjectRef.of(obj)
            return self._matching(ref.namespace, ref.name, None)

        return mapper
