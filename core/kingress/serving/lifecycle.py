"""How Service and Configuration statuses change: Knative's ``*_lifecycle.go``, pure.

Each function takes a status and the time of the change and returns the new
status; reasons and messages are Knative's own. The Revision's lifecycle is in
``revision_lifecycle``.
"""

from __future__ import annotations

from kingress.api.conditions import READY, ConditionStatus, get_condition
from kingress.api.kubenames import go_quote as _q
from kingress.api.serving import (
    CONFIGURATION_CONDITIONS,
    SERVICE_CONDITIONS,
    SERVICE_CONFIGURATIONS_READY,
    SERVICE_ROUTES_READY,
    ConfigurationStatus,
    RouteStatus,
    ServiceStatus,
)
from kingress.api.status import Status

#: Reason and message of a Service whose children belong to someone else.
NOT_OWNED = "NotOwned"
#: Reason and messages while a child has not caught up with the Service's spec.
OUT_OF_DATE = "OutOfDate"
CONFIGURATION_OUT_OF_DATE = (
    "The Configuration is still working to reflect the latest desired specification."
)
ROUTE_OUT_OF_DATE = "The Route is still working to reflect the latest desired specification."
#: Reason and message while the Route's traffic does not yet match the Service's.
TRAFFIC_NOT_MIGRATED = "TrafficNotMigrated"
TRAFFIC_NOT_MIGRATED_MESSAGE = "Traffic is not yet migrated to the latest revision."
#: A chosen revision name is held by another Revision.
REVISION_NAME_TAKEN = "RevisionNameTaken"
#: A v1alpha1 ``manual`` Service does not manage its children.
MANUAL = "Manual"
MANUAL_MESSAGE = "Service is set to Manual, and is not managing underlying resources."
#: A Configuration's latest Revision failed, or could not be created.
REVISION_FAILED = "RevisionFailed"


# --- Service --------------------------------------------------------------------


def initialize_service(status: ServiceStatus, now: str) -> ServiceStatus:
    """Every Service condition present (missing ones Unknown)."""
    return status.model_copy(
        update={"conditions": SERVICE_CONDITIONS.initialize(status.conditions, now)}
    )


def _mark_service(
    status: ServiceStatus,
    type_: str,
    value: ConditionStatus,
    reason: str,
    message: str,
    now: str,
) -> ServiceStatus:
    conditions = SERVICE_CONDITIONS.set(status.conditions, type_, value, reason, message, now)
    return status.model_copy(update={"conditions": conditions})


def mark_configuration_not_owned(status: ServiceStatus, name: str, now: str) -> ServiceStatus:
    """Knative's ``MarkConfigurationNotOwned``."""
    message = f"There is an existing Configuration {_q(name)} that we do not own."
    return _mark_service(
        status, SERVICE_CONFIGURATIONS_READY, ConditionStatus.FALSE, NOT_OWNED, message, now
    )


def mark_route_not_owned(status: ServiceStatus, name: str, now: str) -> ServiceStatus:
    """Knative's ``MarkRouteNotOwned``."""
    message = f"There is an existing Route {_q(name)} that we do not own."
    return _mark_service(
        status, SERVICE_ROUTES_READY, ConditionStatus.FALSE, NOT_OWNED, message, now
    )


def mark_configuration_not_reconciled(status: ServiceStatus, now: str) -> ServiceStatus:
    """The Configuration has not yet observed the Service's latest template."""
    return _mark_service(
        status,
        SERVICE_CONFIGURATIONS_READY,
        ConditionStatus.UNKNOWN,
        OUT_OF_DATE,
        CONFIGURATION_OUT_OF_DATE,
        now,
    )


def mark_route_not_reconciled(status: ServiceStatus, now: str) -> ServiceStatus:
    """The Route has not yet observed the Service's latest traffic block."""
    return _mark_service(
        status, SERVICE_ROUTES_READY, ConditionStatus.UNKNOWN, OUT_OF_DATE, ROUTE_OUT_OF_DATE, now
    )


def mark_route_not_yet_ready(status: ServiceStatus, now: str) -> ServiceStatus:
    """The Route is Ready but does not yet send traffic where the Service wants it."""
    return _mark_service(
        status,
        SERVICE_ROUTES_READY,
        ConditionStatus.UNKNOWN,
        TRAFFIC_NOT_MIGRATED,
        TRAFFIC_NOT_MIGRATED_MESSAGE,
        now,
    )


