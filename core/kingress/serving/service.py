"""The Service reconciler: a Service's Configuration and Route, and its status.

Knative's ``pkg/reconciler/service``. Each reconcile:

1. builds the Configuration from the Service's template and applies it (an
   existing one the Service does not control is left alone: ``NotOwned``);
2. reads the Configuration's status into ``ConfigurationsReady`` (``OutOfDate``
   until it has observed the new generation; with a chosen revision name the
   Route waits for it, and a name held by another Revision stops it:
   ``RevisionNameTaken``);
3. builds the Route from the traffic block and applies it likewise;
4. reads the Route's status into ``RoutesReady``, URL, address and traffic
   (``OutOfDate`` until the Route has observed its generation; Unknown
   ``TrafficNotMigrated`` while its traffic is not yet what the Service asks);
5. writes the status when it changed.

A v1alpha1 ``manual`` Service manages neither child: its status says so.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kingress.api.annotations import CONFIGURATION_GENERATION_LABEL
from kingress.api.conditions import ConditionStatus, get_condition
from kingress.api.serving import (
    SERVICE_ROUTES_READY,
    Configuration,
    Route,
    Service,
    ServiceStatus,
    TrafficTarget,
    is_manual,
)
from kingress.cluster.errors import ApiError
from kingress.cluster.port import ObjectRef
from kingress.controller.apply import NotOwned, ensure, is_controlled_by
from kingress.controller.clock import stamp
from kingress.controller.reconciler import Context, Result, Watch, owner_mapper
from kingress.serving import access, lifecycle
from kingress.serving.resources.configuration import make_configuration
from kingress.serving.resources.revision import generation_of
from kingress.serving.resources.route import make_route


class _Stop(Exception):
    """A phase decided the rest of the reconcile must wait; ``status`` says why."""

    def __init__(self, status: ServiceStatus) -> None:
        super().__init__("reconcile stopped")
        self.status = status


def _traffic_key(target: TrafficTarget) -> tuple[str, str, str, int]:
    # Knative compares traffic ignoring ``url`` and ``latestRevision``.
    return (target.tag, target.revision_name, target.configuration_name, target.percent or 0)


def routes_not_ready(
    status: ServiceStatus, configuration: Configuration, route: Route, now: str
) -> ServiceStatus:
    """Knative's ``checkRoutesNotReady``: a Ready Route must send what the Service asks."""
    routes_ready = get_condition(status.conditions, SERVICE_ROUTES_READY)
    if routes_ready is None or routes_ready.status is not ConditionStatus.TRUE:
        return status
    want = [
        target.model_copy(
            update={
                "revision_name": configuration.status.latest_ready_revision_name,
                "configuration_name": "",
            }
        )
        if target.configuration_name == configuration.metadata.name
        else target
        for target in route.spec.traffic
    ]
    got = route.status.traffic
    if [_traffic_key(t) for t in got] != [_traffic_key(t) for t in want]:
        return lifecycle.mark_route_not_yet_ready(status, now)
    return status


def name_taken(ctx: Context, configuration: Configuration) -> bool:
    """Whether the template's chosen revision name is held by a conflicting Revision.

    Knative's ``CheckNameAvailability``: free when absent; taken when another
    Configuration controls it, or when it was stamped for another generation
    with another spec.
    """
    chosen = configuration.spec.template.metadata.name
    if not chosen:
        return False
    found = access.get(ctx.cluster, access.REVISION, configuration.metadata.namespace or "", chosen)
    if found is None:
        return False
    if not is_controlled_by(found, configuration.metadata.uid or ""):
        return True
    labels = (found.get("metadata") or {}).get("labels") or {}
    if labels.get(CONFIGURATION_GENERATION_LABEL) == str(generation_of(configuration)):
        return False
    return bool(found.get("spec") != configuration.spec.template.spec.to_dict())


class ServiceReconciler:
    """Keeps each Service's Configuration and Route in line with it."""

    name: str = "service"
    kind = access.SERVICE

    def watches(self) -> Sequence[Watch]:
        """Configurations and Routes, by owner and by name (a squatter that goes away)."""
        return (
            Watch(access.CONFIGURATION, owner_mapper(access.SERVICE)),
            Watch(access.CONFIGURATION, access.same_name(access.SERVICE)),
            Watch(access.ROUTE, access.same_name(access.SERVICE)),
        )

    def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
        """Apply the children, then propagate their status."""
        obj = access.get(ctx.cluster, access.SERVICE, ref.namespace, ref.name)
        if obj is None or access.is_deleting(obj):
            return Result()
        service = Service.from_dict(obj)
        now = stamp(ctx.clock)
        failure: ApiError | None = None
        if is_manual(service):
            status = lifecycle.manual_status(service.status, service.metadata.generation, now)
        else:
            status = lifecycle.initialize_service(service.status, now)
            try:
                status = self._reconcile(ctx, obj, service, status, now)
            except _Stop as stop:
                status = stop.status
            except ApiError as error:
                # As Knative's generated reconciler: the status is written, then the error.
                failure = error
            status = status.model_copy(update={"observed_generation": service.metadata.generation})
        access.write_status(ctx.cluster, obj, status.to_dict())
        if failure is not None:
            raise failure
        return Result()

    def _reconcile(
        self, ctx: Context, obj: dict[str, Any], service: Service, status: ServiceStatus, now: str
    ) -> ServiceStatus:
        configuration = self._configuration(ctx, obj, service, status, now)
        if configuration.metadata.generation != configuration.status.observed_generation:
            status = lifecycle.mark_configuration_not_reconciled(status, now)
            if configuration.spec.template.metadata.name:
                # A chosen revision name: the Route waits for the Configuration.
                raise _Stop(status)
        else:
            status = lifecycle.propagate_configuration_status(status, configuration.status, now)
        if name_taken(ctx, configuration):
            chosen = configuration.spec.template.metadata.name
            raise _Stop(lifecycle.mark_revision_name_taken(status, chosen, now))
        route = self._route(ctx, obj, service, status, now)
        if route.metadata.generation != route.status.observed_generation:
            status = lifecycle.mark_route_not_reconciled(status, now)
        else:
            status = lifecycle.propagate_route_status(status, route.status, now)
        return routes_not_ready(status, configuration, route, now)

    def _configuration(
        self, ctx: Context, obj: dict[str, Any], service: Service, status: ServiceStatus, now: str
    ) -> Configuration:
        existing = access.get(
            ctx.cluster,
            access.CONFIGURATION,
            service.metadata.namespace or "",
            service.metadata.name,
        )
        current = Configuration.from_dict(existing) if existing is not None else None
        desired = make_configuration(service, current)
        try:
            applied = ensure(ctx.cluster, desired.to_dict(), obj)
        except NotOwned as error:
            raise _Stop(lifecycle.mark_configuration_not_owned(status, error.name, now)) from None
        return Configuration.from_dict(applied)

    def _route(
        self, ctx: Context, obj: dict[str, Any], service: Service, status: ServiceStatus, now: str
    ) -> Route:
        try:
            applied = ensure(ctx.cluster, make_route(service).to_dict(), obj)
        except NotOwned as error:
            raise _Stop(lifecycle.mark_route_not_owned(status, error.name, now)) from None
        return Route.from_dict(applied)
