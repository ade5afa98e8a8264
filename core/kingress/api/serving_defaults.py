"""Knative's defaulting of the serving kinds (its webhook's ``SetDefaults``).

Defaults are applied before validation, on every write, and are idempotent:
defaulting a defaulted object changes nothing. What is defaulted (with
Knative's stock ``config-defaults`` values):

- a revision's ``timeoutSeconds`` (unset or 0) becomes 300, an unset
  ``containerConcurrency`` becomes 0 (unlimited);
- an unnamed container is ``user-container`` (``user-container-<i>`` when
  there are several);
- a traffic target's ``latestRevision``, when unset, is ``revisionName == ""``;
- a Service with no traffic block sends 100% to its latest Revision, unless it
  is a v1alpha1 ``manual`` Service, whose Route (and Configuration) the user
  manages.

Not defaulted here (named, not faked): the readiness probe Knative's
queue-proxy expects and resource requests/limits, which have no stock values.
"""

from __future__ import annotations

from kingress.api.serving import (
    Configuration,
    Container,
    Revision,
    RevisionSpec,
    RevisionTemplateSpec,
    Route,
    RouteSpec,
    Service,
    TrafficTarget,
    is_manual,
)

#: ``revision-timeout-seconds`` of Knative's ``config-defaults``.
DEFAULT_TIMEOUT_SECONDS = 300
#: ``max-revision-timeout-seconds`` of Knative's ``config-defaults``.
MAX_TIMEOUT_SECONDS = 600
#: ``container-concurrency``: 0 means no limit.
DEFAULT_CONTAINER_CONCURRENCY = 0
#: ``container-concurrency-max-limit``.
CONTAINER_CONCURRENCY_MAX = 1000
#: ``container-name-template`` of Knative's ``config-defaults``.
USER_CONTAINER_NAME = "user-container"


def default_revision_spec(spec: RevisionSpec) -> RevisionSpec:
    """Timeout, concurrency and container names, as Knative defaults a revision spec."""
    update: dict[str, object] = {}
    if not spec.timeout_seconds:
        update["timeout_seconds"] = DEFAULT_TIMEOUT_SECONDS
    if spec.container_concurrency is None:
        update["container_concurrency"] = DEFAULT_CONTAINER_CONCURRENCY
    containers = tuple(
        _default_container(container, index, len(spec.containers))
        for index, container in enumerate(spec.containers)
    )
    if containers != spec.containers:
        update["containers"] = containers
    return spec.model_copy(update=update) if update else spec


def _default_container(container: Container, index: int, count: int) -> Container:
    if container.name:
        return container
    name = USER_CONTAINER_NAME if count == 1 else f"{USER_CONTAINER_NAME}-{index}"
    return container.model_copy(update={"name": name})


def default_template(template: RevisionTemplateSpec) -> RevisionTemplateSpec:
    """A revision template with its spec defaulted."""
    spec = default_revision_spec(template.spec)
    return template if spec is template.spec else template.model_copy(update={"spec": spec})


def default_traffic_target(target: TrafficTarget) -> TrafficTarget:
    """``latestRevision`` defaults to whether no revision is pinned (only when unset)."""
    if target.latest_revision is not None:
        return target
    return target.model_copy(update={"latest_revision": target.revision_name == ""})


def default_traffic(
    traffic: tuple[TrafficTarget, ...], *, implicit_configuration: bool
) -> tuple[TrafficTarget, ...]:
    """Default each target; an empty Service traffic block becomes 100% to the latest."""
    if not traffic and implicit_configuration:
        return (TrafficTarget(percent=100, latest_revision=True),)
    return tuple(default_traffic_target(target) for target in traffic)


def set_service_defaults(service: Service) -> Service:
    """A Service with its template and traffic defaulted."""
    if is_manual(service):
        # The user manages Route and Configuration; an empty template stays empty.
        template = service.spec.template
        if template != RevisionTemplateSpec():
            template = default_template(template)
        traffic = service.spec.traffic
    else:
        template = default_template(service.spec.template)
        traffic = default_traffic(service.spec.traffic, implicit_configuration=True)
    if template is service.spec.template and traffic == service.spec.traffic:
        return service
    spec = service.spec.model_copy(update={"template": template, "traffic": traffic})
    return service.model_copy(update={"spec": spec})


def set_configuration_defaults(configuration: Configuration) -> Configuration:
    """A Configuration with its template defaulted."""
    template = default_template(configuration.spec.template)
    if template is configuration.spec.template:
        return configuration
    spec = configuration.spec.model_copy(update={"template": template})
    return configuration.model_copy(update={"spec": spec})


def set_revision_defaults(revision: Revision) -> Revision:
    """A Revision with its spec defaulted."""
    spec = default_revision_spec(revision.spec)
    return revision if spec is revision.spec else revision.model_copy(update={"spec": spec})


def set_route_defaults(route: Route) -> Route:
    """A Route with each traffic target defaulted (a Route has no implicit target)."""
    traffic = default_traffic(route.spec.traffic, implicit_configuration=False)
    if traffic == route.spec.traffic:
        return route
    return route.model_copy(update={"spec": RouteSpec(traffic=traffic)})
