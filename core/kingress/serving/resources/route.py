"""The Route a Service owns (Knative's service ``MakeRoute``)."""

from __future__ import annotations

from kingress.api.annotations import SERVICE_LABEL
from kingress.api.meta import ObjectMeta
from kingress.api.serving import Route, RouteSpec, Service
from kingress.api.serving_defaults import set_route_defaults
from kingress.serving import names
from kingress.serving.resources.meta import NEVER_PROPAGATED, owner_reference, without


def make_route(service: Service) -> Route:
    """The Service's traffic block as a Route named after it.

    Targets that name no revision (latest-revision targets, ``@latest`` of a
    v1alpha1 ``release``) get the Service's Configuration as
    ``configurationName``. Labels and annotations are the Service's (so the
    ingress-class annotations reach the Route) plus ``serving.knative.dev/service``,
    minus kubectl's last-applied record and kingress's v1alpha1 form record.
    """
    configuration = names.configuration(service.metadata.name)
    traffic = tuple(
        target
        if target.revision_name
        else target.model_copy(update={"configuration_name": configuration})
        for target in service.spec.traffic
    )
    route = Route(
        metadata=ObjectMeta(
            name=names.route(service.metadata.name),
            namespace=service.metadata.namespace,
            labels={**service.metadata.labels, SERVICE_LABEL: service.metadata.name},
            annotations=without(service.metadata.annotations, NEVER_PROPAGATED),
            owner_references=[owner_reference(service)],
        ),
        spec=RouteSpec(traffic=traffic),
    )
    return set_route_defaults(route)
