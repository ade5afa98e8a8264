"""How a rule's paths become NGINX locations, with the neutral precedence preserved.

NGINX picks a location by URI alone: among prefix locations the longest one
that is a prefix of the request path wins, whatever the order they are
written in. Header matches are then evaluated inside that location, in order,
and a location has one fallback. The neutral contract instead walks all of a
rule's paths in ``ordered_paths`` order (longer prefix first, then more header
matches, then list order) and takes the first whose prefix and headers match.

The two agree when each location carries the right chain. A request that NGINX
sends to location ``L`` starts with ``L`` and with no longer location, so the
contract's candidates for it are exactly the paths whose prefix is a prefix of
``L`` (a longer matching prefix would be a longer location), in contract order.
That chain does not depend on the rest of the URI, so it can be computed per
location: its header-matched paths up to the first path without header matches
become the location's ordered matches, that first header-less path becomes its
fallback, and whatever follows it can never be reached. A location with no
header-less path in its chain answers 404, as the contract does when nothing
matches. The empty path and ``/`` both match every request and share the ``/``
location, which always exists so that nothing falls outside the rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kingress import (
    ClusterIngress,
    HTTPIngressPath,
    Visibility,
    expanded_hosts,
    precedence_key,
)
from kingress_nginx.fields import FieldNamer

CATCH_ALL = "/"


@dataclass(frozen=True, slots=True)
class Candidate:
    """One neutral path and the field that names it."""

    field: str
    path: HTTPIngressPath


@dataclass(frozen=True, slots=True)
class Location:
    """One NGINX prefix location of a rule."""

    #: The location prefix (the catch-all is ``/``).
    prefix: str
    #: Header-matched paths, tried in order before the fallback.
    matches: tuple[Candidate, ...]
    #: The path serving everything else, or None (404).
    fallback: Candidate | None


@dataclass(frozen=True, slots=True)
class HostGroup:
    """A rule's hosts (expanded, first rule wins) and its locations."""

    rule_index: int
    visibility: Visibility
    hosts: tuple[str, ...]
    locations: tuple[Location, ...]


def location_prefix(path: str) -> str:
    """The NGINX location of a neutral path prefix (the empty path is ``/``)."""
    return path or CATCH_ALL


def plan_locations(candidates: tuple[Candidate, ...]) -> tuple[Location, ...]:
    """Every location of a rule, longest prefix first, each with its contract chain."""
    ordered = sorted(candidates, key=lambda c: precedence_key(c.path))
    prefixes = {location_prefix(c.path.path) for c in candidates} | {CATCH_ALL}
    locations = []
    for prefix in sorted(prefixes, key=lambda p: (-len(p), p)):
        matches: list[Candidate] = []
        fallback = None
        for candidate in ordered:
            if not prefix.startswith(location_prefix(candidate.path.path)):
                continue
            if not candidate.path.headers:
                fallback = candidate
                break
            matches.append(candidate)
        locations.append(Location(prefix, tuple(matches), fallback))
    return tuple(locations)


def plan(
    ingress: ClusterIngress,
    cluster_domain: str,
    *,
    keep: Callable[[HTTPIngressPath], bool] = lambda _: True,
) -> tuple[HostGroup, ...]:
    """The host groups of ``ingress``: ClusterLocal hosts expanded, and a host that an
    earlier rule of the same visibility already serves dropped (the first rule wins).

    ``keep`` filters the paths a backend translates (ingress-nginx drops probe copies).
    """
    seen: set[tuple[Visibility, str]] = set()
    groups = []
    for i, rule in enumerate(ingress.spec.rules):
        if rule.http is None:
            continue
        hosts = rule.hosts
        if rule.visibility == Visibility.CLUSTER_LOCAL:
            hosts = expanded_hosts(hosts, cluster_domain)
        fresh = tuple(sorted(h for h in set(hosts) if (rule.visibility, h) not in seen))
        seen.update((rule.visibility, h) for h in fresh)
        if not fresh:
            continue
        namer = FieldNamer.for_rule(i, rule)
        candidates = tuple(
            Candidate(namer.path(j), p) for j, p in enumerate(rule.http.paths) if keep(p)
        )
        groups.append(HostGroup(i, rule.visibility, fresh, plan_locations(candidates)))
    return tuple(groups)
