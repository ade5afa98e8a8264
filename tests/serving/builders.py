"""Option-style builders of serving objects for the reconciler tables.

``service("ns", "svc", with_env("TARGET", "v2"), with_generation(2))`` reads
like the object it means. Each option is a function from the object to a
changed copy. Objects get fixed uids (``<kind>-<name>``) so owner references
built with ``owned_by`` match what the store is seeded with.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from kingress.api.annotations import (
    CONFIGURATION_GENERATION_LABEL,
    CONFIGURATION_LABEL,
    ROUTE_LABEL,
    ROUTES_ANNOTATION,
    SERVICE_LABEL,
)
from kingress.api.conditions import Condition, ConditionStatus
from kingress.api.kinds import default_scheme
from kingress.api.meta import ObjectMeta
from kingress.api.serving import (
    Configuration,
    ConfigurationSpec,
    Container,
    EnvVar,
    Revision,
    RevisionSpec,
    RevisionTemplateSpec,
    Route,
    RouteSpec,
    Service,
    ServiceSpec,
    TrafficTarget,
)
from kingress.api.serving_defaults import (
    set_configuration_defaults,
    set_revision_defaults,
    set_route_defaults,
    set_service_defaults,
)
from kingress.serving.resources.meta import Owner, owner_reference

IMAGE = "registry.example/hello"
NOW = "2026-01-01T00:00:00Z"

T = TypeVar("T", Service, Configuration, Revision, Route)
Option = Callable[[T], T]


def _meta(kind: str, namespace: str, name: str) -> ObjectMeta:
    return ObjectMeta(name=name, namespace=namespace, uid=f"{kind.lower()}-{name}", generation=1)


def _template(image: str = IMAGE) -> RevisionTemplateSpec:
    return RevisionTemplateSpec(spec=RevisionSpec(containers=(Container(image=image),)))


# --- generic options ---------------------------------------------------------


def _meta_update(obj: T, **update: Any) -> T:
    return obj.model_copy(update={"metadata": obj.metadata.model_copy(update=update)})


def with_generation(generation: int) -> Callable[[T], T]:
    """``metadata.generation``."""
    return lambda obj: _meta_update(obj, generation=generation)


def with_labels(**labels: str) -> Callable[[T], T]:
    """Add labels (keys with ``/`` through ``labels={...}`` in ``with_label_map``)."""
    return lambda obj: _meta_update(obj, labels={**obj.metadata.labels, **labels})


def with_label_map(labels: dict[str, str]) -> Callable[[T], T]:
    """Add labels given as a mapping."""
    return lambda obj: _meta_update(obj, labels={**obj.metadata.labels, **labels})


def with_annotations(annotations: dict[str, str]) -> Callable[[T], T]:
    """Add annotations."""
    return lambda obj: _meta_update(obj, annotations={**obj.metadata.annotations, **annotations})


def routed(*routes: str) -> Callable[[T], T]:
    """The labeler's record of ``routes`` (annotation; the label too when only one)."""
    names = sorted(routes)
    labels = {ROUTE_LABEL: names[0]} if len(names) == 1 else {}
    return lambda obj: with_annotations({ROUTES_ANNOTATION: ",".join(names)})(
        with_label_map(labels)(obj)
    )


def owned_by(owner: Owner) -> Callable[[T], T]:
    """A controller owner reference to ``owner``."""
    return lambda obj: _meta_update(obj, owner_references=[owner_reference(owner)])


def _status(obj: T, **update: Any) -> T:
    return obj.model_copy(update={"status": obj.status.model_copy(update=update)})


def with_observed_generation(generation: int) -> Callable[[T], T]:
    """``status.observedGeneration``."""
    return lambda obj: _status(obj, observed_generation=generation)


def cond(type_: str, status: str = "True", reason: str = "", message: str = "") -> Condition:
    """A condition, stamped at the fixed test time."""
    return Condition(
        type=type_,
        status=ConditionStatus(status),
        reason=reason or None,
        message=message or None,
        last_transition_time=NOW,
    )


def with_conditions(*conditions: Condition) -> Callable[[T], T]:
    """``status.conditions`` (sorted by type, as the condition sets keep them)."""
    return lambda obj: _status(obj, conditions=tuple(sorted(conditions, key=lambda c: c.type)))


def _apply(obj: T, options: tuple[Callable[[T], T], ...]) -> T:
    for option in options:
        obj = option(obj)
    return obj


# --- Service -----------------------------------------------------------------