def mark_revision_name_taken(status: ServiceStatus, name: str, now: str) -> ServiceStatus:
    """Knative's ``MarkRevisionNameTaken``: the Route is left alone."""
    message = (
        f"The revision name {_q(name)} is taken by a conflicting Revision, "
        "so traffic will not be migrated"
    )
    return _mark_service(
        status, SERVICE_ROUTES_READY, ConditionStatus.FALSE, REVISION_NAME_TAKEN, message, now
    )


def _propagate_ready(status: ServiceStatus, child: Status, type_: str, now: str) -> ServiceStatus:
    ready = get_condition(child.conditions, READY)
    if ready is None:
        return status
    return _mark_service(status, type_, ready.status, ready.reason or "", ready.message or "", now)


def propagate_configuration_status(
    status: ServiceStatus, configuration: ConfigurationStatus, now: str
) -> ServiceStatus:
    """Knative's ``PropagateConfigurationStatus``: revision names and readiness."""
    copied = status.model_copy(
        update={
            "latest_created_revision_name": configuration.latest_created_revision_name,
            "latest_ready_revision_name": configuration.latest_ready_revision_name,
        }
    )
    return _propagate_ready(copied, configuration, SERVICE_CONFIGURATIONS_READY, now)


def propagate_route_status(status: ServiceStatus, route: RouteStatus, now: str) -> ServiceStatus:
    """Knative's ``PropagateRouteStatus``: URL, address, traffic and readiness."""
    copied = status.model_copy(
        update={"url": route.url, "address": route.address, "traffic": route.traffic}
    )
    return _propagate_ready(copied, route, SERVICE_ROUTES_READY, now)


def manual_status(status: ServiceStatus, generation: int | None, now: str) -> ServiceStatus:
    """Knative's ``SetManualStatus``: both children Unknown, only the addresses kept."""
    fresh = initialize_service(ServiceStatus(conditions=status.conditions), now)
    for type_ in (SERVICE_CONFIGURATIONS_READY, SERVICE_ROUTES_READY):
        fresh = _mark_service(fresh, type_, ConditionStatus.UNKNOWN, MANUAL, MANUAL_MESSAGE, now)
    return fresh.model_copy(
        update={"url": status.url, "address": status.address, "observed_generation": generation}
    )


# --- Configuration ---------------------------------------------------------------


def initialize_configuration(status: ConfigurationStatus, now: str) -> ConfigurationStatus:
    """Ready present (Unknown when missing)."""
    return status.model_copy(
        update={"conditions": CONFIGURATION_CONDITIONS.initialize(status.conditions, now)}
    )


def _mark_ready(
    status: ConfigurationStatus,
    value: ConditionStatus,
    reason: str,
    message: str,
    now: str,
) -> ConfigurationStatus:
    conditions = CONFIGURATION_CONDITIONS.set(status.conditions, READY, value, reason, message, now)
    return status.model_copy(update={"conditions": conditions})


def set_latest_created(status: ConfigurationStatus, name: str, now: str) -> ConfigurationStatus:
    """Knative's ``SetLatestCreatedRevisionName``: Ready Unknown until it is the ready one."""
    updated = status.model_copy(update={"latest_created_revision_name": name})
    if updated.latest_ready_revision_name != name:
        return _mark_ready(updated, ConditionStatus.UNKNOWN, "", "", now)
    return updated


def set_latest_ready(status: ConfigurationStatus, name: str, now: str) -> ConfigurationStatus:
    """Knative's ``SetLatestReadyRevisionName``: Ready once the latest created is ready."""
    updated = status.model_copy(update={"latest_ready_revision_name": name})
    if updated.latest_ready_revision_name == updated.latest_created_revision_name:
        return _mark_ready(updated, ConditionStatus.TRUE, "", "", now)
    return updated


def mark_latest_created_failed(
    status: ConfigurationStatus, name: str, message: str, now: str
) -> ConfigurationStatus:
    """Knative's ``MarkLatestCreatedFailed``."""
    text = f"Revision {_q(name)} failed with message: {message}."
    return _mark_ready(status, ConditionStatus.FALSE, REVISION_FAILED, text, now)


def mark_revision_creation_failed(
    status: ConfigurationStatus, message: str, now: str
) -> ConfigurationStatus:
    """Knative's ``MarkRevisionCreationFailed``."""
    text = f"Revision creation failed with message: {message}."
    return _mark_ready(status, ConditionStatus.FALSE, REVISION_FAILED, text, now)
