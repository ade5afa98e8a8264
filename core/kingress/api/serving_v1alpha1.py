"""The seed's ``serving.knative.dev/v1alpha1`` kinds, served alongside v1.

A v1alpha1 Service is written in one of four forms: ``runLatest`` (all traffic
to the latest ready Revision), ``release`` (one or two named Revisions, the
second getting ``rolloutPercent``; ``@latest`` names the latest one),
``pinned`` (one named Revision) or ``manual`` (the user manages the Route).
Later v1alpha1 also allowed the v1 shape (``template`` + ``traffic``); it is
accepted, and is how a v1 Service not written in a seed form renders.
Configurations and Revisions hold a single ``container`` (the later
``containers`` list is accepted too); statuses report ``domain``,
``domainInternal`` and ``address.hostname`` besides the v1 fields.

Objects are stored as v1: see ``serving_v1alpha1_conversion``.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from kingress.api.base import ApiModel, OpenModel
from kingress.api.meta import ObjectMeta
from kingress.api.serving import (
    ConfigurationStatus,
    Container,
    RevisionStatus,
    TrafficTarget,
)
from kingress.api.status import Status

GROUP: Final = "serving.knative.dev"
VERSION: Final = "v1alpha1"
API_VERSION: Final = "serving.knative.dev/v1alpha1"
#: In a ``release``, names the configuration's latest ready Revision.
RELEASE_LATEST_REVISION = "@latest"
RELEASE_CURRENT_TAG = "current"
RELEASE_CANDIDATE_TAG = "candidate"
RELEASE_LATEST_TAG = "latest"


class RevisionSpec(OpenModel):
    """A v1alpha1 revision spec: one ``container`` (or a ``containers`` list)."""

    container: Container | None = None
    containers: tuple[Container, ...] = ()
    container_concurrency: int | None = None
    timeout_seconds: int | None = None
    service_account_name: str = ""


class RevisionTemplateSpec(ApiModel):
    """What each new Revision is stamped from."""

    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: RevisionSpec = Field(default_factory=RevisionSpec)


class ConfigurationSpec(ApiModel):
    """A v1alpha1 Configuration's spec: the ``revisionTemplate``."""

    revision_template: RevisionTemplateSpec | None = None


class RunLatestType(ApiModel):
    """All traffic to the configuration's latest ready Revision."""

    configuration: ConfigurationSpec = Field(default_factory=ConfigurationSpec)


class ReleaseType(ApiModel):
    """A rollout between a current and an optional candidate Revision."""

    #: ``[current]`` or ``[current, candidate]``; ``@latest`` is the latest ready one.
    revisions: tuple[str, ...] = ()
    #: The candidate's share, 0..99 (only with two revisions).
    rollout_percent: int | None = None
    configuration: ConfigurationSpec = Field(default_factory=ConfigurationSpec)


class PinnedType(ApiModel):
    """All traffic to one named Revision (deprecated even in v1alpha1)."""

    revision_name: str = ""
    configuration: ConfigurationSpec = Field(default_factory=ConfigurationSpec)


class ManualType(ApiModel):
    """The Service leaves its Route alone; written as ``manual: {}``."""


class ServiceSpec(ApiModel):
    """Exactly one form: a seed form, or the v1 shape (``template`` + ``traffic``)."""

    run_latest: RunLatestType | None = None
    release: ReleaseType | None = None
    pinned: PinnedType | None = None
    manual: ManualType | None = None
    template: RevisionTemplateSpec | None = None
    traffic: tuple[TrafficTarget, ...] = ()

    @model_serializer(mode="wrap")
    def _omit_empty(self, handler: SerializerFunctionWrapHandler) -> Any:
        # A set form is meaningful even when empty (``manual: {}``): keep it,
        # where omitempty would drop it. Everything else is omitted when empty.
        data: dict[str, Any] = handler(self)
        forms = set(self.forms())
        return {
            key: value
            for key, value in data.items()
            if key in forms or value not in (None, {}, [], "")
        }

    def forms(self) -> tuple[str, ...]:
        """The forms that are set, by their wire names (valid specs set exactly one)."""
        present = (
            ("runLatest", self.run_latest),
            ("release", self.release),
            ("pinned", self.pinned),
            ("manual", self.manual),
            ("template", self.template),
        )
        return tuple(name for name, value in present if value is not None)

    def configuration(self) -> ConfigurationSpec | None:
        """The configuration of the seed form in use (``None`` for manual and v1 shape)."""
        for form in (self.run_latest, self.release, self.pinned):
            if form is not None:
                return form.configuration
        return None


class Address(OpenModel):
    """The v1alpha1 addressable: ``hostname`` (and later ``url``)."""

    hostname: str = ""
    url: str = ""


class RouteStatus(Status):
    """A v1alpha1 Route's status: domains and hostname as well as the URL."""

    domain: str = ""
    domain_internal: str = ""
    url: str = ""
    address: Address | None = None
    traffic: tuple[TrafficTarget, ...] = ()


class ServiceStatus(RouteStatus):
    """A v1alpha1 Service's status: its Route's fields and its Configuration's."""

    latest_ready_revision_name: str = ""
    latest_created_revision_name: str = ""


class RouteSpec(ApiModel):
    """Same traffic block as v1."""

    traffic: tuple[TrafficTarget, ...] = ()


class Service(ApiModel):
    """A v1alpha1 Service."""

    api_version: Literal["serving.knative.dev/v1alpha1"] = API_VERSION
    kind: Literal["Service"] = "Service"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: ServiceSpec = Field(default_factory=ServiceSpec)
    status: ServiceStatus = Field(default_factory=ServiceStatus)


class Configuration(ApiModel):
    """A v1alpha1 Configuration."""

    api_version: Literal["serving.knative.dev/v1alpha1"] = API_VERSION
    kind: Literal["Configuration"] = "Configuration"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: ConfigurationSpec = Field(default_factory=ConfigurationSpec)
    status: ConfigurationStatus = Field(default_factory=ConfigurationStatus)


class Revision(ApiModel):
    """A v1alpha1 Revision."""

    api_version: Literal["serving.knative.dev/v1alpha1"] = API_VERSION
    kind: Literal["Revision"] = "Revision"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: RevisionSpec = Field(default_factory=RevisionSpec)
    status: RevisionStatus = Field(default_factory=RevisionStatus)


class Route(ApiModel):
    """A v1alpha1 Route."""

    api_version: Literal["serving.knative.dev/v1alpha1"] = API_VERSION
    kind: Literal["Route"] = "Route"
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: RouteSpec = Field(default_factory=RouteSpec)
    status: RouteStatus = Field(default_factory=RouteStatus)
