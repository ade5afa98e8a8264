"""Choosing what to run: backends by class or alias, features and case keys from the command line.

Shared by the ``kingress conformance`` command and the pytest plugin so both
accept exactly the same spellings.
"""

from __future__ import annotations

from kingress import Feature
from kingress.backends import BackendRegistry, Registered


class SelectionError(ValueError):
    """A class, feature or key on the command line names nothing; the message lists what exists."""


def split_list(values: list[str] | None) -> tuple[str, ...]:
    """``a,b`` and repeated options alike, blanks dropped."""
    return tuple(
        item.strip() for value in values or () for item in value.split(",") if item.strip()
    )


def backends_for(registry: BackendRegistry, classes: tuple[str, ...]) -> list[Registered]:
    """The backends claiming ``classes`` (a class or a backend's name); all when empty."""
    entries = registry.entries()
    if not classes:
        return entries
    chosen: list[Registered] = []
    for wanted in classes:
        entry = next(
            (e for e in entries if wanted == e.backend.name or wanted in e.backend.ingress_classes),
            None,
        )
        if entry is None:
            known = ", ".join(registry.classes()) or "none"
            raise SelectionError(
                f"no installed backend claims ingress class {wanted!r} (installed: {known})"
            )
        if entry not in chosen:
            chosen.append(entry)
    return chosen


def features_from(values: tuple[str, ...]) -> frozenset[Feature] | None:
    """The features named (``None`` when none are, meaning "the backend's own")."""
    if not values:
        return None
    known = {f.value: f for f in Feature}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise SelectionError(
            f"unknown features: {', '.join(unknown)} (known: {', '.join(sorted(known))})"
        )
    return frozenset(known[v] for v in values)
