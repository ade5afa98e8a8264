"""Deterministic object names within Kubernetes' limits.

Every name is ``<readable part>-<hash>``: the readable part says what the object
is for (ingress name and host, or ingress and secret), the hash of the full
identity makes the name unique even when the readable part is cut to fit, and
even when two different identities would join to the same text (``a-b`` +
``c.com`` versus ``a`` + ``b-c.com``). Names are kept to 63 characters (a DNS
label's length) although HTTPProxy names may be longer, so they also fit label
values and every tool's column.
"""

from __future__ import annotations

import hashlib
import re

#: The longest name emitted.
MAX_NAME_LENGTH = 63
#: Hex digits of the identity hash appended to every name.
HASH_LENGTH = 10

_INVALID = re.compile(r"[^a-z0-9.-]+")


def identity_hash(*parts: str) -> str:
    """Short hex SHA-256 of the parts (NUL-separated, so part boundaries count)."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:HASH_LENGTH]


def child_name(readable: str, *identity: str) -> str:
    """``readable`` made name-safe and cut to fit, then ``-`` and the identity hash.

    ``identity`` defaults to ``readable`` itself; pass the exact parts that make
    the object unique (e.g. ingress name, visibility, host).
    """
    suffix = identity_hash(*(identity or (readable,)))
    head = _INVALID.sub("-", readable.lower())
    head = head[: MAX_NAME_LENGTH - HASH_LENGTH - 1].strip(".-")
    return f"{head}-{suffix}" if head else suffix


def proxy_name(ingress_name: str, visibility: str, fqdn: str) -> str:
    """The root HTTPProxy of one host of one visibility of an ingress."""
    return child_name(f"{ingress_name}-{fqdn}", ingress_name, visibility, fqdn)


def delegation_name(ingress_namespace: str, ingress_name: str, secret_namespace: str) -> str:
    """The TLSCertificateDelegation (in ``secret_namespace``) serving one ingress."""
    return child_name(
        f"{ingress_namespace}-{ingress_name}", ingress_namespace, ingress_name, secret_namespace
    )
