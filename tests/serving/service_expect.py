"""Expected Service objects and statuses shared by the Service reconciler tables."""

from __future__ import annotations

from kingress.api.conditions import Condition
from kingress.api.serving import Addressable, ServiceStatus, TrafficTarget
from kingress.cluster.port import ObjectRef
from kingress.serving import access
from tests.serving.builders import (
    cond,
    conditions,
    config_of,
    route_of,
    route_status,
    route_status_traffic,
    service,
    with_conditions,
    with_latest,
    with_observed_generation,
)

NS = "ns"
KEY = ObjectRef(access.SERVICE, NS, "svc")
SVC = service(NS, "svc")

CONFIG_OUT_OF_DATE_MESSAGE = (
    "The Configuration is still working to reflect the latest desired specification."
)
CONFIG_OUT_OF_DATE = cond("ConfigurationsReady", "Unknown", "OutOfDate", CONFIG_OUT_OF_DATE_MESSAGE)
#: Ready while the Configuration is behind.
READY_CONFIG_OUT_OF_DATE = cond("Ready", "Unknown", "OutOfDate", CONFIG_OUT_OF_DATE_MESSAGE)
ROUTE_OUT_OF_DATE_MESSAGE = (
    "The Route is still working to reflect the latest desired specification."
)
ROUTE_OUT_OF_DATE = cond("RoutesReady", "Unknown", "OutOfDate", ROUTE_OUT_OF_DATE_MESSAGE)
#: Ready while the Route is behind.
READY_ROUTE_OUT_OF_DATE = cond("Ready", "Unknown", "OutOfDate", ROUTE_OUT_OF_DATE_MESSAGE)
URL = "http://svc.ns.example.com"
ADDRESS = Addressable(url="http://svc.ns.svc.cluster.local")
MANUAL_MESSAGE = "Service is set to Manual, and is not managing underlying resources."
SERVED = (TrafficTarget(revision_name="svc-00001", latest_revision=True, percent=100),)


READY_CONFIG = config_of(
    SVC,
    with_observed_generation(1),
    with_latest(created="svc-00001", ready="svc-00001"),
    with_conditions(cond("Ready")),
)
READY_ROUTE = route_of(
    SVC,
    with_observed_generation(1),
    route_status(url=URL, address=ADDRESS),
    route_status_traffic(*SERVED),
    with_conditions(
        cond("AllTrafficAssigned"),
        cond("CertificateProvisioned"),
        cond("IngressReady"),
        cond("Ready"),
    ),
)
READY_STATUS = ServiceStatus(
    observed_generation=1,
    conditions=conditions(cond("ConfigurationsReady"), cond("Ready"), cond("RoutesReady")),
    url=URL,
    address=ADDRESS,
    traffic=SERVED,
    latest_created_revision_name="svc-00001",
    latest_ready_revision_name="svc-00001",
)

JUST_CREATED = ServiceStatus(
    observed_generation=1,
    conditions=conditions(
        CONFIG_OUT_OF_DATE,
        READY_CONFIG_OUT_OF_DATE,
        ROUTE_OUT_OF_DATE,
    ),
).to_dict()


def service_status(**fields: object) -> list[tuple[str, str, dict[str, object]]]:
    """The status write expected on the Service ``svc``."""
    return [("Service", "svc", ServiceStatus.model_validate(fields).to_dict())]


def route_behind(observed_generation: int) -> list[tuple[str, str, dict[str, object]]]:
    """The status write when the Configuration is Ready on ``svc-00001`` and the Route is
    still behind the Service's generation ``observed_generation``."""
    return service_status(
        observed_generation=observed_generation,
        latest_created_revision_name="svc-00001",
        latest_ready_revision_name="svc-00001",
        conditions=conditions(
            cond("ConfigurationsReady"), READY_ROUTE_OUT_OF_DATE, ROUTE_OUT_OF_DATE
        ),
    )


def name_taken(name: str) -> tuple[Condition, Condition]:
    """Ready and RoutesReady False: a conflicting Revision holds the chosen name ``name``."""
    message = (
        f'The revision name "{name}" is taken by a conflicting Revision, '
        "so traffic will not be migrated"
    )
    return (
        cond("Ready", "False", "RevisionNameTaken", message),
        cond("RoutesReady", "False", "RevisionNameTaken", message),
    )
