"""Deterministic names: the kingress-owned kind, Envoy clusters, virtual hosts, listeners.

Everything the backend emits is named from the ClusterIngress alone, so a
re-translation yields the same names and an update of one ingress touches only
its own fragment. Kubernetes names stay within 253 characters (the ingress's
own name already does); Envoy names have no practical limit but are kept short
and readable (``<namespace>/<service>:<port>`` for clusters).
"""

from __future__ import annotations

import hashlib
from enum import StrEnum
from pathlib import Path

#: The group and version of the kingress-owned kind this backend emits.
GROUP = "gateway.kingress.dev"
API_VERSION = f"{GROUP}/v1alpha1"
#: One object of this kind per ClusterIngress: that ingress's Envoy fragments.
KIND = "EnvoyIngressConfig"

#: The CustomResourceDefinition of that kind (to install on a cluster).
CRD_FILE = Path(__file__).parent / "crds" / "envoyingressconfigs.gateway.kingress.dev.yaml"

#: Kubernetes limits.
MAX_NAME = 253
MAX_LABEL_VALUE = 63


class ListenerName(StrEnum):
    """The four listeners (and their route configurations) of the gateway."""

    PUBLIC_HTTP = "public_http"
    PUBLIC_HTTPS = "public_https"
    PRIVATE_HTTP = "private_http"
    PRIVATE_HTTPS = "private_https"

    @property
    def is_tls(self) -> bool:
        """Whether the listener terminates TLS."""
        return self in (ListenerName.PUBLIC_HTTPS, ListenerName.PRIVATE_HTTPS)

    @property
    def is_public(self) -> bool:
        """Whether the listener is the public (ExternalIP) gateway."""
        return self in (ListenerName.PUBLIC_HTTP, ListenerName.PUBLIC_HTTPS)


#: Every listener, in declaration order (iterating the enum itself is several times slower,
#: and assembly walks the listeners once per ingress).
LISTENERS: tuple[ListenerName, ...] = tuple(ListenerName)


class TLSListener(StrEnum):
    """Which HTTPS listener a TLS entry's filter chain belongs to."""

    PUBLIC = "public"
    PRIVATE = "private"

    @property
    def listener(self) -> ListenerName:
        """The HTTPS listener of this side."""
        return (
            ListenerName.PUBLIC_HTTPS if self is TLSListener.PUBLIC else ListenerName.PRIVATE_HTTPS
        )


def shorten(name: str, limit: int) -> str:
    """``name`` if it fits in ``limit``, else a prefix plus an 8-hex-digit hash of the whole."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: limit - 9].rstrip('-.')}-{digest}"


def config_name(ingress_name: str) -> str:
    """The EnvoyIngressConfig's name: the ingress's name (shortened only if ever too long)."""
    return shorten(ingress_name, MAX_NAME)


def label_value(value: str) -> str:
    """A value that fits in a label (63 characters)."""
    return shorten(value, MAX_LABEL_VALUE)


def ingress_key(namespace: str, name: str) -> str:
    """``namespace/name``: how snapshots and results refer to one ingress."""
    return f"{namespace}/{name}"


def cluster_name(namespace: str, service: str, port: int | str) -> str:
    """One Envoy cluster per Service and port: ``<namespace>/<service>:<port>``."""
    return f"{namespace}/{service}:{port}"


def virtual_host_name(namespace: str, ingress: str, rule_index: int) -> str:
    """A virtual host per rule, unique within a route configuration."""
    return f"{namespace}/{ingress}/rules/{rule_index}"


def secret_ref(namespace: str, name: str) -> str:
    """How a fragment refers to a TLS Secret: ``namespace/name``."""
    return f"{namespace}/{name}"
