"""Whether the NGINX controllers serve what was applied, from the status they write back.

F5 NGINX Ingress Controller writes ``status.state`` (``Valid``, ``Warning`` or
``Invalid``) with a ``reason`` and ``message`` on every VirtualServer it
processes. ingress-nginx only publishes ``status.loadBalancer.ingress`` once an
Ingress is in its configuration. Neither records which generation it saw, so a
status can describe the previous spec for a moment after an update; the
core's data-plane probe (where the backend serves it) is what closes that gap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kingress import Readiness

VALID = "Valid"
WARNING = "Warning"
INVALID = "Invalid"


def _name(obj: dict[str, Any]) -> str:
    return str(obj.get("metadata", {}).get("name", "?"))


def _of_kind(applied: Sequence[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return sorted((o for o in applied if o.get("kind") == kind), key=_name)


def virtual_server_readiness(applied: Sequence[dict[str, Any]]) -> Readiness:
    """Ready when every VirtualServer is ``Valid``; ``Invalid`` fails; otherwise waiting."""
    servers = _of_kind(applied, "VirtualServer")
    if not servers:
        return Readiness.waiting(message="No VirtualServer has been applied yet")
    for server in servers:
        status = server.get("status") or {}
        if status.get("state") == INVALID:
            return Readiness.failed(
                "VirtualServerInvalid",
                f"VirtualServer {_name(server)} is invalid: {status.get('message', '')}".strip(),
            )
    for server in servers:
        status = server.get("status") or {}
        state = status.get("state")
        if state == WARNING:
            return Readiness.waiting(
                "VirtualServerWarning",
                f"VirtualServer {_name(server)} has a warning: {status.get('message', '')}".strip(),
            )
        if state != VALID:
            return Readiness.waiting(
                message=f"Waiting for NGINX Ingress Controller to process VirtualServer "
                f"{_name(server)}"
            )
    return Readiness.serving()


def ingress_readiness(applied: Sequence[dict[str, Any]]) -> Readiness:
    """Ready when every Ingress has an address in ``status.loadBalancer.ingress``."""
    ingresses = _of_kind(applied, "Ingress")
    if not ingresses:
        return Readiness.waiting(message="No Ingress has been applied yet")
    for ingress in ingresses:
        balancer = (ingress.get("status") or {}).get("loadBalancer") or {}
        if not balancer.get("ingress"):
            return Readiness.waiting(
                message=f"Waiting for ingress-nginx to publish an address for Ingress "
                f"{_name(ingress)}"
            )
    return Readiness.serving()
