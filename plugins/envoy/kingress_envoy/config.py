"""The envoy backend's configuration (its config map's data), parsed once with defaults.

Keys (all optional):

``connect-timeout``
    Upstream connect timeout for every cluster, an Envoy duration (default ``5s``).
``external-name-dns-type``
    Discovery type of clusters for ExternalName Services: ``LOGICAL_DNS`` (default,
    as Kourier) or ``STRICT_DNS``.
``dns-lookup-family``
    ``V4_PREFERRED`` (default), ``V4_ONLY``, ``V6_ONLY``, ``AUTO`` or ``ALL``.
``http-option-redirect``
    ``true`` (default): ``httpOption: Redirected`` answers plain HTTP with a 301 to
    https when the ingress has TLS. ``false`` serves plain HTTP anyway (Kourier's
    ``KOURIER_HTTPOPTION_DISABLED``).
``public-ip`` / ``private-ip``
    The address published in the ingress's public / private load balancer status
    (default ``127.0.0.1``: the local gateway). Empty omits it.
``public-domain-internal`` / ``private-domain-internal``
    An optional in-cluster DNS name of the gateway Service, published as
    ``domainInternal``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from kingress import LoadBalancerIngressStatus, LoadBalancerStatus, TranslationError

_DURATION = re.compile(r"^\d+(\.\d+)?s$")
_TRUE = frozenset({"true", "yes", "1", "on", "enabled"})
_FALSE = frozenset({"false", "no", "0", "off", "disabled"})
_E = TypeVar("_E", bound=StrEnum)


class DNSType(StrEnum):
    """Envoy cluster discovery types usable for ExternalName Services."""

    LOGICAL_DNS = "LOGICAL_DNS"
    STRICT_DNS = "STRICT_DNS"


class DNSLookupFamily(StrEnum):
    """Envoy's ``dns_lookup_family`` values."""

    V4_PREFERRED = "V4_PREFERRED"
    V4_ONLY = "V4_ONLY"
    V6_ONLY = "V6_ONLY"
    AUTO = "AUTO"
    ALL = "ALL"


@dataclass(frozen=True, slots=True, kw_only=True)
class EnvoyConfig:
    """Everything the translation reads from the backend's config map."""

    connect_timeout: str = "5s"
    external_name_dns_type: DNSType = DNSType.LOGICAL_DNS
    dns_lookup_family: DNSLookupFamily = DNSLookupFamily.V4_PREFERRED
    http_option_redirect: bool = True
    public_ip: str = "127.0.0.1"
    private_ip: str = "127.0.0.1"
    public_domain_internal: str = ""
    private_domain_internal: str = ""

    @classmethod
    def from_data(cls, data: Mapping[str, str]) -> EnvoyConfig:
        """Parse the config map's data; bad values raise ``TranslationError`` naming the key."""
        known = {
            "connect-timeout",
            "external-name-dns-type",
            "dns-lookup-family",
            "http-option-redirect",
            "public-ip",
            "private-ip",
            "public-domain-internal",
            "private-domain-internal",
        }
        unknown = sorted(set(data) - known)
        if unknown:
            raise TranslationError(
                f"config: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(known))})",
                reason="InvalidConfig",
            )
        timeout = data.get("connect-timeout", "5s").strip()
        if not _DURATION.match(timeout):
            raise TranslationError(
                f"config: connect-timeout: {timeout!r} is not a duration in seconds like '5s'",
                reason="InvalidConfig",
            )
        return cls(
            connect_timeout=timeout,
            external_name_dns_type=_enum(DNSType, data, "external-name-dns-type", "LOGICAL_DNS"),
            dns_lookup_family=_enum(DNSLookupFamily, data, "dns-lookup-family", "V4_PREFERRED"),
            http_option_redirect=_bool(data, "http-option-redirect", default=True),
            public_ip=data.get("public-ip", "127.0.0.1").strip(),
            private_ip=data.get("private-ip", "127.0.0.1").strip(),
            public_domain_internal=data.get("public-domain-internal", "").strip(),
            private_domain_internal=data.get("private-domain-internal", "").strip(),
        )

    def load_balancer(self, *, private: bool) -> LoadBalancerStatus:
        """The load balancer status of the public or private gateway."""
        ip = self.private_ip if private else self.public_ip
        domain = self.private_domain_internal if private else self.public_domain_internal
        if not ip and not domain:
            return LoadBalancerStatus()
        return LoadBalancerStatus(
            ingress=(LoadBalancerIngressStatus(ip=ip or None, domain_internal=domain or None),)
        )


def _enum(kind: type[_E], data: Mapping[str, str], key: str, default: str) -> _E:
    value = data.get(key, default).strip().upper()
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise TranslationError(
            f"config: {key}: {value!r} is not one of {allowed}", reason="InvalidConfig"
        ) from None


def _bool(data: Mapping[str, str], key: str, *, default: bool) -> bool:
    raw = data.get(key)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise TranslationError(f"config: {key}: {raw!r} is not a boolean", reason="InvalidConfig")
