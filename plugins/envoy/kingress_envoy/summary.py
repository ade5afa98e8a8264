"""What a snapshot routes, in a few readable lines (``kingress demo`` shows them).

One line per route of every virtual host (probe routes left out), then one
per cluster with the upstream addresses Envoy has for it::

    public_http   helloworld-go.default.example.com/ → 100% default/helloworld-go-00001:80
    cluster       default/helloworld-go-00001:80 → 127.0.0.1:41023

A virtual host with several domains shows the first and how many more; a
cluster without endpoints says so (Envoy answers 503 for it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kingress import HASH_HEADER
from kingress_envoy.snapshot import EnvoySnapshot


def _is_probe(route: Mapping[str, Any]) -> bool:
    headers = (route.get("match") or {}).get("headers") or ()
    return any(h.get("name") == HASH_HEADER for h in headers)


def _hosts(vhost: Mapping[str, Any]) -> str:
    domains = [str(d) for d in vhost.get("domains") or () if not str(d).endswith(":*")]
    if len(domains) <= 1:
        return "".join(domains)
    return f"{domains[0]} (+{len(domains) - 1} more)"


def _addresses(cluster: Mapping[str, Any]) -> str:
    found = [
        f"{address['address']}:{address['port_value']}"
        for group in (cluster.get("load_assignment") or {}).get("endpoints") or ()
        for endpoint in group.get("lb_endpoints") or ()
        for address in (endpoint["endpoint"]["address"]["socket_address"],)
    ]
    return ", ".join(found) or "no endpoints"


def _target(route: Mapping[str, Any]) -> str:
    if "redirect" in route:
        return "redirect to https"
    action = route.get("route") or {}
    weighted = (action.get("weighted_clusters") or {}).get("clusters") or ()
    parts = [f"{w.get('weight', 0)}% {w['name']}" for w in weighted]
    if "cluster" in action:
        parts.append(str(action["cluster"]))
    return ", ".join(parts) or "nothing"


def describe_snapshot(snapshot: EnvoySnapshot) -> list[str]:
    """One line per non-probe route of every listener, then one per cluster; pure."""
    lines = []
    for route_config in snapshot.route_configs:
        listener = str(route_config["name"])
        for vhost in route_config.get("virtual_hosts") or ():
            for route in vhost.get("routes") or ():
                if _is_probe(route):
                    continue
                match = route.get("match") or {}
                where = f"{_hosts(vhost)}{match.get('prefix', '/')}"
                headers = [
                    f"{h['name']}={(h.get('string_match') or {}).get('exact', '')}"
                    for h in match.get("headers") or ()
                ]
                if headers:
                    where += f" ({', '.join(headers)})"
                lines.append(f"{listener:<13} {where} → {_target(route)}")
    lines += [f"{'cluster':<13} {c['name']} → {_addresses(c)}" for c in snapshot.clusters]
    return lines
