"""Deliberately broken backends: a real backend whose output is corrupted one way each.

Each wrapper keeps the real backend's name, classes and features, so the suite
holds it to everything the real one claims; only its objects differ. They
corrupt Istio VirtualServices, each the way a real translator bug would;
``broken_envoy`` does the same to the envoy backend's fragments.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from kingress import ClusterIngress, Feature, Readiness, TranslateContext, Translation
from kingress_istio import IstioBackend

Object = dict[str, Any]
Route = dict[str, Any]
EXTERNAL = "knative-serving/knative-ingress-gateway"
LOCAL = "knative-serving/knative-local-gateway"


class BrokenBackend:
    """``inner`` with every HTTP route of its output passed through ``corrupt``."""

    def __init__(self, corrupt: Callable[[Route], None], inner: IstioBackend | None = None) -> None:
        self.inner = inner or IstioBackend()
        self.name: str = self.inner.name
        self.ingress_classes: frozenset[str] = self.inner.ingress_classes
        self.features: frozenset[Feature] = self.inner.features
        self._corrupt = corrupt

    def translate(self, ingress: ClusterIngress, context: TranslateContext) -> Translation:
        """The real translation, corrupted."""
        translation = self.inner.translate(ingress, context)
        objects = copy.deepcopy(list(translation.objects))
        for obj in objects:
            if obj.get("kind") == "VirtualService":
                for route in obj["spec"].get("http", []):
                    self._corrupt(route)
                    if any(LOCAL in m.get("gateways", []) for m in route.get("match", [])):
                        obj["spec"]["gateways"] = sorted(
                            {*obj["spec"]["gateways"], *_gateways(route)}
                        )
        return replace(translation, objects=tuple(objects))

    def check_ready(self, ingress: ClusterIngress, applied: Sequence[Object]) -> Readiness:
        """The real verdict."""
        return self.inner.check_ready(ingress, applied)


def _gateways(route: Route) -> set[str]:
    return {g for m in route.get("match", []) for g in m.get("gateways", [])}


def ignores_header_matches(route: Route) -> None:
    """Header matches dropped: every path matches whatever headers come."""
    for match in route.get("match", []):
        match.pop("headers", None)


def drops_a_split(route: Route) -> None:
    """The last destination of a split dropped."""
    if len(route.get("route", [])) > 1:
        route["route"].pop()


def appends_headers(route: Route) -> None:
    """``set`` turned into ``add``: a client's value is kept and the new one appended."""
    for holder in (route, *route.get("route", [])):
        request = holder.get("headers", {}).get("request", {})
        if "set" in request:
            request["add"] = request.pop("set")


def retries_503s(route: Route) -> None:
    """Retries on every 5xx."""
    route["retries"] = {"attempts": 2, "retryOn": "5xx"}


def short_timeout(route: Route) -> None:
    """A one-second route timeout."""
    route["timeout"] = "1s"


def leaks_cluster_local(route: Route) -> None:
    """Cluster-local routes also bound to the public gateway."""
    for match in route.get("match", []):
        if LOCAL in match.get("gateways", []):
            match["gateways"] = sorted({*match["gateways"], EXTERNAL})


#: name → corruption.
BREAKAGES: dict[str, Callable[[Route], None]] = {
    "ignores-header-matches": ignores_header_matches,
    "drops-a-split": drops_a_split,
    "appends-headers": appends_headers,
    "retries-503s": retries_503s,
    "short-timeout": short_timeout,
    "leaks-cluster-local": leaks_cluster_local,
}
