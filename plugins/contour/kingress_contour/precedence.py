"""A small model of how Contour picks the route for a request, and what it means for us.

Contour ignores the order of ``spec.routes``: it sorts the routes of a virtual
host by specificity itself (``internal/sorter`` in projectcontour/contour, and
"Match Condition Precedence" in its request-routing docs). For the conditions
this backend emits — one ``prefix`` and zero or more ``header.exact`` per route,
never ``exact``/``regex`` paths, query or method conditions — the rules are:

1. a longer ``prefix`` sorts first (two different prefixes of the same length
   never both match one path, so their relative order decides nothing);
2. for the same prefix, more header conditions sort first;
3. for the same prefix and the same number of header conditions Contour
   compares header names and values; that tie-break has nothing to do with the
   order the ClusterIngress gave, so this model treats it as **unspecified**.

A request is served by the first route, in that order, whose conditions all
hold: the path starts with the prefix (a plain string prefix, not a path
segment prefix) and every header is present with exactly that value (names
compared case-insensitively, as Envoy does).

The neutral contract (``kingress.ordered_paths``) orders by prefix length, then
header count, then list order. Rules 1 and 2 agree with it; rule 3 replaces
"list order" with something else. So the translation must never depend on list
order between routes of equal specificity. Two things guarantee that:

* ``shadowed`` routes — a route all of whose requests an earlier route (in
  contract order) also matches — never win under the contract, so they are
  dropped (this also merges an empty path with ``/``, which Contour treats
  alike, and exact duplicates);
* ``conflicts`` finds any remaining pair of routes that could make Contour's
  choice differ from the contract's, with a witness request; the translator
  refuses such an ingress (``NotSupported``) rather than route it differently.

``select`` is the model itself: the set of routes Contour may pick for a
request (one route, none, or several when the unspecified tie-break decides).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Request:
    """What route selection looks at: the path and the request headers."""

    path: str
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, path: str, headers: Mapping[str, str] | None = None) -> Request:
        """A request; header names are case-insensitive."""
        return cls(path, tuple(sorted((k.lower(), v) for k, v in (headers or {}).items())))

    def header(self, name: str) -> str | None:
        """The value of a header, if present."""
        return next((v for k, v in self.headers if k == name.lower()), None)


@dataclass(frozen=True, slots=True)
class RouteMatch:
    """The match conditions of one emitted route: a prefix and exact header values."""

    prefix: str
    #: ``(lowercased name, exact value)`` pairs, sorted (a name twice with two
    #: values can never match, exactly as in Envoy).
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def of(cls, prefix: str, headers: Mapping[str, str] | None = None) -> RouteMatch:
        """A route match; an empty prefix means ``/`` (as in Contour)."""
        return cls(prefix or "/", tuple(sorted((k.lower(), v) for k, v in (headers or {}).items())))

    @classmethod
    def of_route(cls, route: Mapping[str, Any]) -> RouteMatch:
        """Read the conditions of an HTTPProxy route as this backend writes them."""
        prefix = "/"
        headers: dict[str, str] = {}
        for condition in route.get("conditions", ()):
            if "prefix" in condition:
                prefix = condition["prefix"]
            elif "header" in condition:
                headers[condition["header"]["name"]] = condition["header"]["exact"]
            else:
                raise ValueError(f"condition outside the model: {condition!r}")
        return cls.of(prefix, headers)

    @property
    def specificity(self) -> tuple[int, int]:
        """Contour's sort key (higher first): prefix length, then header count."""
        return (len(self.prefix), len(self.headers))

    def matches(self, request: Request) -> bool:
        """Whether every condition holds for the request."""
        return request.path.startswith(self.prefix) and all(
            request.header(name) == value for name, value in self.headers
        )

    def implies(self, other: RouteMatch) -> bool:
        """Whether every request ``other`` matches is also matched by this route."""
        return other.prefix.startswith(self.prefix) and set(self.headers) <= set(other.headers)


def select(routes: Sequence[RouteMatch], request: Request) -> tuple[int, ...]:
    """Indices of the routes Contour may serve ``request`` with (several = unspecified)."""
    matching = [i for i, route in enumerate(routes) if route.matches(request)]
    if not matching:
        return ()
    best = max(routes[i].specificity for i in matching)
    return tuple(i for i in matching if routes[i].specificity == best)


def first_match(routes: Sequence[RouteMatch], request: Request) -> int | None:
    """The contract's choice when ``routes`` are in contract order: the first that matches."""
    return next((i for i, route in enumerate(routes) if route.matches(request)), None)


def shadowed(routes: Sequence[RouteMatch]) -> frozenset[int]:
    """Routes (in contract order) that can never be chosen: an earlier kept route implies them."""
    dropped: set[int] = set()
    for j, later in enumerate(routes):
        if any(routes[i].implies(later) for i in range(j) if i not in dropped):
            dropped.add(j)
    return frozenset(dropped)


@dataclass(frozen=True, slots=True)
class Conflict:
    """A request for which Contour may choose a route other than the contract's."""

    #: The contract's route (index in contract order).
    expected: int
    #: A route Contour may choose instead.
    other: int
    request: Request


def _witness(a: RouteMatch, b: RouteMatch) -> Request | None:
    """The least request matching both routes, if any: longer prefix, union of headers."""
    if not (a.prefix.startswith(b.prefix) or b.prefix.startswith(a.prefix)):
        return None
    headers = dict(a.headers)
    for name, value in b.headers:
        if headers.setdefault(name, value) != value:
            return None
    return Request.of(max(a.prefix, b.prefix, key=len), headers)


def conflicts(routes: Sequence[RouteMatch]) -> tuple[Conflict, ...]:
    """Every pair whose least common request Contour may route unlike the contract.

    Checking each pair's least common request is complete: a request on which
    the choices differ has a contract choice ``c`` and a possible Contour
    choice ``d``; the least request matching both is matched by a subset of the
    same routes that still contains ``c`` and ``d``, so ``c`` stays the
    contract's choice and ``d`` stays among the most specific.
    """
    found: list[Conflict] = []
    for i, a in enumerate(routes):
        for b in routes[i + 1 :]:
            request = _witness(a, b)
            if request is None:
                continue
            expected = first_match(routes, request)
            chosen = select(routes, request)
            if expected is not None and chosen != (expected,):
                other = next(k for k in chosen if k != expected)
                conflict = Conflict(expected, other, request)
                if conflict not in found:
                    found.append(conflict)
    return tuple(found)