def service(namespace: str, name: str, *options: Callable[[Service], Service]) -> Service:
    """A defaulted v1 Service (100% to the latest revision unless traffic is given)."""
    built = Service(
        metadata=_meta("Service", namespace, name), spec=ServiceSpec(template=_template())
    )
    return set_service_defaults(_apply(built, options))


def alpha_service(namespace: str, name: str, spec: dict[str, Any]) -> Service:
    """A Service written as the seed's v1alpha1 ``spec``, admitted through the real scheme."""
    admitted = default_scheme().admit(
        {
            "apiVersion": "serving.knative.dev/v1alpha1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": namespace},
            "spec": spec,
        }
    )
    return _meta_update(Service.from_dict(admitted), uid=f"service-{name}", generation=1)


def alpha_configuration(image: str = IMAGE, env: str = "v1") -> dict[str, Any]:
    """The v1alpha1 ``configuration`` block of a seed form."""
    container = {"image": image, "env": [{"name": "TARGET", "value": env}]}
    return {"revisionTemplate": {"spec": {"container": container}}}


def with_env(name: str, value: str) -> Callable[[Service], Service]:
    """Set one environment variable of the template's container."""

    def option(svc: Service) -> Service:
        container = svc.spec.template.spec.containers[0]
        env = (*(e for e in container.env if e.name != name), EnvVar(name=name, value=value))
        containers = (container.model_copy(update={"env": env}),)
        template = svc.spec.template.model_copy(
            update={"spec": svc.spec.template.spec.model_copy(update={"containers": containers})}
        )
        return svc.model_copy(update={"spec": svc.spec.model_copy(update={"template": template})})

    return option


def with_template_name(revision_name: str) -> Callable[[Service], Service]:
    """A chosen revision name in the template."""

    def option(svc: Service) -> Service:
        meta = svc.spec.template.metadata.model_copy(update={"name": revision_name})
        template = svc.spec.template.model_copy(update={"metadata": meta})
        return svc.model_copy(update={"spec": svc.spec.model_copy(update={"template": template})})

    return option


def with_traffic(*targets: TrafficTarget) -> Callable[[Service], Service]:
    """The Service's traffic block."""
    return lambda svc: svc.model_copy(
        update={"spec": svc.spec.model_copy(update={"traffic": targets})}
    )


def with_service_status(**fields: Any) -> Callable[[Service], Service]:
    """Service status fields (``latest_ready_revision_name=...``)."""
    return lambda svc: _status(svc, **fields)


# --- Configuration -----------------------------------------------------------


def configuration(
    namespace: str, name: str, *options: Callable[[Configuration], Configuration]
) -> Configuration:
    """A defaulted Configuration with one container."""
    built = Configuration(
        metadata=_meta("Configuration", namespace, name),
        spec=ConfigurationSpec(template=_template()),
    )
    return set_configuration_defaults(_apply(built, options))


def config_of(svc: Service, *options: Callable[[Configuration], Configuration]) -> Configuration:
    """The Configuration a Service owns, as its controller would build it."""
    built = Configuration(
        metadata=ObjectMeta(
            name=svc.metadata.name,
            namespace=svc.metadata.namespace,
            uid=f"configuration-{svc.metadata.name}",
            generation=1,
            labels={**svc.metadata.labels, SERVICE_LABEL: svc.metadata.name},
            owner_references=[owner_reference(svc)],
        ),
        spec=svc.spec.configuration_spec,
    )
    return set_configuration_defaults(_apply(built, options))


def with_template(template: RevisionTemplateSpec) -> Callable[[Configuration], Configuration]:
    """The Configuration's revision template."""
    return lambda cfg: cfg.model_copy(update={"spec": ConfigurationSpec(template=template)})


def with_config_env(value: str) -> Callable[[Configuration], Configuration]:
    """``TARGET=value`` in the template's container."""

    def option(cfg: Configuration) -> Configuration:
        container = cfg.spec.template.spec.containers[0].model_copy(
            update={"env": (EnvVar(name="TARGET", value=value),)}
        )
        spec = cfg.spec.template.spec.model_copy(update={"containers": (container,)})
        return cfg.model_copy(
            update={
                "spec": ConfigurationSpec(
                    template=cfg.spec.template.model_copy(update={"spec": spec})
                )
            }
        )

    return option


def with_latest(created: str = "", ready: str = "") -> Callable[[Configuration], Configuration]:
    """``latestCreatedRevisionName`` / ``latestReadyRevisionName``."""
    return lambda cfg: _status(
        cfg, latest_created_revision_name=created, latest_ready_revision_name=ready
    )


