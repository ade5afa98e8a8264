"""Bounded waits on a cluster, polling once a second as Knative's conformance helpers do.

Each wait returns once its condition holds and raises ``WaitFailure`` with
what it last saw when the limit passes, so a case fails saying why (a
ClusterIngress's Ready reason and message, a Service without endpoints).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kingress.cluster.errors import NotFound
from kingress.cluster.port import Cluster, Kind, Object

INGRESS = Kind("networking.internal.knative.dev", "ClusterIngress")
ENDPOINTS = Kind("", "Endpoints")
#: Knative's ``PollInterval``.
POLL = 1.0


class WaitFailure(Exception):
    """A wait reached its limit; the message says what was last seen."""


def poll(attempt: Callable[[], str | None], timeout: float, what: str) -> None:
    """Call ``attempt`` every ``POLL`` s until it returns ``None`` (done) or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        seen = attempt()
        if seen is None:
            return
        if time.monotonic() >= deadline:
            raise WaitFailure(f"{what} within {timeout:g}s: {seen}")
        time.sleep(POLL)


def ready_problem(obj: Object) -> str | None:
    """Why ``obj`` is not Ready (``Ready=True`` and ``observedGeneration == generation``)."""
    status: dict[str, Any] = obj.get("status") or {}
    generation = (obj.get("metadata") or {}).get("generation")
    if status.get("observedGeneration") != generation:
        return f"observedGeneration {status.get('observedGeneration')} of generation {generation}"
    ready = next((c for c in status.get("conditions") or () if c.get("type") == "Ready"), None)
    if ready is None:
        return "no Ready condition"
    if ready.get("status") != "True":
        return f"Ready={ready.get('status')} {ready.get('reason', '')}: {ready.get('message', '')}"
    return None


def wait_ready(cluster: Cluster, namespace: str, name: str, timeout: float) -> Object:
    """The ClusterIngress once Ready for its current generation."""
    found: list[Object] = []

    def attempt() -> str | None:
        try:
            obj = cluster.get(INGRESS, namespace, name)
        except NotFound:
            return "not found"
        found[:] = [obj]
        return ready_problem(obj)

    poll(attempt, timeout, f"ClusterIngress {namespace}/{name} not Ready")
    return found[0]


def endpoints_problem(cluster: Cluster, namespace: str, name: str) -> str | None:
    """Why the Service has no ready address yet."""
    try:
        endpoints = cluster.get(ENDPOINTS, namespace, name)
    except NotFound:
        return "no Endpoints"
    if any(subset.get("addresses") for subset in endpoints.get("subsets") or ()):
        return None
    return "no ready address"


def wait_endpoints(cluster: Cluster, namespace: str, names: list[str], timeout: float) -> None:
    """Until every named Service has a ready address (its test server listens)."""

    def attempt() -> str | None:
        pending = [(n, endpoints_problem(cluster, namespace, n)) for n in names]
        waiting = [f"{n}: {p}" for n, p in pending if p]
        return "; ".join(waiting) or None

    poll(attempt, timeout, "test Services without endpoints")


def wait_gone(cluster: Cluster, kind: Kind, namespace: str, label: str, timeout: float) -> None:
    """Until no object of ``kind`` matching the label selector is left (finalizers done)."""

    def attempt() -> str | None:
        left = [o["metadata"]["name"] for o in cluster.list(kind, namespace, label)]
        return ", ".join(left) or None

    poll(attempt, timeout, f"{kind} still present")
