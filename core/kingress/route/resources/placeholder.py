"""The placeholder Services: one per traffic group, giving it a stable in-cluster name.

``<route>`` for the default group, the tag's hostname (``<tag>-<route>``) for a
tag. Each is owned by the Route and labelled ``serving.knative.dev/route``;
it carries the Route's labels (never its visibility label: that label on a
placeholder Service is the user's per-tag switch, and is kept as found) and
annotations.

Until the ClusterIngress publishes a load balancer, a placeholder is an
``ExternalName`` Service pointing at the group's own domain (port ``http2``
80, appProtocol ``kubernetes.io/h2c``), which reserves the name. Then it is
shaped from the load balancer (the private one when published, always for a
cluster-local group), preferring, as Knative does (serving #11821):

- ``ip`` → a headless ClusterIP Service plus a manual Endpoints object;
- ``domainInternal`` → ``ExternalName`` to it;
- ``domain`` → ``ExternalName`` to it;
- ``meshOnly`` → a ClusterIP Service with port ``http`` 80.

More than one load-balancer entry is an error (``LoadBalancerError``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from kingress.api.annotations import ROUTE_LABEL, VISIBILITY_LABEL
from kingress.api.ingress import ClusterIngress, LoadBalancerIngressStatus
from kingress.api.serving import Route
from kingress.cluster.port import Kind, Object

SERVICE: Final = Kind("", "Service")
ENDPOINTS: Final = Kind("", "Endpoints")
EXTERNAL_NAME: Final = "ExternalName"
CLUSTER_IP: Final = "ClusterIP"
#: Knative's h2c port name and the appProtocol that tells gateways to speak h2c.
H2C_PORT_NAME: Final = "http2"
H2C_APP_PROTOCOL: Final = "kubernetes.io/h2c"
HTTP_PORT_NAME: Final = "http"
PORT: Final = 80


class LoadBalancerError(ValueError):
    """The ClusterIngress publishes a load balancer the Route cannot use."""


@dataclass(frozen=True, slots=True)
class PlaceholderPair:
    """A placeholder Service and, for an IP load balancer, its Endpoints."""

    service: Object
    endpoints: Object | None = None


def _h2c_port() -> dict[str, Any]:
    return {
        "name": H2C_PORT_NAME,
        "port": PORT,
        "targetPort": PORT,
        "appProtocol": H2C_APP_PROTOCOL,
    }


def _metadata(route: Route, name: str, visibility: str | None) -> dict[str, Any]:
    meta = route.metadata
    labels = {k: v for k, v in meta.labels.items() if k != VISIBILITY_LABEL}
    labels[ROUTE_LABEL] = meta.name
    if visibility:
        labels[VISIBILITY_LABEL] = visibility
    result: dict[str, Any] = {"name": name, "namespace": meta.namespace or "", "labels": labels}
    if meta.annotations:
        result["annotations"] = dict(meta.annotations)
    return result


def _service(route: Route, name: str, visibility: str | None, spec: dict[str, Any]) -> Object:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(route, name, visibility),
        "spec": spec,
    }


def make_placeholder_service(
    route: Route, name: str, domain: str, *, visibility: str | None = None
) -> PlaceholderPair:
    """The name-reserving ``ExternalName`` Service pointing at ``domain``.

    ``visibility`` is the visibility label found on the existing Service, kept.
    """
    spec = {
        "type": EXTERNAL_NAME,
        "externalName": domain,
        "sessionAffinity": "None",
        "ports": [_h2c_port()],
    }
    return PlaceholderPair(_service(route, name, visibility, spec))


def load_balancer(
    ingress: ClusterIngress, *, cluster_local: bool
) -> LoadBalancerIngressStatus | None:
    """The load balancer a placeholder Service should lead to, if one is published.

    The private one whenever it is published (in-cluster callers are what the
    placeholder Service serves), else the public one unless the group is
    cluster-local.
    """
    status = ingress.status
    private = status.private_load_balancer
    chosen = status.public_load_balancer
    if cluster_local or (private is not None and private.ingress):
        chosen = private
    if chosen is None or not chosen.ingress:
        return None
    if len(chosen.ingress) > 1:
        raise LoadBalancerError(
            "more than one ingress are specified in status(LoadBalancer) of Ingress "
            f'"{ingress.metadata.name}"'
        )
    return chosen.ingress[0]


def make_k8s_service(
    route: Route,
    name: str,
    balancer: LoadBalancerIngressStatus,
    *,
    visibility: str | None = None,
) -> PlaceholderPair | None:
    """The placeholder Service shaped from a load balancer (None if it names nothing)."""
    if balancer.ip:
        service = _service(
            route,
            name,
            visibility,
            {"type": CLUSTER_IP, "clusterIP": "None", "ports": [_h2c_port()]},
        )
        endpoints = {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": _metadata(route, name, visibility),
            "subsets": [
                {
                    "addresses": [{"ip": balancer.ip}],
                    "ports": [{"name": H2C_PORT_NAME, "port": PORT}],
                }
            ],
        }
        return PlaceholderPair(service, endpoints)
    if balancer.domain_internal:
        spec = {
            "type": EXTERNAL_NAME,
            "externalName": balancer.domain_internal,
            "sessionAffinity": "None",
            "ports": [_h2c_port()],
        }
        return PlaceholderPair(_service(route, name, visibility, spec))
    if balancer.domain:
        spec = {"type": EXTERNAL_NAME, "externalName": balancer.domain, "ports": [_h2c_port()]}
        return PlaceholderPair(_service(route, name, visibility, spec))
    if balancer.mesh_only:
        spec = {"type": CLUSTER_IP, "ports": [{"name": HTTP_PORT_NAME, "port": PORT}]}
        return PlaceholderPair(_service(route, name, visibility, spec))
    return None


def needs_recreate(existing: Object, desired: Object) -> bool:
    """Whether ``existing`` cannot be updated into ``desired`` in place.

    Changing a Service between ``ExternalName`` and ``ClusterIP``, or between a
    headless and an allocated cluster IP, is done by delete and create.
    """
    old = existing.get("spec") or {}
    new = desired.get("spec") or {}
    if old.get("type", CLUSTER_IP) != new.get("type", CLUSTER_IP):
        return True
    if new.get("type", CLUSTER_IP) != CLUSTER_IP:
        return False
    return (old.get("clusterIP") == "None") != (new.get("clusterIP") == "None")
