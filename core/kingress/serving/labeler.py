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


def sync(cluster: Cluster, kind: Kind, namespace: str, route: str, wanted: frozenset[str]) -> None:
    """Record ``route`` on exactly the ``wanted`` objects of ``kind`` in ``namespace``."""
    for obj in cluster.list(kind, namespace):
        meta = obj["metadata"]
        recorded = routemeta.routes_of(meta.get("labels") or {}, meta.get("annotations") or {})
        if meta["name"] in wanted:
            _record(cluster, obj, recorded | {route})
        elif route in recorded:
            _record(cluster, obj, recorded - {route})


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

    def watches(self) -> Sequence[Watch]:
        """Configurations and Revisions, mapped to the Routes that may use them."""
        return (
            Watch(access.CONFIGURATION, routes_mapper),
            Watch(access.REVISION, routes_mapper),
        )

    def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
        """Record the Route on its targets and remove it elsewhere."""
        obj = access.get(ctx.cluster, access.ROUTE, ref.namespace, ref.name)
        targets = Targets()
        if obj is not None and not access.is_deleting(obj):
            targets = route_targets(ctx.cluster, Route.from_dict(obj))
        sync(ctx.cluster, access.REVISION, ref.namespace, ref.name, targets.revisions)
        sync(ctx.cluster, access.CONFIGURATION, ref.namespace, ref.name, targets.configurations)
        return Result()
