"""Kubernetes label selectors: parsing the string form and matching labels.

Supports the full set-based grammar: ``a=b``, ``a==b``, ``a!=b``,
``a in (x,y)``, ``a notin (x,y)``, ``a`` (exists) and ``!a`` (does not exist),
comma-separated (AND).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from kingress.cluster.errors import BadRequest

Matcher = Callable[[Mapping[str, str]], bool]

_SET = re.compile(r"^\s*(!?)\s*([^\s!=(),]+)\s*(?:(in|notin)\s*\(([^)]*)\))?\s*$")
_EQ = re.compile(r"^\s*([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)\s*$")


def _split_terms(selector: str) -> list[str]:
    terms: list[str] = []
    current: list[str] = []
    depth = 0
    for char in selector:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            terms.append("".join(current))
            current = []
        else:
            current.append(char)
    terms.append("".join(current))
    return [t for t in terms if t.strip()]


def _term(term: str) -> Matcher:
    eq = _EQ.match(term)
    if eq:
        key, op, value = eq.groups()
        if op == "!=":
            return lambda labels: labels.get(key) != value
        return lambda labels: labels.get(key) == value
    match = _SET.match(term)
    if not match:
        raise BadRequest(f"unable to parse requirement: {term.strip()!r}")
    negate, key, op, values = match.groups()
    if op is None:
        if negate:
            return lambda labels: key not in labels
        return lambda labels: key in labels
    if negate:
        raise BadRequest(f"unable to parse requirement: {term.strip()!r}")
    allowed = frozenset(v.strip() for v in values.split(",") if v.strip())
    if op == "in":
        return lambda labels: labels.get(key) in allowed
    return lambda labels: labels.get(key) not in allowed


def parse_selector(selector: Mapping[str, str] | str | None) -> Matcher:
    """A predicate over label maps; a mapping means every key equals its value."""
    if selector is None:
        return lambda labels: True
    if isinstance(selector, Mapping):
        wanted = dict(selector)
        return lambda labels: all(labels.get(k) == v for k, v in wanted.items())
    matchers = [_term(term) for term in _split_terms(selector)]
    return lambda labels: all(m(labels) for m in matchers)
