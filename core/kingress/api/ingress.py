"""ClusterIngress: the neutral contract between a Route and every ingress backend.

Group ``networking.internal.knative.dev/v1alpha1``, kind ``ClusterIngress``
(kind ``Ingress`` of the same group, Knative's KIngress, is accepted on input
and treated the same). Spec and status follow Knative's KIngress field for
field; see docs/clusteringress.md for the routing contract backends honour.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final, Literal

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from kingress.api.annotations import INGRESS_CLASS
from kingress.api.base import ApiModel
from kingress.api.conditions import ConditionSet
from kingress.api.meta import ObjectMeta
from kingress.api.status import Status

GROUP = "networking.internal.knative.dev"
VERSION = "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"
KIND: Final = "ClusterIngress"
#: Knative's namespaced KIngress kind, accepted on input as a ClusterIngress.
KNATIVE_KIND: Final = "Ingress"


class Visibility(StrEnum):
    """Where a rule's hosts are reachable from."""

    EXTERNAL_IP = "ExternalIP"
    CLUSTER_LOCAL = "ClusterLocal"


class HTTPOption(StrEnum):
    """What the gateway does with plain HTTP when TLS is configured."""

    ENABLED = "Enabled"
    REDIRECTED = "Redirected"


class HeaderMatch(ApiModel):
    """A header match; exact is the only match type Knative defines."""

    exact: str

    @model_serializer(mode="wrap")
    def _omit_empty(self, handler: SerializerFunctionWrapHandler) -> Any:
        # ``exact`` is required on the wire even when empty (a match of the
        # empty value); omitting it, like other empty fields, would make the
        # stored object unparseable.
        return handler(self)


class IngressBackendSplit(ApiModel):
    """One weighted backend of a path, with headers set after the split."""

    service_namespace: str
    service_name: str
    service_port: int | str
    percent: int = 0
    #: Set (overwrite) on requests sent to this split ("post-split" headers).
    append_headers: dict[str, str] = Field(default_factory=dict)


class HTTPIngressPath(ApiModel):
    """A literal path prefix (with optional header matches) and its splits."""

    #: Literal prefix starting with ``/``; empty matches every path.
    path: str = ""
    #: All of these must match exactly (AND).
    headers: dict[str, HeaderMatch] = Field(default_factory=dict)
    #: Rewrite the request's Host / authority to this value.
    rewrite_host: str = ""
    splits: tuple[IngressBackendSplit, ...] = ()
    #: Set (overwrite) on every request of this path, before the split.
    append_headers: dict[str, str] = Field(default_factory=dict)


class HTTPIngressRuleValue(ApiModel):
    """The HTTP paths of a rule; the most specific matching path wins."""

    paths: tuple[HTTPIngressPath, ...] = ()


class IngressRule(ApiModel):
    """Hosts, their visibility and their HTTP paths."""

    hosts: tuple[str, ...] = ()
    visibility: Visibility = Visibility.EXTERNAL_IP
    http: HTTPIngressRuleValue | None = None


class IngressTLS(ApiModel):
    """A certificate secret and the hosts it covers."""

    hosts: tuple[str, ...] = ()
    secret_name: str = ""
    secret_namespace: str = ""


class IngressSpec(ApiModel):
    """What to route: rules, TLS and the plain-HTTP option."""

    tls: tuple[IngressTLS, ...] = ()
    rules: tuple[IngressRule, ...] = ()
    #: ``Enabled``, ``Redirected`` or empty (Knative does not default it).
    http_option: str = ""


class LoadBalancerIngressStatus(ApiModel):
    """One way to reach the gateway serving an ingress."""

    ip: str | None = None
    domain: str | None = None
    domain_internal: str | None = None
    mesh_only: bool | None = None


class LoadBalancerStatus(ApiModel):
    """The ways to reach a gateway."""

    ingress: tuple[LoadBalancerIngressStatus, ...] = ()


class IngressStatus(Status):
    """Conditions plus the public and private load balancers."""

    public_load_balancer: LoadBalancerStatus | None = None
    private_load_balancer: LoadBalancerStatus | None = None


NETWORK_CONFIGURED = "NetworkConfigured"
LOAD_BALANCER_READY = "LoadBalancerReady"
INGRESS_CONDITIONS = ConditionSet(
    happy="Ready", dependents=(NETWORK_CONFIGURED, LOAD_BALANCER_READY)
)


class ClusterIngress(ApiModel):
    """The neutral ingress object a Route is reconciled into."""

    api_version: str = API_VERSION
    kind: Literal["ClusterIngress", "Ingress"] = KIND
    metadata: ObjectMeta = Field(default_factory=ObjectMeta)
    spec: IngressSpec = Field(default_factory=IngressSpec)
    status: IngressStatus = Field(default_factory=IngressStatus)

    @property
    def ingress_class(self) -> str | None:
        """The class annotation (``networking.knative.dev/ingress.class``), if set."""
        return self.metadata.annotations.get(INGRESS_CLASS)
