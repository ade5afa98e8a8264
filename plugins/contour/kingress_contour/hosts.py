"""Which virtual hosts an ingress needs, and which certificate each one uses.

Contour allows one root HTTPProxy per fqdn (per installation) and compares
fqdns case-insensitively; its CRD only accepts lowercase names. So hosts are
normalised (lowercased, a trailing dot dropped) before anything else, and hosts
that then coincide are one virtual host. Knative's rule is that the first rule
naming a host wins, so a (visibility, host) pair already claimed by an earlier
rule is not claimed again: the two Contour installations (external and
internal) are separate, so the same host may appear once per visibility.
ClusterLocal rules answer under every short form of their hosts
(``kingress.expanded_hosts``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kingress import IngressSpec, IngressTLS, TranslationError, Visibility, expanded_hosts
from kingress_contour.constants import FQDN_PATTERN

_FQDN = re.compile(FQDN_PATTERN)


def normalize_host(host: str) -> str:
    """The form Contour compares: lowercase, without a trailing dot."""
    return host.strip().lower().removesuffix(".")


def _checked(host: str, where: str) -> str:
    fqdn = normalize_host(host)
    if not _FQDN.match(fqdn) or fqdn.startswith("*."):
        raise TranslationError(
            f"{where}: {host!r} is not a host name Contour accepts as a virtual host fqdn "
            "(letters, digits, '-' and '.', no port, no wildcard)"
        )
    return fqdn


@dataclass(frozen=True, slots=True, kw_only=True)
class VirtualHost:
    """One root HTTPProxy to emit: a host of a visibility, routed by one rule."""

    fqdn: str
    visibility: Visibility
    #: Index of the rule (in ``spec.rules``) whose paths this host serves.
    rule_index: int


def plan_virtual_hosts(spec: IngressSpec, cluster_domain: str) -> tuple[VirtualHost, ...]:
    """Every virtual host of the spec, first rule wins, sorted by visibility then fqdn."""
    claimed: dict[tuple[Visibility, str], VirtualHost] = {}
    domain = normalize_host(cluster_domain)
    for r, rule in enumerate(spec.rules):
        for h, host in enumerate(rule.hosts):
            where = f"spec.rules[{r}].hosts[{h}]"
            fqdn = _checked(host, where)
            forms: Iterable[str] = (fqdn,)
            if rule.visibility == Visibility.CLUSTER_LOCAL:
                forms = expanded_hosts([fqdn], domain)
            for form in forms:
                key = (rule.visibility, _checked(form, where))
                claimed.setdefault(key, VirtualHost(fqdn=key[1], visibility=key[0], rule_index=r))
    return tuple(claimed[key] for key in sorted(claimed))


def _covers(pattern: str, fqdn: str) -> bool:
    if pattern == fqdn:
        return True
    # A wildcard certificate name covers exactly one more label.
    if pattern.startswith("*."):
        label, dot, rest = fqdn.partition(".")
        return bool(label) and bool(dot) and rest == pattern[2:]
    return False


def tls_for_host(entries: Iterable[IngressTLS], fqdn: str) -> IngressTLS | None:
    """The certificate for a host: an exact host entry first, else a wildcard one.

    Among entries of the same kind the first in ``spec.tls`` wins.
    """
    entries = tuple(entries)
    for exact in (True, False):
        for entry in entries:
            for name in entry.hosts:
                pattern = normalize_host(name)
                if (pattern == fqdn) if exact else _covers(pattern, fqdn):
                    return entry
    return None
