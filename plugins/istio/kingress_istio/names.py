"""Deterministic names of the objects made for one ClusterIngress.

VirtualServices are ``<ingress>-ingress`` and ``<ingress>-mesh`` (Kubernetes
object names, at most 253 characters); the per-ingress TLS Gateway is
``<ingress>-tls``, which Istio requires to be a DNS-1123 label (at most 63
characters, no dots). A name that would break its limit keeps a readable
prefix of the ingress name and gains a short hash of the full name, so it stays
unique and the same input always yields the same name.
"""

from __future__ import annotations

import hashlib
import re

#: Kubernetes object names (DNS-1123 subdomains).
NAME_MAX = 253
#: DNS-1123 labels (Istio Gateway names).
LABEL_MAX = 63

INGRESS_SUFFIX = "ingress"
MESH_SUFFIX = "mesh"
TLS_GATEWAY_SUFFIX = "tls"

_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
_HASH_LENGTH = 8


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:_HASH_LENGTH]


def child_name(parent: str, suffix: str, *, limit: int = NAME_MAX) -> str:
    """``<parent>-<suffix>``, shortened with a hash of ``parent`` past ``limit``."""
    name = f"{parent}-{suffix}"
    if len(name) <= limit:
        return name
    keep = limit - len(suffix) - _HASH_LENGTH - 2
    head = parent[:keep].rstrip("-.")
    return f"{head}-{_digest(parent)}-{suffix}"


def ingress_virtual_service(ingress: str) -> str:
    """The VirtualService bound to the shared (and per-ingress) gateways."""
    return child_name(ingress, INGRESS_SUFFIX)


def mesh_virtual_service(ingress: str) -> str:
    """The VirtualService for sidecars (gateway ``mesh``)."""
    return child_name(ingress, MESH_SUFFIX)


def tls_gateway(ingress: str) -> str:
    """The per-ingress Gateway holding TLS servers: always a DNS-1123 label."""
    name = f"{ingress}-{TLS_GATEWAY_SUFFIX}"
    if len(name) <= LABEL_MAX and _DNS_LABEL.fullmatch(name):
        return name
    keep = LABEL_MAX - len(TLS_GATEWAY_SUFFIX) - _HASH_LENGTH - 2
    head = re.sub(r"[^a-z0-9-]+", "-", ingress.lower())[:keep].strip("-")
    parts = [part for part in (head, _digest(ingress), TLS_GATEWAY_SUFFIX) if part]
    return "-".join(parts)
