"""The NGINX backends' configuration, parsed from their config map's data.

Both backends read the same keys (each from its own config map); only the
default load-balancer Services differ. Unknown keys (Knative's ``_example``
included) are ignored; a bad value is a ``TranslationError`` naming the key.

| key | default | meaning |
| --- | --- | --- |
| ``ingress-class`` | ``nginx`` | ``ingressClassName`` of ExternalIP objects |
| ``internal-ingress-class`` | ``nginx-internal`` | ``ingressClassName`` of ClusterLocal objects |
| ``public-load-balancer`` | per backend | DNS name of the public controller's Service |
| ``private-load-balancer`` | per backend | DNS name of the internal controller's Service |
| ``proxy-timeout`` | ``3600`` | upstream read/send timeout in seconds ("no timeout") |
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from kingress import TranslationError, Visibility

INGRESS_CLASS_KEY = "ingress-class"
INTERNAL_INGRESS_CLASS_KEY = "internal-ingress-class"
PUBLIC_LB_KEY = "public-load-balancer"
PRIVATE_LB_KEY = "private-load-balancer"
PROXY_TIMEOUT_KEY = "proxy-timeout"

DEFAULT_INGRESS_CLASS = "nginx"
DEFAULT_INTERNAL_INGRESS_CLASS = "nginx-internal"
DEFAULT_PROXY_TIMEOUT = 3600
#: NGINX keeps timeouts in milliseconds; stay well inside a signed 32-bit value.
MAX_PROXY_TIMEOUT = 2_147_483

_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")


@dataclass(frozen=True, slots=True, kw_only=True)
class LoadBalancerDefaults:
    """A backend's default controller Services, as ``<name>.<namespace>``."""

    public_service: str
    private_service: str


#: F5 NGINX Ingress Controller, installed twice (public and internal).
NGINX_DEFAULTS = LoadBalancerDefaults(
    public_service="nginx-ingress.nginx-ingress",
    private_service="nginx-ingress-internal.nginx-ingress",
)
#: ingress-nginx, installed twice (public and internal).
INGRESS_NGINX_DEFAULTS = LoadBalancerDefaults(
    public_service="ingress-nginx-controller.ingress-nginx",
    private_service="ingress-nginx-internal-controller.ingress-nginx",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class NginxConfig:
    """What the translators need from the config map, with defaults applied."""

    ingress_class: str = DEFAULT_INGRESS_CLASS
    internal_ingress_class: str = DEFAULT_INTERNAL_INGRESS_CLASS
    public_load_balancer: str
    private_load_balancer: str
    proxy_timeout: int = DEFAULT_PROXY_TIMEOUT

    def class_for(self, visibility: Visibility) -> str:
        """The ``ingressClassName`` for objects of a rule with ``visibility``."""
        if visibility == Visibility.CLUSTER_LOCAL:
            return self.internal_ingress_class
        return self.ingress_class


def _error(key: str, message: str) -> TranslationError:
    return TranslationError(f"config {key!r}: {message}", reason="InvalidConfig")


def _dns_name(data: Mapping[str, str], key: str, default: str) -> str:
    value = data.get(key, "").strip() or default
    if len(value) > 253 or not _SUBDOMAIN.fullmatch(value):
        raise _error(key, f"{value!r} is not a lowercase DNS name")
    return value


def _timeout(data: Mapping[str, str]) -> int:
    raw = data.get(PROXY_TIMEOUT_KEY, "").strip()
    if not raw:
        return DEFAULT_PROXY_TIMEOUT
    digits = raw.removesuffix("s")
    if not digits.isdigit() or not 1 <= int(digits) <= MAX_PROXY_TIMEOUT:
        raise _error(
            PROXY_TIMEOUT_KEY, f"{raw!r} is not a number of seconds in 1..{MAX_PROXY_TIMEOUT}"
        )
    return int(digits)


def parse_config(
    data: Mapping[str, str], *, cluster_domain: str, defaults: LoadBalancerDefaults
) -> NginxConfig:
    """The configuration in ``data``; defaults fill what is absent or empty."""
    public_class = _dns_name(data, INGRESS_CLASS_KEY, DEFAULT_INGRESS_CLASS)
    internal_class = _dns_name(data, INTERNAL_INGRESS_CLASS_KEY, DEFAULT_INTERNAL_INGRESS_CLASS)
    if public_class == internal_class:
        raise _error(
            INTERNAL_INGRESS_CLASS_KEY,
            f"must differ from {INGRESS_CLASS_KEY!r} ({public_class!r}), "
            "or cluster-local hosts would be served by the public controller",
        )
    return NginxConfig(
        ingress_class=public_class,
        internal_ingress_class=internal_class,
        public_load_balancer=_dns_name(
            data, PUBLIC_LB_KEY, f"{defaults.public_service}.svc.{cluster_domain}"
        ),
        private_load_balancer=_dns_name(
            data, PRIVATE_LB_KEY, f"{defaults.private_service}.svc.{cluster_domain}"
        ),
        proxy_timeout=_timeout(data),
    )
