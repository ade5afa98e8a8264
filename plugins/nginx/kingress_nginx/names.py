"""Deterministic names for everything the NGINX backends create, within Kubernetes' limits.

Object names are RFC 1123 subdomains (at most 253 characters); Service names,
VirtualServer upstream names and label values are 63-character labels. A name
that would be longer keeps a readable head and ends in a hash of the whole
name, so it stays unique and stable for the same input.
"""

from __future__ import annotations

import hashlib

from kingress import Visibility

LABEL_LIMIT = 63
NAME_LIMIT = 253
_HASH_LENGTH = 8


def digest(*parts: str) -> str:
    """A short, stable hex digest of ``parts`` (joined unambiguously)."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:_HASH_LENGTH]


def shorten(name: str, limit: int) -> str:
    """``name`` if it fits ``limit``, else a head of it plus ``-<hash of name>``."""
    if len(name) <= limit:
        return name
    head = name[: limit - _HASH_LENGTH - 1].rstrip("-.")
    return f"{head}-{digest(name)}"


def dns_label(name: str) -> str:
    """An RFC 1035 label (a Service or upstream name): starts with a letter, <= 63 chars."""
    name = name.replace(".", "-")
    if not name[:1].isalpha():
        name = f"k-{name}"
    return shorten(name, LABEL_LIMIT)


def object_name(name: str) -> str:
    """An RFC 1123 subdomain of at most 253 characters."""
    return shorten(name, NAME_LIMIT)


def virtual_server(ingress: str, host: str, visibility: Visibility) -> str:
    """The VirtualServer serving ``host``; cluster-local ones end in ``-local``."""
    suffix = "-local" if visibility == Visibility.CLUSTER_LOCAL else ""
    return object_name(f"{ingress}-{host}{suffix}")


def upstream(service: str, port: int) -> str:
    """A VirtualServer upstream for a Service port."""
    return dns_label(f"{service}-{port}")


def route_key(visibility: Visibility, hosts: tuple[str, ...], location: str) -> str:
    """A stable key for one location of one rule (used in ingress-nginx names)."""
    return digest(str(visibility), ",".join(hosts), location)


def primary_ingress(ingress: str, key: str) -> str:
    """The Ingress carrying a location's primary backend."""
    return object_name(f"{ingress}-{key}")


def canary_ingress(ingress: str, key: str) -> str:
    """The canary Ingress of a location."""
    return object_name(f"{ingress}-{key}-canary")


def route_service(ingress: str, key: str, role: str) -> str:
    """The dedicated Service of a location's ``primary`` or ``alternative`` (canary) backend."""
    return dns_label(f"{ingress}-{key}-{role}")
