"""Broken contour backends: the real one with its HTTPProxies corrupted one way each.

The breakages of ``broken`` that HTTPProxy can express, applied to the contour
backend's output and judged offline by the Contour model. ``appends-headers``
has no counterpart: ``requestHeadersPolicy`` only sets and removes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from kingress import ClusterIngress, TranslateContext, Translation
from kingress_contour.backend import ContourBackend

Object = dict[str, Any]
EXTERNAL, INTERNAL = "contour-external", "contour-internal"


class BrokenContour(ContourBackend):
    """The contour backend with its whole output passed through ``corrupt``."""

    def __init__(self, corrupt: Callable[[list[Object]], None]) -> None:
        super().__init__()
        self._corrupt = corrupt

    def translate(self, ingress: ClusterIngress, context: TranslateContext) -> Translation:
        """The real translation, corrupted."""
        translation = super().translate(ingress, context)
        objects = copy.deepcopy(list(translation.objects))
        self._corrupt(objects)
        return replace(translation, objects=tuple(objects))


def _routes(objects: list[Object]) -> Iterator[Object]:
    for obj in objects:
        if obj.get("kind") == "HTTPProxy":
            yield from obj["spec"].get("routes", [])


def ignores_header_matches(objects: list[Object]) -> None:
    """Header conditions dropped."""
    for route in _routes(objects):
        route["conditions"] = [c for c in route.get("conditions", []) if "header" not in c]


def drops_a_split(objects: list[Object]) -> None:
    """The last service of every split dropped."""
    for route in _routes(objects):
        if len(route.get("services", [])) > 1:
            route["services"].pop()


def retries_503s(objects: list[Object]) -> None:
    """Two retries on any 5xx."""
    for route in _routes(objects):
        route["retryPolicy"] = {"count": 2, "retryOn": ["5xx"]}


def short_timeout(objects: list[Object]) -> None:
    """A one-second response timeout."""
    for route in _routes(objects):
        route["timeoutPolicy"] = {**route.get("timeoutPolicy", {}), "response": "1s"}


def _class(obj: Object) -> str:
    return str(obj["spec"].get("ingressClassName", ""))


def leaks_cluster_local(objects: list[Object]) -> None:
    """Internal proxies copied to the external class too."""
    external = {o["spec"]["virtualhost"]["fqdn"] for o in objects if _class(o) == EXTERNAL}
    for obj in [o for o in objects if _class(o) == INTERNAL]:
        if obj["spec"]["virtualhost"]["fqdn"] in external:
            continue
        leaked = copy.deepcopy(obj)
        leaked["metadata"]["name"] += "-leak"
        leaked["metadata"]["annotations"]["projectcontour.io/ingress.class"] = EXTERNAL
        leaked["spec"]["ingressClassName"] = EXTERNAL
        objects.append(leaked)


BREAKAGES: dict[str, Callable[[list[Object]], None]] = {
    "ignores-header-matches": ignores_header_matches,
    "drops-a-split": drops_a_split,
    "retries-503s": retries_503s,
    "short-timeout": short_timeout,
    "leaks-cluster-local": leaks_cluster_local,
}