# --- Revision ----------------------------------------------------------------


def revision(namespace: str, name: str, *options: Callable[[Revision], Revision]) -> Revision:
    """A defaulted Revision with one container."""
    built = Revision(metadata=_meta("Revision", namespace, name), spec=_template().spec)
    return set_revision_defaults(_apply(built, options))


def revision_of(
    cfg: Configuration, generation: int, *options: Callable[[Revision], Revision]
) -> Revision:
    """The Revision a Configuration stamps for ``generation`` (its template, labels, owner)."""
    name = cfg.spec.template.metadata.name or f"{cfg.metadata.name}-{generation:05d}"
    labels = {
        **cfg.spec.template.metadata.labels,
        CONFIGURATION_LABEL: cfg.metadata.name,
        CONFIGURATION_GENERATION_LABEL: str(generation),
    }
    if SERVICE_LABEL in cfg.metadata.labels:
        labels[SERVICE_LABEL] = cfg.metadata.labels[SERVICE_LABEL]
    built = Revision(
        metadata=ObjectMeta(
            name=name,
            namespace=cfg.metadata.namespace,
            uid=f"revision-{name}",
            generation=1,
            labels=labels,
            annotations=dict(cfg.spec.template.metadata.annotations),
            owner_references=[owner_reference(cfg)],
        ),
        spec=cfg.spec.template.spec,
    )
    return set_revision_defaults(_apply(built, options))


def ready_revision(rev: Revision) -> Revision:
    """A Revision whose Deployment came up."""
    return _apply(
        rev,
        (
            with_observed_generation(1),
            with_conditions(cond("ContainerHealthy"), cond("Ready"), cond("ResourcesAvailable")),
        ),
    )


def failed_revision(reason: str, message: str) -> Callable[[Revision], Revision]:
    """A Revision whose resources could not be made available."""
    return lambda rev: _apply(
        rev,
        (
            with_observed_generation(1),
            with_conditions(
                cond("ContainerHealthy", "Unknown"),
                cond("Ready", "False", reason, message),
                cond("ResourcesAvailable", "False", reason, message),
            ),
        ),
    )


# --- Route -------------------------------------------------------------------


def route(namespace: str, name: str, *options: Callable[[Route], Route]) -> Route:
    """A defaulted Route (no traffic unless given)."""
    return set_route_defaults(_apply(Route(metadata=_meta("Route", namespace, name)), options))


def route_traffic(*targets: TrafficTarget) -> Callable[[Route], Route]:
    """``spec.traffic``."""
    return lambda rt: rt.model_copy(update={"spec": RouteSpec(traffic=targets)})


def route_status_traffic(*targets: TrafficTarget) -> Callable[[Route], Route]:
    """``status.traffic``."""
    return lambda rt: _status(rt, traffic=targets)


def route_status(**fields: Any) -> Callable[[Route], Route]:
    """Other Route status fields (``url=...``, ``address=...``)."""
    return lambda rt: _status(rt, **fields)


def to_config(name: str, percent: int | None = 100, **fields: Any) -> TrafficTarget:
    """A latest-revision target of a Configuration."""
    return TrafficTarget(configuration_name=name, latest_revision=True, percent=percent, **fields)


def to_revision(name: str, percent: int | None = 100, **fields: Any) -> TrafficTarget:
    """A pinned target."""
    return TrafficTarget(revision_name=name, latest_revision=False, percent=percent, **fields)


def route_of(svc: Service, *options: Callable[[Route], Route]) -> Route:
    """The Route a Service owns, as its controller would build it (no annotations)."""
    traffic = tuple(
        t if t.revision_name else t.model_copy(update={"configuration_name": svc.metadata.name})
        for t in svc.spec.traffic
    )
    built = Route(
        metadata=ObjectMeta(
            name=svc.metadata.name,
            namespace=svc.metadata.namespace,
            uid=f"route-{svc.metadata.name}",
            generation=1,
            labels={**svc.metadata.labels, SERVICE_LABEL: svc.metadata.name},
            owner_references=[owner_reference(svc)],
        ),
        spec=RouteSpec(traffic=traffic),
    )
    return set_route_defaults(_apply(built, options))


def conditions(*items: Condition) -> tuple[Condition, ...]:
    """Conditions in the order the condition sets keep them (by type)."""
    return tuple(sorted(items, key=lambda c: c.type))
