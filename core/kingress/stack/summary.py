"""Short, readable lines about serving and networking objects (not raw dumps).

Each function takes the wire-form object (as stored, serving objects in v1)
and returns one line a person can read at a glance::

    Service        helloworld-go        Ready  http://helloworld-go.default.example.com
    Revision       helloworld-go-00001  Ready  TARGET=Go Sample v1
    Route          helloworld-go        Ready  50% → helloworld-go-00001, 50% → helloworld-go-00002
    ClusterIngress helloworld-go        Ready  class envoy.ingress.networking.knative.dev, ...

A condition that is not True shows its reason and message instead of
``Ready``. Pure: no cluster access.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kingress.api.annotations import INGRESS_CLASS

Object = dict[str, Any]


def readiness(obj: Mapping[str, Any], condition: str = "Ready") -> str:
    """``Ready``, or ``Ready=Unknown (Reason: message)`` when the condition is not True."""
    for found in (obj.get("status") or {}).get("conditions") or ():
        if found.get("type") == condition:
            if found.get("status") == "True":
                return condition
            detail = ": ".join(str(found[k]) for k in ("reason", "message") if found.get(k))
            return f"{condition}={found.get('status')} ({detail})" if detail else condition
    return f"{condition}=Unknown (not reconciled yet)"


def _line(kind: str, obj: Mapping[str, Any], *details: str) -> str:
    name = (obj.get("metadata") or {}).get("name", "")
    return "  ".join([f"{kind:<14} {name:<20}", readiness(obj), *(d for d in details if d)])


def container_env(revision: Mapping[str, Any]) -> dict[str, str]:
    """The literal environment of a Revision's (first) container."""
    containers: list[Mapping[str, Any]] = (revision.get("spec") or {}).get("containers") or [{}]
    return {e["name"]: e["value"] for e in containers[0].get("env") or () if "value" in e}


def _traffic(targets: Any) -> str:
    parts = []
    for target in targets or ():
        part = f"{target.get('percent', 0)}% → {target.get('revisionName', '?')}"
        if target.get("tag"):
            part += f" (tag {target['tag']}: {target.get('url', '')})"
        parts.append(part)
    return ", ".join(parts)


def service(obj: Mapping[str, Any]) -> str:
    """URL and latest ready revision of a Knative Service."""
    status = obj.get("status") or {}
    return _line(
        "Service",
        obj,
        str(status.get("url", "")),
        f"latest ready {status.get('latestReadyRevisionName', '-')}",
    )


def configuration(obj: Mapping[str, Any]) -> str:
    """Generation and latest created / ready revisions of a Configuration."""
    status = obj.get("status") or {}
    return _line(
        "Configuration",
        obj,
        f"generation {(obj.get('metadata') or {}).get('generation', '?')}",
        f"latest created {status.get('latestCreatedRevisionName', '-')}",
        f"latest ready {status.get('latestReadyRevisionName', '-')}",
    )


def revision(obj: Mapping[str, Any], served_by: str = "") -> str:
    """The environment of a Revision's container, and what serves it (if known)."""
    env = ", ".join(f"{name}={value}" for name, value in container_env(obj).items())
    return _line("Revision", obj, env, served_by)


def route(obj: Mapping[str, Any]) -> str:
    """A Route's traffic as resolved in its status, and its URL."""
    status = obj.get("status") or {}
    return _line("Route", obj, _traffic(status.get("traffic")), str(status.get("url", "")))


def _splits(rule: Mapping[str, Any]) -> str:
    paths = (rule.get("http") or {}).get("paths") or ()
    return "; ".join(
        ", ".join(f"{s.get('percent', 0)}% {s['serviceName']}:{s['servicePort']}" for s in splits)
        for path in paths
        for splits in (path.get("splits") or (),)
    )


def ingress(obj: Mapping[str, Any]) -> list[str]:
    """A ClusterIngress: class and load balancer, then one line per ExternalIP rule."""
    meta = obj.get("metadata") or {}
    status = obj.get("status") or {}
    balancers = (status.get("publicLoadBalancer") or {}).get("ingress") or ()
    addresses = ", ".join(
        str(b.get("ip") or b.get("domainInternal") or b.get("domain") or "") for b in balancers
    )
    lines = [
        _line(
            "ClusterIngress",
            obj,
            f"class {(meta.get('annotations') or {}).get(INGRESS_CLASS, '-')}",
            f"load balancer {addresses or '-'}",
        )
    ]
    for rule in (obj.get("spec") or {}).get("rules") or ():
        if rule.get("visibility", "ExternalIP") == "ExternalIP":
            hosts = ", ".join(rule.get("hosts") or ())
            lines.append(f"{'':<14} {hosts} → {_splits(rule)}")
    return lines
