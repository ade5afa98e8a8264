"""Broken envoy backends: the real one with its route configuration corrupted one way each.

The same breakages as ``broken`` (which corrupts Istio output for the offline
depth), applied to the envoy backend's virtual hosts, judged offline by the Envoy model and
through a real Envoy at the local depth.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from kingress import ClusterIngress, TranslateContext, Translation
from kingress_envoy.backend import EnvoyBackend

Spec = dict[str, Any]


class BrokenEnvoy(EnvoyBackend):
    """The envoy backend with every EnvoyIngressConfig spec passed through ``corrupt``."""

    def __init__(self, corrupt: Callable[[Spec], None]) -> None:
        self._corrupt = corrupt

    def translate(self, ingress: ClusterIngress, context: TranslateContext) -> Translation:
        """The real translation, corrupted."""
        translation = super().translate(ingress, context)
        objects = copy.deepcopy(list(translation.objects))
        for obj in objects:
            self._corrupt(obj["spec"])
        return replace(translation, objects=tuple(objects))


def _routes(spec: Spec) -> Iterator[dict[str, Any]]:
    for vhosts in spec["virtualHosts"].values():
        for vhost in vhosts:
            yield from vhost["routes"]


def _forwarding(spec: Spec) -> Iterator[dict[str, Any]]:
    """The routes that forward (not the https redirect routes)."""
    return (route for route in _routes(spec) if "route" in route)


def _header_lists(spec: Spec) -> Iterator[list[dict[str, Any]]]:
    for route in _routes(spec):
        yield route.get("request_headers_to_add", [])
        for cluster in route.get("route", {}).get("weighted_clusters", {}).get("clusters", []):
            yield cluster.get("request_headers_to_add", [])


def ignores_header_matches(spec: Spec) -> None:
    """Header matches dropped."""
    for route in _routes(spec):
        route["match"].pop("headers", None)


def drops_a_split(spec: Spec) -> None:
    """The last weighted cluster of every split dropped."""
    for route in _routes(spec):
        clusters = route.get("route", {}).get("weighted_clusters", {}).get("clusters", [])
        if len(clusters) > 1:
            clusters.pop()


def appends_headers(spec: Spec) -> None:
    """Overwrite turned into append."""
    for headers in _header_lists(spec):
        for header in headers:
            header["append_action"] = "APPEND_IF_EXISTS_OR_ADD"


def retries_503s(spec: Spec) -> None:
    """Two retries on any 5xx."""
    for route in _forwarding(spec):
        route["route"]["retry_policy"] = {"retry_on": "5xx", "num_retries": 2}


def short_timeout(spec: Spec) -> None:
    """A one-second route timeout."""
    for route in _forwarding(spec):
        route["route"]["timeout"] = "1s"


def leaks_cluster_local(spec: Spec) -> None:
    """The private virtual hosts served on the public listener too."""
    hosts = spec["virtualHosts"]
    public = {d for vhost in hosts["public_http"] for d in vhost["domains"]}
    for vhost in hosts["private_http"]:
        if not public & set(vhost["domains"]):
            hosts["public_http"].append(copy.deepcopy(vhost))


BREAKAGES: dict[str, Callable[[Spec], None]] = {
    "ignores-header-matches": ignores_header_matches,
    "drops-a-split": drops_a_split,
    "appends-headers": appends_headers,
    "retries-503s": retries_503s,
    "short-timeout": short_timeout,
    "leaks-cluster-local": leaks_cluster_local,
}
