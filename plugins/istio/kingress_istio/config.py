"""The Istio backend's configuration: which gateways serve which visibility.

Parsed from the backend's config map data (``TranslateContext.config``) into a
frozen ``IstioConfig``. Every key is optional; the defaults are Knative's
stock Istio install:

==============================  ==============================================================
key                             default
==============================  ==============================================================
``external-gateway``            ``knative-serving/knative-ingress-gateway``
``external-gateway-service``    ``istio-ingressgateway.istio-system.svc.<cluster-domain>``
``external-gateway-selector``   ``istio=ingressgateway``
``local-gateway``               ``knative-serving/knative-local-gateway``
``local-gateway-service``       ``knative-local-gateway.istio-system.svc.<cluster-domain>``
==============================  ==============================================================

Gateways are ``<namespace>/<name>`` of an Istio ``Gateway``; services are the
DNS name of the Kubernetes Service in front of the gateway pods (published as
the ingress's load balancer ``domainInternal``); the selector (``k=v,k2=v2``)
picks the external gateway pods for the per-ingress TLS ``Gateway``. Keys
starting with ``_`` (Knative's ``_example``) are ignored; any other key is an
error, so a typo or a net-istio ``config-istio`` key is never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from kingress import TranslationError

# A DNS-1123 label: what Istio requires of Gateway and namespace names.
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
# A label key (optional DNS prefix, then a name) and a label value.
_LABEL_KEY = re.compile(
    r"([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
)
_LABEL_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?")

#: Knative's system namespace, where its shared Istio Gateways live.
KNATIVE_NAMESPACE = "knative-serving"
#: Where Istio's gateway Deployments and Services run in a stock install.
ISTIO_NAMESPACE = "istio-system"


class ConfigKey(StrEnum):
    """The keys this backend reads from its config map."""

    EXTERNAL_GATEWAY = "external-gateway"
    EXTERNAL_GATEWAY_SERVICE = "external-gateway-service"
    EXTERNAL_GATEWAY_SELECTOR = "external-gateway-selector"
    LOCAL_GATEWAY = "local-gateway"
    LOCAL_GATEWAY_SERVICE = "local-gateway-service"


#: net-istio ``config-istio`` keys (and key prefixes) that look like ours but are not read.
_NET_ISTIO_KEYS = ("external-gateways", "local-gateways")
_NET_ISTIO_PREFIXES = ("gateway.", "local-gateway.")


class ConfigError(TranslationError):
    """The backend's config map holds a value it cannot use; the message names the key."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"istio backend config {key!r}: {message}", reason="InvalidConfiguration")
        self.key = key


@dataclass(frozen=True, slots=True, kw_only=True)
class GatewayRef:
    """An Istio ``Gateway`` by namespace and name."""

    namespace: str
    name: str

    @property
    def qualified(self) -> str:
        """``<namespace>/<name>``, the form VirtualServices reference gateways by."""
        return f"{self.namespace}/{self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class IstioConfig:
    """Which gateways serve ExternalIP and ClusterLocal rules, and how to reach them."""

    #: Shared gateway for ExternalIP rules.
    external_gateway: GatewayRef
    #: DNS name of the Service in front of the external gateway pods (public load balancer).
    external_service: str
    #: Labels of the external gateway pods; the per-ingress TLS Gateway selects them.
    external_selector: tuple[tuple[str, str], ...]
    #: Shared gateway for ClusterLocal rules.
    local_gateway: GatewayRef
    #: DNS name of the Service in front of the local gateway pods (private load balancer).
    local_service: str

    @property
    def credential_namespace(self) -> str:
        """Where the external gateway pods run, so where Istio reads TLS secrets from.

        Istio resolves a server's ``credentialName`` in the namespace of the
        gateway workload, which we take from the external gateway Service.
        """
        return self.external_service.split(".")[1]

    @classmethod
    def default(cls, cluster_domain: str = "cluster.local") -> IstioConfig:
        """Knative's stock Istio install."""
        return cls.from_data({}, cluster_domain)

    @classmethod
    def from_data(cls, data: Mapping[str, str], cluster_domain: str) -> IstioConfig:
        """Parse config map data; missing keys take their defaults, bad values raise."""
        _reject_unknown_keys(data)

        def value(key: ConfigKey, default: str) -> str:
            raw = data.get(key)
            return default if raw is None or not raw.strip() else raw.strip()

        return cls(
            external_gateway=_gateway(
                ConfigKey.EXTERNAL_GATEWAY,
                value(ConfigKey.EXTERNAL_GATEWAY, f"{KNATIVE_NAMESPACE}/knative-ingress-gateway"),
            ),
            external_service=_service(
                ConfigKey.EXTERNAL_GATEWAY_SERVICE,
                value(
                    ConfigKey.EXTERNAL_GATEWAY_SERVICE,
                    f"istio-ingressgateway.{ISTIO_NAMESPACE}.svc.{cluster_domain}",
                ),
            ),
            external_selector=_selector(
                ConfigKey.EXTERNAL_GATEWAY_SELECTOR,
                value(ConfigKey.EXTERNAL_GATEWAY_SELECTOR, "istio=ingressgateway"),
            ),
            local_gateway=_gateway(
                ConfigKey.LOCAL_GATEWAY,
                value(ConfigKey.LOCAL_GATEWAY, f"{KNATIVE_NAMESPACE}/knative-local-gateway"),
            ),
            local_service=_service(
                ConfigKey.LOCAL_GATEWAY_SERVICE,
                value(
                    ConfigKey.LOCAL_GATEWAY_SERVICE,
                    f"knative-local-gateway.{ISTIO_NAMESPACE}.svc.{cluster_domain}",
                ),
            ),
        )


def _reject_unknown_keys(data: Mapping[str, str]) -> None:
    known = set(ConfigKey)
    for key in sorted(data):
        if key in known or key.startswith("_"):
            continue
        if key in _NET_ISTIO_KEYS or key.startswith(_NET_ISTIO_PREFIXES):
            raise ConfigError(
                key,
                "net-istio's config-istio format is not read; set "
                + ", ".join(sorted(known))
                + " instead",
            )
        raise ConfigError(key, "unknown key; known keys are " + ", ".join(sorted(known)))


def _gateway(key: ConfigKey, raw: str) -> GatewayRef:
    namespace, slash, name = raw.partition("/")
    if not slash or not _DNS_LABEL.fullmatch(namespace) or not _DNS_LABEL.fullmatch(name):
        raise ConfigError(key, f"{raw!r} is not <namespace>/<name> with both parts DNS-1123 labels")
    return GatewayRef(namespace=namespace, name=name)


def _service(key: ConfigKey, raw: str) -> str:
    host = raw.removesuffix(".")
    labels = host.split(".")
    if len(host) > 253 or len(labels) < 2 or not all(_DNS_LABEL.fullmatch(p) for p in labels):
        raise ConfigError(
            key, f"{raw!r} is not a Service DNS name <name>.<namespace>[.svc.<cluster-domain>]"
        )
    return host


def _selector(key: ConfigKey, raw: str) -> tuple[tuple[str, str], ...]:
    pairs: dict[str, str] = {}
    for item in raw.split(","):
        label, equals, label_value = (part.strip() for part in item.partition("="))
        if not equals or not _LABEL_KEY.fullmatch(label) or not _LABEL_VALUE.fullmatch(label_value):
            raise ConfigError(key, f"{item.strip()!r} is not a label pair <key>=<value>")
        if label in pairs:
            raise ConfigError(key, f"label {label!r} is given twice")
        pairs[label] = label_value
    return tuple(sorted(pairs.items()))
