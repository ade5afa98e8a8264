"""How a rule's hosts become VirtualService hosts and ``authority`` matches.

A VirtualService bound to a gateway gets one Envoy virtual host per entry of
``hosts``, and every one of them carries all of the VirtualService's routes.
Each route therefore also matches the request authority, so a route of one
rule never answers for another rule's host (that is what keeps ClusterLocal
hosts off the public gateway).

Authority matching is exact, in two forms per host: ``exact: <host>`` and
``prefix: "<host>:"`` (the host with any port, as HTTP/2 and gRPC clients send
it). net-istio instead matches ``prefix: <host>`` with the cluster-local suffix
trimmed; that needs fewer matches but also accepts any host that merely starts
with the same characters (``a.example.com`` would answer for
``a.example.com.au`` when both are rules of one ingress). We stay exact and
avoid regular expressions (Istio and Envoy bound regex program size).

ClusterLocal rules answer under every short form of their names
(``kingress.expanded_hosts``); the mesh VirtualService only takes hosts under
``.svc.<cluster-domain>`` so sidecars' routing of other names is never hijacked.
"""

from __future__ import annotations

from collections.abc import Iterable

from kingress import IngressRule, NotSupported, TranslationError, Visibility, expanded_hosts


def check_hosts(rule: IngressRule, where: str) -> None:
    """Raise for hosts Istio cannot route by: none, ports, wildcards, paths."""
    if not rule.hosts:
        raise TranslationError(f"{where}.hosts: the istio backend needs at least one host")
    for index, host in enumerate(rule.hosts):
        field = f"{where}.hosts[{index}]"
        if host.startswith("*"):
            raise NotSupported(
                f"{field}: wildcard host {host!r} cannot be matched exactly by the istio backend"
            )
        if not host or any(char in host for char in ":/ ") or host != host.lower():
            raise TranslationError(
                f"{field}: {host!r} is not a lower-case DNS name without port or path"
            )


def rule_hosts(rule: IngressRule, cluster_domain: str) -> tuple[str, ...]:
    """The hosts a rule answers under, sorted: ClusterLocal rules with every short form."""
    if rule.visibility == Visibility.CLUSTER_LOCAL:
        return expanded_hosts(rule.hosts, cluster_domain)
    return tuple(sorted(set(rule.hosts)))


def mesh_hosts(rule: IngressRule, cluster_domain: str) -> tuple[str, ...]:
    """The hosts sidecars route for a ClusterLocal rule (``*.svc.<domain>`` names only)."""
    if rule.visibility != Visibility.CLUSTER_LOCAL:
        return ()
    suffix = f".svc.{cluster_domain}"
    return expanded_hosts((host for host in rule.hosts if host.endswith(suffix)), cluster_domain)


def authority_matches(hosts: Iterable[str]) -> list[dict[str, str]]:
    """Exact authority matches for ``hosts``: the bare host, then the host with a port."""
    matches: list[dict[str, str]] = []
    for host in sorted(set(hosts)):
        matches.append({"exact": host})
        matches.append({"prefix": f"{host}:"})
    return matches
