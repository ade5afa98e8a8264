"""Header mutations as proxies apply them: set (overwrite), add (append), remove.

Request headers are kept as an ordered list of ``(lower-case name, value)``
pairs, so an ``add`` of an existing header leaves two entries, which an
upstream reads as ``first, second``: exactly what a broken "append" looks
like to Knative's ``headers/pre-split`` check.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

Headers = tuple[tuple[str, str], ...]


def normalized(headers: Iterable[tuple[str, str]]) -> Headers:
    """Headers with lower-cased names, order kept."""
    return tuple((name.lower(), value) for name, value in headers)


@dataclass(frozen=True, slots=True, kw_only=True)
class HeaderOps:
    """One level of request-header mutations."""

    set: Mapping[str, str] = field(default_factory=dict)
    add: Mapping[str, str] = field(default_factory=dict)
    remove: tuple[str, ...] = ()

    def apply(self, headers: Headers) -> Headers:
        """The headers after removing, setting (overwrite) and adding (append)."""
        drop = {name.lower() for name in self.remove} | {name.lower() for name in self.set}
        result = [(name, value) for name, value in headers if name not in drop]
        result += [(name.lower(), value) for name, value in self.set.items()]
        result += [(name.lower(), value) for name, value in self.add.items()]
        return tuple(result)


def header_value(headers: Headers, name: str) -> str | None:
    """The value of ``name`` in ``headers`` (repeated entries joined with ``, ``)."""
    values = [value for key, value in headers if key == name.lower()]
    return ", ".join(values) if values else None
