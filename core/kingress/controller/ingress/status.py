"""The ClusterIngress status the reconciler writes: conditions, load balancers, applied kinds.

Pure functions from one ``IngressStatus`` to the next, over Knative's living
condition set (``Ready`` = ``NetworkConfigured`` ∧ ``LoadBalancerReady``). A
condition keeps its ``lastTransitionTime`` while its state does not change, so
reconciling twice yields an equal status and nothing is written.

``status.annotations[applied-kinds]`` records every kind the controller has
applied for the ingress (``ConfigMap,VirtualService.networking.istio.io``), so
stale objects of a kind no backend returns any more — after a class change,
say — are still found and deleted. It lives in status, which only this
controller writes, so it never fights the Route reconciler over metadata.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from kingress.api.ingress import (
    INGRESS_CONDITIONS,
    LOAD_BALANCER_READY,
    NETWORK_CONFIGURED,
    IngressStatus,
)
from kingress.backends import Readiness, Translation
from kingress.cluster.port import Kind
from kingress.ingress.pipeline import TRANSLATION_FAILED, TRANSLATION_TIMEOUT

#: Status annotation listing every kind applied for the ingress (comma-separated, sorted).
APPLIED_KINDS = "networking.internal.knative.dev/applied-kinds"


class Reason(StrEnum):
    """Condition reasons set by the core (backends add their own through ``Readiness``)."""

    #: ``NetworkConfigured=False``: the spec is invalid; the message is Knative's.
    VALIDATION_FAILED = "ValidationFailed"
    #: ``NetworkConfigured=False``: the backend raised, or returned invalid objects.
    TRANSLATION_FAILED = TRANSLATION_FAILED
    #: ``NetworkConfigured=False``: the backend raised ``NotSupported`` (a feature it lacks).
    NOT_SUPPORTED = "NotSupported"
    #: ``NetworkConfigured=False``: an object with a wanted name exists and is not ours.
    NOT_OWNED = "NotOwned"
    #: ``NetworkConfigured=False``: the API refused a write (retried); ``Unknown`` when
    #: the refusal may pass (a conflict, a server error), as Knative's ``MarkIngressNotReady``.
    RECONCILE_FAILED = "ReconcileIngressFailed"
    #: ``LoadBalancerReady=Unknown``: the gateway has not taken the configuration yet.
    UNINITIALIZED = "Uninitialized"
    #: ``LoadBalancerReady=False``: the backend's ``check_ready`` raised or returned garbage.
    READINESS_CHECK_FAILED = "ReadinessCheckFailed"
    #: ``NetworkConfigured=False``: ``translate`` ran past its deadline (or earlier calls
    #: still run); retried later.
    TRANSLATION_TIMEOUT = TRANSLATION_TIMEOUT
    #: ``LoadBalancerReady=False``: ``check_ready`` ran past its deadline; retried later.
    READINESS_CHECK_TIMEOUT = "ReadinessCheckTimeout"
    #: ``NetworkConfigured=False``: a host of the ingress belongs to another ingress.
    DOMAIN_CONFLICT = "DomainConflict"


def applied_kinds(status: IngressStatus) -> frozenset[Kind]:
    """The kinds recorded as applied for the ingress."""
    recorded = status.annotations.get(APPLIED_KINDS, "")
    kinds = set()
    for item in recorded.split(","):
        kind, _, group = item.strip().partition(".")
        if kind:
            kinds.add(Kind(group, kind))
    return frozenset(kinds)


def record_applied_kinds(status: IngressStatus, kinds: Iterable[Kind]) -> IngressStatus:
    """``status`` recording exactly ``kinds`` as applied (the annotation dropped if none)."""
    annotations = {k: v for k, v in status.annotations.items() if k != APPLIED_KINDS}
    names = sorted(str(kind) for kind in set(kinds))
    if names:
        annotations[APPLIED_KINDS] = ",".join(names)
    return status.model_copy(update={"annotations": annotations})


def network_configured(status: IngressStatus, now: str) -> IngressStatus:
    """``NetworkConfigured=True``."""
    conditions = INGRESS_CONDITIONS.mark_true(status.conditions, NETWORK_CONFIGURED, now)
    return status.model_copy(update={"conditions": conditions})


def network_failed(status: IngressStatus, reason: str, message: str, now: str) -> IngressStatus:
    """``NetworkConfigured=False`` (hence ``Ready=False``) with a reason and message."""
    conditions = INGRESS_CONDITIONS.mark_false(
        status.conditions, NETWORK_CONFIGURED, reason, message, now
    )
    return status.model_copy(update={"conditions": conditions})


def network_pending(status: IngressStatus, reason: str, message: str, now: str) -> IngressStatus:
    """``NetworkConfigured=Unknown`` (hence ``Ready=Unknown``): not configured yet, no failure."""
    conditions = INGRESS_CONDITIONS.mark_unknown(
        status.conditions, NETWORK_CONFIGURED, reason, message, now
    )
    return status.model_copy(update={"conditions": conditions})


def load_balancer(
    status: IngressStatus, readiness: Readiness, translation: Translation, now: str
) -> IngressStatus:
    """``LoadBalancerReady`` from the readiness verdict; the LBs are published when ready."""
    if readiness.ready is True:
        conditions = INGRESS_CONDITIONS.mark_true(status.conditions, LOAD_BALANCER_READY, now)
        return status.model_copy(
            update={
                "conditions": conditions,
                "public_load_balancer": translation.public_load_balancer,
                "private_load_balancer": translation.private_load_balancer,
            }
        )
    if readiness.ready is None:
        conditions = INGRESS_CONDITIONS.mark_unknown(
            status.conditions,
            LOAD_BALANCER_READY,
            readiness.reason or Reason.UNINITIALIZED,
            readiness.message,
            now,
        )
    else:
        conditions = INGRESS_CONDITIONS.mark_false(
            status.conditions,
            LOAD_BALANCER_READY,
            readiness.reason or Reason.READINESS_CHECK_FAILED,
            readiness.message,
            now,
        )
    return status.model_copy(update={"conditions": conditions})


def observed(status: IngressStatus, generation: int | None, now: str) -> IngressStatus:
    """Every condition present, and ``observedGeneration`` set to ``generation``."""
    conditions = INGRESS_CONDITIONS.initialize(status.conditions, now)
    return status.model_copy(update={"conditions": conditions, "observed_generation": generation})
