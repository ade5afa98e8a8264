"""The backend's configuration (its ``config-contour`` ConfigMap), parsed and checked.

Two Contour installations serve a ClusterIngress: the external one (class
``contour-external``, Envoy Service ``contour-external/envoy``) for
``ExternalIP`` rules and the internal one (``contour-internal``,
``contour-internal/envoy``) for ``ClusterLocal`` rules. Keys:

``external-class`` / ``internal-class``
    Contour ingress class of each installation.
``external-service`` / ``internal-service``
    ``namespace/name`` of each installation's Envoy Service; published as the
    ClusterIngress's public / private load balancer
    (``domainInternal: <name>.<namespace>.svc.<cluster domain>``).
``visibility``
    net-contour's YAML form of the four keys above (``ExternalIP`` and
    ``ClusterLocal``, each with ``class`` and ``service``); may not be combined
    with them.
``timeout-policy-idle``
    Contour's per-route idle timeout (a Go duration or ``infinity``; default
    ``infinity``).
``timeout-policy-response``
    Only ``infinity`` is accepted: the routing contract forbids a route timeout.

Other keys (``_example`` and the like) are ignored. Bad values raise
``ConfigError`` naming the key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import yaml

from kingress import Visibility
from kingress_contour.constants import DURATION_PATTERN, NO_TIMEOUT

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DURATION = re.compile(DURATION_PATTERN)


class ConfigKey(StrEnum):
    """The ConfigMap keys the backend reads."""

    EXTERNAL_CLASS = "external-class"
    INTERNAL_CLASS = "internal-class"
    EXTERNAL_SERVICE = "external-service"
    INTERNAL_SERVICE = "internal-service"
    VISIBILITY = "visibility"
    TIMEOUT_POLICY_IDLE = "timeout-policy-idle"
    TIMEOUT_POLICY_RESPONSE = "timeout-policy-response"


class ConfigError(ValueError):
    """A configuration value the backend cannot use; the message names the key."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceRef:
    """A Kubernetes Service by namespace and name."""

    namespace: str
    name: str

    @classmethod
    def parse(cls, text: str, key: str) -> ServiceRef:
        """Parse ``namespace/name``."""
        namespace, sep, name = text.strip().partition("/")
        if not sep or not _DNS_LABEL.match(namespace) or not _DNS_LABEL.match(name):
            raise ConfigError(f"{key}: {text!r} is not a Service reference 'namespace/name'")
        return cls(namespace=namespace, name=name)

    def domain(self, cluster_domain: str) -> str:
        """The Service's cluster DNS name."""
        return f"{self.name}.{self.namespace}.svc.{cluster_domain}"

    def __str__(self) -> str:
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Gateway:
    """One Contour installation: its ingress class and its Envoy Service."""

    ingress_class: str
    service: ServiceRef


def _default_external() -> Gateway:
    return Gateway(
        ingress_class="contour-external",
        service=ServiceRef(namespace="contour-external", name="envoy"),
    )


def _default_internal() -> Gateway:
    return Gateway(
        ingress_class="contour-internal",
        service=ServiceRef(namespace="contour-internal", name="envoy"),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ContourConfig:
    """Everything configurable about the Contour backend, with defaults."""

    external: Gateway = field(default_factory=_default_external)
    internal: Gateway = field(default_factory=_default_internal)
    #: ``timeoutPolicy.idle`` of every route.
    idle_timeout: str = NO_TIMEOUT

    def gateway(self, visibility: Visibility) -> Gateway:
        """The installation serving rules of a visibility."""
        return self.internal if visibility == Visibility.CLUSTER_LOCAL else self.external

    @classmethod
    def from_mapping(cls, data: Mapping[str, str]) -> ContourConfig:
        """Parse ConfigMap data; missing keys take their defaults."""
        external, internal = _gateways(data)
        idle = data.get(ConfigKey.TIMEOUT_POLICY_IDLE, NO_TIMEOUT).strip()
        if not _DURATION.match(idle):
            raise ConfigError(
                f"{ConfigKey.TIMEOUT_POLICY_IDLE}: {idle!r} is not a duration "
                "(e.g. '30s', '5m', 'infinity')"
            )
        response = data.get(ConfigKey.TIMEOUT_POLICY_RESPONSE)
        if response is not None and response.strip() not in ("infinity", "infinite"):
            raise ConfigError(
                f"{ConfigKey.TIMEOUT_POLICY_RESPONSE}: {response!r} is not supported: "
                "the routing contract allows no route timeout, so it is always 'infinity'"
            )
        return cls(external=external, internal=internal, idle_timeout=idle)


def _class(data: Mapping[str, str], key: ConfigKey, default: str) -> str:
    value = data.get(key, default).strip()
    if not value or any(ch.isspace() for ch in value):
        raise ConfigError(f"{key}: {value!r} is not an ingress class name")
    return value


def _gateways(data: Mapping[str, str]) -> tuple[Gateway, Gateway]:
    flat = [
        k
        for k in (
            ConfigKey.EXTERNAL_CLASS,
            ConfigKey.INTERNAL_CLASS,
            ConfigKey.EXTERNAL_SERVICE,
            ConfigKey.INTERNAL_SERVICE,
        )
        if k in data
    ]
    if ConfigKey.VISIBILITY in data:
        if flat:
            raise ConfigError(
                f"{ConfigKey.VISIBILITY}: cannot be combined with {', '.join(flat)}; use one form"
            )
        return _visibility_yaml(data[ConfigKey.VISIBILITY])
    ext, int_ = _default_external(), _default_internal()
    external = Gateway(
        ingress_class=_class(data, ConfigKey.EXTERNAL_CLASS, ext.ingress_class),
        service=ServiceRef.parse(
            data.get(ConfigKey.EXTERNAL_SERVICE, str(ext.service)), ConfigKey.EXTERNAL_SERVICE
        ),
    )
    internal = Gateway(
        ingress_class=_class(data, ConfigKey.INTERNAL_CLASS, int_.ingress_class),
        service=ServiceRef.parse(
            data.get(ConfigKey.INTERNAL_SERVICE, str(int_.service)), ConfigKey.INTERNAL_SERVICE
        ),
    )
    return external, internal


def _visibility_yaml(text: str) -> tuple[Gateway, Gateway]:
    key = ConfigKey.VISIBILITY
    try:
        parsed: Any = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{key}: not valid YAML: {error}") from error
    if not isinstance(parsed, dict):
        raise ConfigError(f"{key}: must map ExternalIP and ClusterLocal to class and service")
    unknown = sorted(str(k) for k in parsed if k not in set(Visibility))
    if unknown:
        raise ConfigError(f"{key}: unrecognized visibility {', '.join(map(repr, unknown))}")
    gateways: dict[Visibility, Gateway] = {}
    for visibility in Visibility:
        entry = parsed.get(str(visibility))
        where = f"{key}.{visibility}"
        if not isinstance(entry, dict) or "class" not in entry or "service" not in entry:
            raise ConfigError(f"{where}: must be given with 'class' and 'service'")
        ingress_class = str(entry["class"]).strip()
        if not ingress_class or any(ch.isspace() for ch in ingress_class):
            raise ConfigError(f"{where}.class: {ingress_class!r} is not an ingress class name")
        gateways[visibility] = Gateway(
            ingress_class=ingress_class,
            service=ServiceRef.parse(str(entry["service"]), f"{where}.service"),
        )
    return gateways[Visibility.EXTERNAL_IP], gateways[Visibility.CLUSTER_LOCAL]
