"""Readiness of the applied Istio objects, as far as Istio can tell us.

Istio writes no reliable "this configuration is live" signal: net-istio once
used the VirtualService ``Reconciled`` condition and removed it as broken
(net-istio #1125). The real readiness decision is the probe contract, run by
kingress's core prober against the gateway pods with the ``K-Network-Hash``
header the probe paths carry. ``check_ready`` therefore reports ready as soon
as the VirtualServices exist, and failed only when Istio's analyzers have
written ``status.validationMessages`` of level ``ERROR`` for the current
generation of one of the objects (stale messages of an older generation are
ignored, as are warnings and the ``Reconciled`` condition).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kingress import Readiness
from kingress_istio.objects import GROUP, Kind

#: ``Readiness.failed`` reason when Istio reports validation errors.
REJECTED = "IstioValidationFailed"
ERROR_LEVEL = "ERROR"


def _is_istio(obj: Mapping[str, Any], kind: Kind | None = None) -> bool:
    group = str(obj.get("apiVersion", "")).rpartition("/")[0]
    return group == GROUP and (kind is None or obj.get("kind") == kind)


def _current(obj: Mapping[str, Any]) -> bool:
    """Whether the status describes the object's current generation (unknown counts)."""
    observed = (obj.get("status") or {}).get("observedGeneration")
    generation = (obj.get("metadata") or {}).get("generation")
    if observed is None or generation is None:
        return True
    return str(observed) == str(generation)


def _describe(message: Mapping[str, Any]) -> str:
    kind = message.get("type") or {}
    parts = [str(kind.get("code", "")), str(kind.get("name", ""))]
    for key in ("description", "message"):
        if message.get(key):
            parts.append(str(message[key]))
    if message.get("documentationUrl"):
        parts.append(f"({message['documentationUrl']})")
    return " ".join(part for part in parts if part) or "unspecified error"


def validation_errors(obj: Mapping[str, Any]) -> list[str]:
    """The ERROR-level analyzer messages on an object's current status."""
    if not _current(obj):
        return []
    messages = (obj.get("status") or {}).get("validationMessages") or []
    return [
        _describe(message)
        for message in messages
        if isinstance(message, Mapping) and message.get("level") == ERROR_LEVEL
    ]


def check_ready(applied: Sequence[Mapping[str, Any]]) -> Readiness:
    """Ready once VirtualServices exist; failed if Istio reports errors on any object."""
    problems: list[str] = []
    for obj in sorted(
        (o for o in applied if _is_istio(o)),
        key=lambda o: (str(o.get("kind")), str((o.get("metadata") or {}).get("name"))),
    ):
        name = (obj.get("metadata") or {}).get("name")
        problems.extend(f"{obj.get('kind')} {name}: {error}" for error in validation_errors(obj))
    if problems:
        return Readiness.failed(REJECTED, "; ".join(problems))
    if not any(_is_istio(obj, Kind.VIRTUAL_SERVICE) for obj in applied):
        return Readiness.waiting(message="Waiting for the VirtualServices to be applied")
    return Readiness.serving()
