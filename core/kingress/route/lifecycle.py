"""The Route's conditions, set only through intent-named methods (Knative's
``route_lifecycle.go``).

``RouteStatusDraft`` starts from the stored status, is changed by the
reconciler's phases (``mark_traffic_assigned``, ``propagate_ingress_status``…)
and is turned back into a frozen ``RouteStatus`` with ``build``. Reasons and
messages are Knative's, word for word.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from kingress.api.conditions import READY, Conditions, ConditionStatus
from kingress.api.ingress import IngressStatus
from kingress.api.serving import (
    ROUTE_ALL_TRAFFIC_ASSIGNED,
    ROUTE_CERTIFICATE_PROVISIONED,
    ROUTE_CONDITIONS,
    ROUTE_INGRESS_READY,
    Addressable,
    RouteStatus,
    TrafficTarget,
)
from kingress.route.traffic import TargetError

#: ``CertificateProvisioned`` message while external-domain TLS is off (always, for now).
EXTERNAL_DOMAIN_TLS_NOT_ENABLED: Final = "external-domain-tls is not enabled"


class Reason(StrEnum):
    """The reasons the Route controller itself sets."""

    ERROR_CONFIG = "ErrorConfig"
    UNKNOWN = "Unknown"
    INGRESS_NOT_CONFIGURED = "IngressNotConfigured"
    ROLLOUT_IN_PROGRESS = "RolloutInProgress"
    NOT_OWNED = "NotOwned"
    #: kingress: the ClusterIngress could not be built or its load balancer used.
    RECONCILE_INGRESS_FAILED = "ReconcileIngressFailed"
    TLS_NOT_ENABLED = "TLSNotEnabled"


@dataclass
class RouteStatusDraft:
    """A Route status being computed; ``now`` stamps condition transitions."""

    status: RouteStatus
    now: str
    conditions: Conditions = ()
    url: str = ""
    address: Addressable | None = None
    traffic: tuple[TrafficTarget, ...] = ()
    observed_generation: int | None = None

    def __post_init__(self) -> None:
        self.conditions = ROUTE_CONDITIONS.initialize(self.status.conditions, self.now)
        self.url = self.status.url
        self.address = self.status.address
        self.traffic = self.status.traffic
        self.observed_generation = self.status.observed_generation

    def _set(
        self, type_: str, status: ConditionStatus, reason: str = "", message: str = ""
    ) -> None:
        self.conditions = ROUTE_CONDITIONS.set(
            self.conditions, type_, status, reason, message, self.now
        )

    # --- AllTrafficAssigned ------------------------------------------------------

    def mark_traffic_assigned(self) -> None:
        """Every target resolved."""
        self._set(ROUTE_ALL_TRAFFIC_ASSIGNED, ConditionStatus.TRUE)

    def mark_target_error(self, error: TargetError) -> None:
        """A target is missing, not ready, failed or not owned."""
        self._set(ROUTE_ALL_TRAFFIC_ASSIGNED, error.status, error.reason, error.message)

    def mark_config_error(self, message: str) -> None:
        """A template or configuration map yields something unusable."""
        self._set(ROUTE_ALL_TRAFFIC_ASSIGNED, ConditionStatus.FALSE, Reason.ERROR_CONFIG, message)

    def mark_unknown_traffic_error(self, message: str) -> None:
        """Traffic could not be configured for another reason."""
        self._set(ROUTE_ALL_TRAFFIC_ASSIGNED, ConditionStatus.UNKNOWN, Reason.UNKNOWN, message)

    # --- IngressReady ---------------------------------------------------------------

    def mark_ingress_not_configured(self) -> None:
        """The ClusterIngress has not caught up with what was asked of it."""
        self._set(
            ROUTE_INGRESS_READY,
            ConditionStatus.UNKNOWN,
            Reason.INGRESS_NOT_CONFIGURED,
            "Ingress has not yet been reconciled.",
        )

    def mark_rollout_in_progress(self) -> None:
        """A gradual rollout is moving traffic."""
        self._set(
            ROUTE_INGRESS_READY,
            ConditionStatus.UNKNOWN,
            Reason.ROLLOUT_IN_PROGRESS,
            "A gradual rollout of the latest revision(s) is in progress.",
        )

    def mark_service_not_owned(self, name: str) -> None:
        """A placeholder Service's name is taken by someone else."""
        self._set(
            ROUTE_INGRESS_READY,
            ConditionStatus.FALSE,
            Reason.NOT_OWNED,
            f'There is an existing placeholder Service "{name}" that we do not own.',
        )

    def mark_endpoints_not_owned(self, name: str) -> None:
        """A placeholder Endpoints' name is taken by someone else."""
        self._set(
            ROUTE_INGRESS_READY,
            ConditionStatus.FALSE,
            Reason.NOT_OWNED,
            f'There is an existing placeholder Endpoint "{name}" that we do not own.',
        )

    def mark_ingress_not_owned(self, message: str) -> None:
        """The ClusterIngress's name is taken by an object the Route does not control."""
        self._set(ROUTE_INGRESS_READY, ConditionStatus.FALSE, Reason.NOT_OWNED, message)

    def mark_ingress_failed(self, message: str) -> None:
        """The ClusterIngress could not be built, or its load balancer cannot be used."""
        self._set(
            ROUTE_INGRESS_READY,
            ConditionStatus.FALSE,
            Reason.RECONCILE_INGRESS_FAILED,
            message,
        )

    def propagate_ingress_status(self, status: IngressStatus) -> None:
        """Copy the ClusterIngress's Ready condition (status, reason, message)."""
        ready = status.condition(READY)
        if ready is None:
            self.mark_ingress_not_configured()
            return
        self._set(ROUTE_INGRESS_READY, ready.status, ready.reason or "", ready.message or "")

    def ingress_ready(self) -> bool:
        """Whether the Route currently reports its ingress ready."""
        return any(
            c.type == ROUTE_INGRESS_READY and c.status is ConditionStatus.TRUE
            for c in self.conditions
        )

    # --- CertificateProvisioned --------------------------------------------------------

    def mark_tls_not_enabled(self, message: str) -> None:
        """No certificate is needed: TLS is not enabled (True, reason ``TLSNotEnabled``)."""
        self._set(
            ROUTE_CERTIFICATE_PROVISIONED, ConditionStatus.TRUE, Reason.TLS_NOT_ENABLED, message
        )

    def build(self) -> RouteStatus:
        """The finished status."""
        return self.status.model_copy(
            update={
                "conditions": self.conditions,
                "url": self.url,
                "address": self.address,
                "traffic": self.traffic,
                "observed_generation": self.observed_generation,
            }
        )
