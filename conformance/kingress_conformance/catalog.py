"""Finding the cases: every module of ``kingress_conformance.cases`` that defines ``CASE``.

No hand-kept list: adding a module adds a case. The order is Knative's tiers
(stable, beta, alpha) then kingress's contract cases, each by key.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from kingress_conformance import cases
from kingress_conformance.case import Case, Tier

_TIER_ORDER = {tier: index for index, tier in enumerate(Tier)}


class CatalogError(RuntimeError):
    """A case module is malformed (no ``CASE``, a key that does not match, a duplicate)."""


def module_name(key: str) -> str:
    """The module a key lives in: ``/`` and ``-`` become ``_``."""
    return key.replace("/", "_").replace("-", "_")


@cache
def all_cases() -> tuple[Case, ...]:
    """Every case, in tier then key order."""
    found: dict[str, Case] = {}
    for info in pkgutil.iter_modules(cases.__path__):
        module = importlib.import_module(f"{cases.__name__}.{info.name}")
        case = getattr(module, "CASE", None)
        if not isinstance(case, Case):
            raise CatalogError(f"{module.__name__} defines no CASE")
        if module_name(case.key) != info.name:
            raise CatalogError(
                f"{module.__name__} defines case {case.key!r}; "
                f"it belongs in module {module_name(case.key)}"
            )
        found[case.key] = case
    return tuple(sorted(found.values(), key=lambda c: (_TIER_ORDER[c.tier], c.key)))


def case_keys() -> tuple[str, ...]:
    """Every case key, in catalog order."""
    return tuple(case.key for case in all_cases())


def select(keys: tuple[str, ...] = (), skip: tuple[str, ...] = ()) -> tuple[Case, ...]:
    """The cases named by ``keys`` (all when empty); unknown keys are an error."""
    known = set(case_keys())
    unknown = sorted((set(keys) | set(skip)) - known)
    if unknown:
        raise CatalogError(f"unknown case keys: {', '.join(unknown)}")
    return tuple(case for case in all_cases() if not keys or case.key in keys)
