"""The labeler: records on Configurations and Revisions which Routes send them traffic.

Knative's ``pkg/reconciler/labeler`` (v2). For each Route it collects the
targets of ``spec.traffic`` and ``status.traffic``: a ``revisionName`` names a
Revision (and the Configuration controlling it); a ``configurationName`` names
a Configuration (and, for a ``latestRevision`` target, its latest created
Revision too, so a new Revision is known before it is ready). A Service's
Route names its Configuration explicitly (the Service fills it in). Each
target gets the Route in its ``serving.knative.dev/routes`` annotation (and in
the ``serving.knative.dev/route`` label while it is the only Route:
``routemeta``); every object that records the Route but is no longer a target
loses it, as does everything when the Route is deleted.

Knative removes stale records only once the Route is Ready or failed; kingress
removes them at once. Both ``spec`` and ``status`` traffic count, so a Revision
the Route still serves (its status, rollouts included) keeps its record.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kingress.api.annotations import SERVICE_LABEL
from kingress.api.serving import Route
from kingress.cluster.port import Cluster, Kind, Object, ObjectRef
from kingress.controller.reconciler import Context, Result, Watch
from kingress.serving import access, routemeta


@dataclass(frozen=True, slots=True)
class Targets:
    """The Configurations and Revisions a Route uses (that exist)."""

    configurations: frozenset[str] = field(default_factory=frozenset)
    revisions: frozenset[str] = field(default_factory=frozenset)


def route_targets(cluster: Cluster, route: Route) -> Targets:
    """What ``route`` sends traffic to, resolved against the store."""
    namespace = route.metadata.namespace or ""
    configurations: set[str] = set()
    revisions: set[str] = set()
    for target in (*route.status.traffic, *route.spec.traffic):
        configuration_name = target.configuration_name
        if target.revision_name:
            revision = access.get(cluster, access.REVISION, namespace, target.revision_name)
            if revision is None:
                continue
            revisions.add(target.revision_name)
            for owner in revision["metadata"].get("ownerReferences") or ():
                if owner.get("controller") and owner.get("kind") == "Configuration":
                    configuration_name = owner.get("name", "")
        if not configuration_name:
            continue
        configuration = access.get(cluster, access.CONFIGURATION, namespace, configuration_name)
        if configuration is None:
            continue
        configurations.add(configuration_name)
        latest = (configuration.get("status") or {}).get("latestCreatedRevisionName")
        if latest and target.latest_revision:
            revisions.add(latest)
    return Targets(frozenset(configurations), frozenset(revisions))


def _record(cluster: Cluster, obj: Object, routes: Iterable[str]) -> None:
    """Write the recorded Routes on ``obj`` if they changed."""
    meta = obj["metadata"]
    labels, annotations = routemeta.with_routes(
        meta.get("labels") or {}, meta.get("annotations") or {}, routes
    )
    if labels == (meta.get("labels") or {}) and annotations == (meta.get("annotations") or {}):
        return
    new_meta = {k: v for k, v in meta.items() if k not in ("labels", "annotations")}
    if labels:
        new_meta["labels"] = labels
    if annotations:
        new_meta["annotations"] = annotations
    cluster.update({**obj, "metadata": new_meta})


class RouteRecords:
    """Which objects may record which Route: where the labeler must look, without a scan.

    Removing a Route's stale records means finding every object that records
    it; listing the namespace for that on every reconcile made the labeler
    quadratic (20,000 Revisions read per reconcile at 10,000 Services). This
    index answers instead. It is a superset, checked against the object read
    back before anything is written, so an entry too many costs a read and
    never a wrong write. It is built by one scan of a namespace's objects of a
    kind the first time that namespace is reconciled, and kept by every object
    the labeler sees afterwards: the ones it reads and writes, and every watch
    event of Configurations and Revisions (``note``). Losing it (a restart)
    loses nothing: the first reconcile scans again. Thread-safe.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scanned: set[tuple[Kind, str]] = set()
        self._names: dict[tuple[Kind, str, str], set[str]] = {}

    def note(self, obj: Object) -> None:
        """Remember every Route ``obj`` records."""
        meta = obj.get("metadata") or {}
        routes = routemeta.routes_of(meta.get("labels") or {}, meta.get("annotations") or {})
        if not routes:
            return
        for route in routes:
            self.add(Kind.of(obj), meta.get("namespace") or "", route, meta.get("name", ""))

    def add(self, kind: Kind, namespace: str, route: str, name: str) -> None:
        """Object ``name`` records ``route``."""
        with self._lock:
            self._names.setdefault((kind, namespace, route), set()).add(name)

    def forget(self, kind: Kind, namespace: str, route: str, name: str) -> None:
        """Object ``name`` no longer records ``route`` (or is gone)."""
        with self._lock:
            names = self._names.get((kind, namespace, route))
            if names is not None:
                names.discard(name)
                if not names:
                    del self._names[(kind, namespace, route)]

    def candidates(self, cluster: Cluster, kind: Kind, namespace: str, route: str) -> set[str]:
        """Names of the objects of ``kind`` in ``namespace`` that may record ``route``."""
        with self._lock:
            scanned = (kind, namespace) in self._scanned
        if not scanned:
            for obj in cluster.list(kind, namespace):
                self.note(obj)
            with self._lock:
                self._scanned.add((kind, namespace))
        with self._lock:
            return set(self._names.get((kind, namespace, route), ()))


