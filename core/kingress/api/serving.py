"""Knative Serving's ``serving.knative.dev/v1`` kinds: Service, Configuration, Revision, Route.

These are the storage versions: objects written as the seed's ``v1alpha1`` are
converted to these on the way in (``serving_v1alpha1_conversion``). Field names
and shapes follow Knative's v1 API; Kubernetes parts kingress only partly reads
(containers, the rest of the pod spec, addressables) are open models, so fields
a user wrote and kingress does not know are kept on a round trip.

Defaulting lives in ``serving_defaults``, validation in ``serving_validation``.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import Field

from kingress.api.annotations import V1ALPHA1_FORM_ANNOTATION
from kingress.api.base import ApiModel, OpenModel
from kingress.api.conditions import READY, ConditionSet
from kingress.api.meta import ObjectMeta
from kingress.api.status import Status

GROUP: Final = "serving.knative.dev"
VERSION: Final = "v1"
API_VERSION: Final = "serving.knative.dev/v1"

SERVICE_KIND: Final = "Service"
CONFIGURATION_KIND: Final = "Configuration"
REVISION_KIND: Final = "Revision"
ROUTE_KIND: Final = "Route"

# --- condition types -------------------------------------------------------

SERVICE_CONFIGURATIONS_READY = "ConfigurationsReady"
SERVICE_ROUTES_READY = "RoutesReady"
ROUTE_ALL_TRAFFIC_ASSIGNED = "AllTrafficAssigned"
ROUTE_INGRESS_READY = "IngressReady"
ROUTE_CERTIFICATE_PROVISIONED = "CertificateProvisioned"
REVISION_RESOURCES_AVAILABLE = "ResourcesAvailable"
REVISION_CONTAINER_HEALTHY = "ContainerHealthy"
#: Whether the revision has pods serving (or could be woken); not part of Ready.
REVISION_ACTIVE = "Active"

#: A Service is Ready when its Configuration and its Route are.
SERVICE_CONDITIONS = ConditionSet(
    happy=READY, dependents=(SERVICE_CONFIGURATIONS_READY, SERVICE_ROUTES_READY)
)
#: A Configuration has no dependents: Ready follows its latest created Revision.
CONFIGURATION_CONDITIONS = ConditionSet(happy=READY, dependents=())
#: A Revision is Ready when its resources exist and its container is healthy.
REVISION_CONDITIONS = ConditionSet(
    happy=READY, dependents=(REVISION_RESOURCES_AVAILABLE, REVISION_CONTAINER_HEALTHY)
)
#: A Route is Ready when all its traffic resolves, its ingress is ready and TLS is settled.
ROUTE_CONDITIONS = ConditionSet(
    happy=READY,
    dependents=(ROUTE_ALL_TRAFFIC_ASSIGNED, ROUTE_INGRESS_READY, ROUTE_CERTIFICATE_PROVISIONED),
)

# --- the pod template ------------------------------------------------------


class EnvVar(OpenModel):
    """One environment variable of a container (``value`` or ``valueFrom``)."""

    name: str = ""
    value: str | None = None
    value_from: dict[str, Any] | None = None


class ContainerPort(OpenModel):
    """A container port; Knative uses the first one as the serving port."""

    name: str = ""
    container_port: int | None = None
    protocol: str = ""


class Container(OpenModel):
    """A Kubernetes container; the fields kingress reads are typed, the rest kept."""

    name: str = ""
    image: str = ""
    command: tuple[str, ...] = ()
    args: tuple[str, ...] = ()
    env: tuple[EnvVar, ...] = ()
    ports: tuple[ContainerPort, ...] = ()
    readiness_probe: dict[str, Any] | None = None
    resources: dict[str, Any] | None = None


class RevisionSpec(OpenModel):
    """A pod spec plus Knative's per-revision knobs; other pod-spec fields are kept."""

    containers: tuple[Container, ...] = ()
    #: Maximum in-flight requests per container; 0 means unlimited.
    container_concurrency: int | None = None
    #: Maximum duration of a request, in seconds.
    timeout_seconds: int | None = None
    service_account_name: str = ""


class RevisionTemplateSpec(ApiModel):
    """What each new Revision is stamped from."""

    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: RevisionSpec = Field(default_factory=RevisionSpec)


# --- traffic ---------------------------------------------------------------


class TrafficTarget(ApiModel):
    """One entry of a traffic block: where a share of the traffic (or a tag) goes.

    Exactly one of ``revisionName`` / ``configurationName`` names the target
    (a Service's configuration is implicit). ``latestRevision`` floats to the
    configuration's latest ready Revision; ``percent`` unset counts as 0. ``url``
    is filled in status for tagged targets only.
    """

    tag: str = ""
    revision_name: str = ""
    configuration_name: str = ""
    latest_revision: bool | None = None
    percent: int | None = None
    url: str = ""


