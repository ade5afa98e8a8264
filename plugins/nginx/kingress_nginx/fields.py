"""Field paths for error messages, and recognising the core's readiness-probe paths.

The core prepends, to every rule, a probe copy of each path (``insert_probe``),
so the ingress a backend sees has twice the paths its author wrote. Messages
must name the field the author can find: ``FieldNamer`` maps a position in the
probed rule back to the author's ``spec.rules[i].http.paths[j]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kingress import HASH_HEADER, HASH_OVERRIDE, HTTPIngressPath, IngressRule


def is_probe_path(path: HTTPIngressPath) -> bool:
    """Whether ``path`` is a probe copy: matches ``K-Network-Hash: override`` and sets the hash."""
    match = path.headers.get(HASH_HEADER)
    return match is not None and match.exact == HASH_OVERRIDE and HASH_HEADER in path.append_headers


def _is_probe_copy(probe: HTTPIngressPath, original: HTTPIngressPath) -> bool:
    if not is_probe_path(probe) or HASH_HEADER in original.headers:
        return False
    headers = {k: v for k, v in probe.headers.items() if k != HASH_HEADER}
    added = {k: v for k, v in probe.append_headers.items() if k != HASH_HEADER}
    return (
        probe.path == original.path
        and probe.splits == original.splits
        and probe.rewrite_host == original.rewrite_host
        and headers == original.headers
        and added == {k: v for k, v in original.append_headers.items() if k != HASH_HEADER}
    )


def probe_offset(paths: Sequence[HTTPIngressPath]) -> int:
    """How many leading paths are probe copies of the paths after them (0 if none)."""
    half = len(paths) // 2
    if half == 0 or len(paths) % 2:
        return 0
    if all(_is_probe_copy(paths[k], paths[k + half]) for k in range(half)):
        return half
    return 0


@dataclass(frozen=True, slots=True)
class FieldNamer:
    """Names the author's field for a path position in a (possibly probed) rule."""

    rule_index: int
    offset: int = 0

    @classmethod
    def for_rule(cls, rule_index: int, rule: IngressRule) -> FieldNamer:
        """The namer of rule ``rule_index``, knowing where its probe copies are."""
        paths = rule.http.paths if rule.http is not None else ()
        return cls(rule_index, probe_offset(paths))

    def path(self, index: int) -> str:
        """``spec.rules[i].http.paths[j]`` as the author wrote it."""
        user = index - self.offset if index >= self.offset else index
        return f"spec.rules[{self.rule_index}].http.paths[{user}]"
