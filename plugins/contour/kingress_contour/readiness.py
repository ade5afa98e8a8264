"""Readiness from what Contour wrote on the HTTPProxies (pure).

Contour sets ``status.currentStatus`` on every HTTPProxy it processes:
``valid`` (serving), ``invalid`` (rejected; ``status.description`` and the
``Valid`` condition's ``errors`` say why) or ``orphaned`` (a child nobody
includes; never expected for our roots, so it is a failure too). Before Contour
has looked at an object the status is absent or ``NotReconciled``. A status
whose ``Valid`` condition was observed for an older ``metadata.generation`` is
stale and counts as not reconciled yet.

Verdict: any invalid or orphaned proxy → failed (reason ``HTTPProxyInvalid`` /
``HTTPProxyOrphaned``, the message naming each proxy with Contour's words);
else any proxy not reconciled, or no proxy at all → waiting; else ready.
TLSCertificateDelegations carry no status and are not looked at.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from kingress import Readiness
from kingress_contour.constants import HTTPPROXY_KIND, ProxyStatus

_FAILED_REASONS: dict[str, str] = {
    ProxyStatus.INVALID: "HTTPProxyInvalid",
    ProxyStatus.ORPHANED: "HTTPProxyOrphaned",
}


def _valid_condition(status: Mapping[str, Any]) -> Mapping[str, Any] | None:
    return next(
        (
            c
            for c in status.get("conditions") or ()
            if isinstance(c, dict) and c.get("type") == "Valid"
        ),
        None,
    )


def _is_stale(obj: Mapping[str, Any], status: Mapping[str, Any]) -> bool:
    generation = (obj.get("metadata") or {}).get("generation")
    condition = _valid_condition(status)
    observed = condition.get("observedGeneration") if condition else None
    return isinstance(generation, int) and isinstance(observed, int) and observed < generation


def _why(status: Mapping[str, Any]) -> str:
    parts = [str(status.get("description") or "").strip()]
    condition = _valid_condition(status)
    for error in (condition or {}).get("errors") or ():
        reason, message = error.get("reason", ""), error.get("message", "")
        parts.append(f"{reason}: {message}" if reason else str(message))
    return "; ".join(part for part in parts if part) or "no reason given"


def _label(obj: Mapping[str, Any]) -> str:
    meta = obj.get("metadata") or {}
    fqdn = ((obj.get("spec") or {}).get("virtualhost") or {}).get("fqdn")
    name = f"{meta.get('namespace', '')}/{meta.get('name', '')}"
    return f"HTTPProxy {name}" + (f" ({fqdn})" if fqdn else "")


def proxies_readiness(applied: Sequence[Mapping[str, Any]]) -> Readiness:
    """The verdict over every HTTPProxy in ``applied``."""
    proxies = sorted(
        (obj for obj in applied if obj.get("kind") == HTTPPROXY_KIND),
        key=lambda obj: (
            str((obj.get("metadata") or {}).get("namespace", "")),
            str((obj.get("metadata") or {}).get("name", "")),
        ),
    )
    if not proxies:
        return Readiness.waiting("HTTPProxyMissing", "No HTTPProxy has been applied yet")
    failures: list[tuple[str, str]] = []
    pending: list[str] = []
    for obj in proxies:
        status = obj.get("status") or {}
        current = str(status.get("currentStatus") or ProxyStatus.NOT_RECONCILED)
        if _is_stale(obj, status):
            pending.append(f"{_label(obj)} (status is for an older generation)")
        elif current in _FAILED_REASONS:
            failures.append(
                (_FAILED_REASONS[current], f"{_label(obj)} is {current}: {_why(status)}")
            )
        elif current != ProxyStatus.VALID:
            pending.append(f"{_label(obj)} ({current})")
    if failures:
        return Readiness.failed(failures[0][0], "; ".join(message for _, message in failures))
    if pending:
        return Readiness.waiting(
            "HTTPProxyNotReconciled", "Waiting for Contour to accept " + ", ".join(pending)
        )
    return Readiness.serving()
