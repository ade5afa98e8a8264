"""Readiness: what the gateway manager writes into an EnvoyIngressConfig's status, and reads.

The gateway manager (``kingress_envoy.gateway``) knows when Envoy has accepted
a snapshot; whoever runs it writes, per EnvoyIngressConfig, either

* ``status.servedHash: <probe hash>`` once Envoy serves that version of the
  ingress (``served_status``), or
* ``status.rejectedHash: <probe hash>`` with ``reason`` and ``message`` when
  Envoy (or the assembly, e.g. a host conflict or a missing Secret) refused it
  (``rejected_status``).

``readiness`` turns that back into the core's ``Readiness``: serving when the
served hash is this ingress's current probe hash, failed with the message when
that hash was rejected, waiting otherwise (including a stale object whose spec
is an older version).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kingress import ClusterIngress, Readiness
from kingress_envoy.names import API_VERSION, KIND, config_name
from kingress_envoy.resources import probe_hash

SERVED_HASH = "servedHash"
REJECTED_HASH = "rejectedHash"
SNAPSHOT_VERSION = "snapshotVersion"


def served_status(hash_: str, snapshot_version: str = "") -> dict[str, Any]:
    """Status for a config Envoy serves."""
    status: dict[str, Any] = {SERVED_HASH: hash_}
    if snapshot_version:
        status[SNAPSHOT_VERSION] = snapshot_version
    return status


def rejected_status(
    hash_: str, reason: str, message: str, *, served_hash: str = ""
) -> dict[str, Any]:
    """Status for a config that was refused; ``served_hash`` is what still serves, if any."""
    status: dict[str, Any] = {REJECTED_HASH: hash_, "reason": reason, "message": message}
    if served_hash:
        status[SERVED_HASH] = served_hash
    return status


def find_config(ingress: ClusterIngress, applied: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The applied EnvoyIngressConfig of ``ingress``, or an empty mapping."""
    name = config_name(ingress.metadata.name)
    namespace = ingress.metadata.namespace or "default"
    for obj in applied:
        meta = obj.get("metadata") or {}
        if (
            obj.get("kind") == KIND
            and str(obj.get("apiVersion", API_VERSION)) == API_VERSION
            and meta.get("name") == name
            and (meta.get("namespace") or "default") == namespace
        ):
            return obj
    return {}


def readiness(ingress: ClusterIngress, applied: Sequence[Mapping[str, Any]]) -> Readiness:
    """Whether the gateway serves this version of the ingress (see the module docstring)."""
    obj = find_config(ingress, applied)
    if not obj:
        return Readiness.waiting("Uninitialized", f"Waiting for {KIND} to be created")
    expected = probe_hash(ingress)
    spec_hash = (obj.get("spec") or {}).get("probeHash")
    if spec_hash != expected:
        return Readiness.waiting("Uninitialized", f"Waiting for {KIND} to be updated")
    status = obj.get("status") or {}
    if status.get(REJECTED_HASH) == expected:
        return Readiness.failed(
            str(status.get("reason") or "GatewayRejected"),
            str(status.get("message") or "Envoy rejected the configuration"),
        )
    if status.get(SERVED_HASH) == expected:
        return Readiness.serving()
    return Readiness.waiting("Uninitialized", "Waiting for Envoy to serve the configuration")
