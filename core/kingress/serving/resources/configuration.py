"""The Configuration a Service owns (Knative's ``MakeConfigurationFromExisting``)."""

from __future__ import annotations

from kingress.api.annotations import ROLLOUT_DURATION, ROLLOUT_DURATION_ALT, SERVICE_LABEL
from kingress.api.meta import ObjectMeta
from kingress.api.serving import Configuration, Service
from kingress.api.serving_defaults import set_configuration_defaults
from kingress.serving import names, routemeta
from kingress.serving.resources.meta import NEVER_PROPAGATED, owner_reference, without


def make_configuration(service: Service, existing: Configuration | None = None) -> Configuration:
    """The Service's template as a Configuration named after it.

    Labels are the Service's plus ``serving.knative.dev/service``; annotations
    are the Service's minus kubectl's last-applied record, kingress's v1alpha1
    form record and the rollout duration (a Route concern). What the labeler
    recorded on an ``existing`` Configuration is kept.
    """
    labels = {**service.metadata.labels, SERVICE_LABEL: service.metadata.name}
    annotations = without(
        service.metadata.annotations, {*NEVER_PROPAGATED, ROLLOUT_DURATION, ROLLOUT_DURATION_ALT}
    )
    if existing is not None:
        labels, annotations = routemeta.carry_over(
            (labels, annotations), (existing.metadata.labels, existing.metadata.annotations)
        )
    configuration = Configuration(
        metadata=ObjectMeta(
            name=names.configuration(service.metadata.name),
            namespace=service.metadata.namespace,
            labels=labels,
            annotations=annotations,
            owner_references=[owner_reference(service)],
        ),
        spec=service.spec.configuration_spec,
    )
    return set_configuration_defaults(configuration)
