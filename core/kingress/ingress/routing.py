"""The neutral routing contract's shared pieces: path precedence and host forms.

Within a rule the most specific path wins: the longer ``path`` prefix first
(an empty path, "every path", counts as ``/``: both match exactly the same
requests), then the path with more header matches, then list order. First-match gateways
(Istio, Envoy, NGINX) emit paths in ``ordered_paths`` order; gateways that sort
by specificity themselves must reach the same result.
"""

from __future__ import annotations

from collections.abc import Iterable

from kingress.api.ingress import HTTPIngressPath, IngressRule, IngressSpec, Visibility


def precedence_key(path: HTTPIngressPath) -> tuple[int, int]:
    """Sort key: longer prefix first (``""`` counts as ``/``), then more header matches."""
    return (-len(path.path or "/"), -len(path.headers))


def ordered_paths(rule: IngressRule) -> tuple[HTTPIngressPath, ...]:
    """The rule's paths, most specific first (stable for ties)."""
    if rule.http is None:
        return ()
    return tuple(sorted(rule.http.paths, key=precedence_key))


def expanded_hosts(hosts: Iterable[str], cluster_domain: str = "cluster.local") -> tuple[str, ...]:
    """Hosts plus the short forms of cluster-local names, sorted.

    ``x.ns.svc.cluster.local`` also answers as ``x.ns.svc`` and ``x.ns``, as a
    pod's DNS search path allows.
    """
    result: set[str] = set()
    for host in hosts:
        result.add(host)
        for suffix in (f".{cluster_domain}", f".svc.{cluster_domain}"):
            if host.endswith(suffix):
                result.add(host.removesuffix(suffix))
    return tuple(sorted(result))


def hosts_for_visibility(spec: IngressSpec, visibility: Visibility) -> tuple[str, ...]:
    """All hosts of the rules with that visibility, sorted."""
    return tuple(
        sorted(
            {host for rule in spec.rules if rule.visibility == visibility for host in rule.hosts}
        )
    )