class Addressable(OpenModel):
    """An in-cluster address (``url``); other addressable fields are kept."""

    url: str = ""


# --- statuses --------------------------------------------------------------


class ConfigurationStatus(Status):
    """Conditions plus the latest created and latest ready Revision names."""

    latest_ready_revision_name: str = ""
    latest_created_revision_name: str = ""


class RouteStatus(Status):
    """Conditions, the external URL, the in-cluster address and resolved traffic."""

    url: str = ""
    address: Addressable | None = None
    traffic: tuple[TrafficTarget, ...] = ()


class ServiceStatus(Status):
    """A Service reports both its Configuration's and its Route's status fields."""

    url: str = ""
    address: Addressable | None = None
    traffic: tuple[TrafficTarget, ...] = ()
    latest_ready_revision_name: str = ""
    latest_created_revision_name: str = ""


class ContainerStatus(ApiModel):
    """A container's resolved image digest."""

    name: str = ""
    image_digest: str = ""


class RevisionStatus(Status):
    """Conditions plus what the revision's reconciler observed."""

    #: The Kubernetes Service in front of the revision's pods (older Knative).
    service_name: str = ""
    log_url: str = ""
    #: Resolved digest of the image; not filled yet (no digest resolution in scope).
    image_digest: str = ""
    container_statuses: tuple[ContainerStatus, ...] = ()
    actual_replicas: int | None = None
    desired_replicas: int | None = None


# --- the kinds -------------------------------------------------------------


class ConfigurationSpec(ApiModel):
    """The template every Revision of a Configuration is made from."""

    template: RevisionTemplateSpec = Field(default_factory=RevisionTemplateSpec)


class RouteSpec(ApiModel):
    """How traffic is split between Revisions and Configurations."""

    traffic: tuple[TrafficTarget, ...] = ()


class ServiceSpec(ApiModel):
    """A Configuration's spec and a Route's spec, inlined (the Route's targets
    have the Service's Configuration implicit)."""

    template: RevisionTemplateSpec = Field(default_factory=RevisionTemplateSpec)
    traffic: tuple[TrafficTarget, ...] = ()

    @property
    def configuration_spec(self) -> ConfigurationSpec:
        """The spec of the Configuration the Service owns."""
        return ConfigurationSpec(template=self.template)

    @property
    def route_spec(self) -> RouteSpec:
        """The spec of the Route the Service owns (targets still lack a configurationName)."""
        return RouteSpec(traffic=self.traffic)


class Service(ApiModel):
    """A workload: owns a Configuration and a Route of the same name."""

    api_version: Literal["serving.knative.dev/v1"] = API_VERSION
    kind: Literal["Service"] = SERVICE_KIND
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: ServiceSpec = Field(default_factory=ServiceSpec)
    status: ServiceStatus = Field(default_factory=ServiceStatus)


class Configuration(ApiModel):
    """The desired state of a workload; stamps one Revision per template change."""

    api_version: Literal["serving.knative.dev/v1"] = API_VERSION
    kind: Literal["Configuration"] = CONFIGURATION_KIND
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: ConfigurationSpec = Field(default_factory=ConfigurationSpec)
    status: ConfigurationStatus = Field(default_factory=ConfigurationStatus)


class Revision(ApiModel):
    """An immutable snapshot of code and configuration."""

    api_version: Literal["serving.knative.dev/v1"] = API_VERSION
    kind: Literal["Revision"] = REVISION_KIND
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: RevisionSpec = Field(default_factory=RevisionSpec)
    status: RevisionStatus = Field(default_factory=RevisionStatus)


class Route(ApiModel):
    """A network endpoint splitting traffic between Revisions."""

    api_version: Literal["serving.knative.dev/v1"] = API_VERSION
    kind: Literal["Route"] = ROUTE_KIND
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: RouteSpec = Field(default_factory=RouteSpec)
    status: RouteStatus = Field(default_factory=RouteStatus)


# --- kingress's v1alpha1 form record ----------------------------------------

#: The v1alpha1 Service forms kingress records in ``V1ALPHA1_FORM_ANNOTATION``.
V1ALPHA1_FORMS = ("runLatest", "release", "pinned", "manual")


def v1alpha1_form(service: Service) -> str | None:
    """The v1alpha1 form the Service was written in, if it was written as v1alpha1."""
    return service.metadata.annotations.get(V1ALPHA1_FORM_ANNOTATION)


def is_manual(service: Service) -> bool:
    """Whether the Service is in v1alpha1 ``manual`` mode.

    A manual Service has handed its Route and Configuration over to the user:
    controllers must not create or change them (and Service-level traffic and
    template are neither defaulted nor required). A Service that has since been
    given a traffic block is no longer manual.
    """
    return v1alpha1_form(service) == "manual" and not service.spec.traffic