def sync(
    cluster: Cluster,
    records: RouteRecords,
    kind: Kind,
    namespace: str,
    route: str,
    wanted: frozenset[str],
) -> None:
    """Record ``route`` on exactly the ``wanted`` objects of ``kind`` in ``namespace``."""
    for name in sorted(wanted | records.candidates(cluster, kind, namespace, route)):
        obj = access.get(cluster, kind, namespace, name)
        if obj is None:
            records.forget(kind, namespace, route, name)
            continue
        meta = obj["metadata"]
        recorded = routemeta.routes_of(meta.get("labels") or {}, meta.get("annotations") or {})
        if name in wanted:
            _record(cluster, obj, recorded | {route})
            records.add(kind, namespace, route, name)
        else:
            if route in recorded:
                _record(cluster, obj, recorded - {route})
            records.forget(kind, namespace, route, name)


def routes_mapper(obj: Object) -> Iterable[ObjectRef]:
    """A Configuration or Revision maps to the Routes recorded on it and its Service's."""
    meta = obj.get("metadata") or {}
    namespace = meta.get("namespace") or ""
    labels = meta.get("labels") or {}
    names = set(routemeta.routes_of(labels, meta.get("annotations") or {}))
    if labels.get(SERVICE_LABEL):
        names.add(labels[SERVICE_LABEL])
    for name in sorted(names):
        yield ObjectRef(access.ROUTE, namespace, name)


class Labeler:
    """Keeps the Route records on Configurations and Revisions up to date."""

    name: str = "labeler"
    kind = access.ROUTE

    def __init__(self) -> None:
        self.records = RouteRecords()

    def watches(self) -> Sequence[Watch]:
        """Configurations and Revisions, mapped to the Routes that may use them."""
        return (
            Watch(access.CONFIGURATION, self._mapper),
            Watch(access.REVISION, self._mapper),
        )

    def _mapper(self, obj: Object) -> Iterable[ObjectRef]:
        self.records.note(obj)
        return routes_mapper(obj)

    def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
        """Record the Route on its targets and remove it elsewhere."""
        obj = access.get(ctx.cluster, access.ROUTE, ref.namespace, ref.name)
        targets = Targets()
        if obj is not None and not access.is_deleting(obj):
            targets = route_targets(ctx.cluster, Route.from_dict(obj))
        for kind, wanted in (
            (access.REVISION, targets.revisions),
            (access.CONFIGURATION, targets.configurations),
        ):
            sync(ctx.cluster, self.records, kind, ref.namespace, ref.name, wanted)
        return Result()
