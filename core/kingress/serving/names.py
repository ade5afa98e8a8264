"""The names of the objects the serving controllers create, as Knative names them.

A Service's Configuration and Route share its name; a Configuration's
Revisions are ``<configuration>-00001``, ``-00002``… (one per generation); a
Revision's Deployment is ``<revision>-deployment`` and its Kubernetes Service
is the revision's own name. Names that would pass Kubernetes' 63-character
limit are shortened the way Knative's ``kmeta.ChildName`` does: part of the
parent, the MD5 of the whole parent, then the suffix, so they stay unique.
"""

from __future__ import annotations

import hashlib

#: The longest name a Kubernetes label value or DNS-1035 label may have.
LONGEST = 63
_MD5_HEX_LEN = 32
_HEAD = LONGEST - _MD5_HEX_LEN


def child_name(parent: str, suffix: str) -> str:
    """``parent + suffix``, shortened with a hash of ``parent`` when too long."""
    if len(parent) + len(suffix) <= LONGEST:
        return parent + suffix
    if _HEAD - len(suffix) <= 0:
        digest = hashlib.md5((parent + suffix).encode(), usedforsecurity=False).hexdigest()
        name = parent[:_HEAD] + digest
        name += suffix[: max(0, LONGEST - len(name))]
        return name.rstrip("-.")
    digest = hashlib.md5(parent.encode(), usedforsecurity=False).hexdigest()
    return parent[: _HEAD - len(suffix)] + digest + suffix


def configuration(service: str) -> str:
    """The Configuration a Service owns."""
    return service


def route(service: str) -> str:
    """The Route a Service owns."""
    return service


def revision(configuration_name: str, generation: int) -> str:
    """The Revision a Configuration stamps for one of its generations."""
    return child_name(configuration_name, f"-{generation:05d}")


def deployment(revision_name: str) -> str:
    """The Deployment running a Revision's pods."""
    return child_name(revision_name, "-deployment")


def kubernetes_service(revision_name: str) -> str:
    """The Kubernetes Service in front of a Revision's pods."""
    return revision_name
