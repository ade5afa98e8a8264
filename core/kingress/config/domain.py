"""``config-domain``: which domain a Route's hosts live under, chosen by its labels.

Each key is a domain; its value is YAML ``selector: {label: value, ...}`` (or
empty, for a domain that matches every Route). A Route gets the domain whose
selector matches its labels with the most labels; ties go to the
lexicographically smaller domain. The key ``_example`` (Knative's documentation
block) is ignored.

Default: when no entry without a selector exists, ``example.com`` matches every
Route. This is the seed's (and Knative 0.6's) default; Knative since 2023
(serving #13964) defaults to ``svc.<cluster-domain>``, which makes every Route
cluster-local until a public domain is configured. kingress keeps ``example.com``.

A Route labelled ``networking.knative.dev/visibility: cluster-local`` always
gets ``svc.<cluster-domain>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import yaml

from kingress.api import kubenames
from kingress.api.annotations import VISIBILITY_CLUSTER_LOCAL, VISIBILITY_LABEL
from kingress.config import ConfigError

CONFIG_DOMAIN: Final = "config-domain"
#: The domain every Route gets when no selector-less entry is configured.
DEFAULT_DOMAIN: Final = "example.com"
_EXAMPLE_KEY: Final = "_example"


@dataclass(frozen=True, slots=True)
class DomainEntry:
    """One domain and the labels a Route needs to get it."""

    domain: str
    selector: tuple[tuple[str, str], ...] = ()

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether every selector label is on the Route with the same value."""
        return all(labels.get(key) == value for key, value in self.selector)


@dataclass(frozen=True, slots=True)
class DomainConfig:
    """``config-domain``, parsed."""

    entries: tuple[DomainEntry, ...] = (DomainEntry(DEFAULT_DOMAIN),)

    def lookup(self, labels: Mapping[str, str], cluster_domain: str) -> str:
        """The domain for a Route with these labels (most specific selector wins)."""
        if labels.get(VISIBILITY_LABEL) == VISIBILITY_CLUSTER_LOCAL:
            return f"svc.{cluster_domain}"
        best: DomainEntry | None = None
        for entry in self.entries:
            if not entry.matches(labels):
                continue
            if best is None or (-len(entry.selector), entry.domain) < (
                -len(best.selector),
                best.domain,
            ):
                best = entry
        # There is always a selector-less entry, so something matched.
        return best.domain if best is not None else DEFAULT_DOMAIN


def parse_domain(data: Mapping[str, str] | None) -> DomainConfig:
    """``config-domain``'s data (``None`` when the map does not exist)."""
    entries: list[DomainEntry] = []
    for domain, raw in sorted((data or {}).items()):
        if domain == _EXAMPLE_KEY:
            continue
        problems = kubenames.dns1123_subdomain(domain)
        if problems:
            raise ConfigError(CONFIG_DOMAIN, domain, f"not a DNS domain: {'; '.join(problems)}")
        entries.append(DomainEntry(domain, _selector(domain, raw)))
    if not any(not entry.selector for entry in entries):
        entries.append(DomainEntry(DEFAULT_DOMAIN))
    return DomainConfig(tuple(entries))


def _selector(domain: str, raw: str) -> tuple[tuple[str, str], ...]:
    try:
        parsed = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError as error:
        raise ConfigError(CONFIG_DOMAIN, domain, f"not valid YAML: {error}") from error
    if parsed is None:
        return ()
    if not isinstance(parsed, dict) or set(parsed) - {"selector"}:
        raise ConfigError(
            CONFIG_DOMAIN, domain, 'expected "selector: {label: value, ...}" or an empty value'
        )
    selector = parsed.get("selector") or {}
    if not isinstance(selector, dict) or not all(
        isinstance(k, str) and isinstance(v, str | int | float | bool) for k, v in selector.items()
    ):
        raise ConfigError(CONFIG_DOMAIN, domain, "selector must map label names to values")
    return tuple(sorted((k, _label_value(v)) for k, v in selector.items()))


def _label_value(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
