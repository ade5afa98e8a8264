"""The Revision a Configuration stamps for its current generation (Knative's ``MakeRevision``)."""

from __future__ import annotations

from kingress.api.annotations import (
    CONFIGURATION_GENERATION_LABEL,
    CONFIGURATION_LABEL,
    SERVICE_LABEL,
)
from kingress.api.serving import SERVICE_KIND, Configuration, Revision
from kingress.api.serving_defaults import set_revision_defaults
from kingress.serving import names, routemeta
from kingress.serving.resources.meta import owner_reference


def generation_of(configuration: Configuration) -> int:
    """The Configuration's generation (1 before the store has assigned one)."""
    return configuration.metadata.generation or 1


def revision_name(configuration: Configuration) -> str:
    """The template's chosen name, else ``<configuration>-<generation, 5 digits>``."""
    chosen = configuration.spec.template.metadata.name
    return chosen or names.revision(configuration.metadata.name, generation_of(configuration))


def owning_service(configuration: Configuration) -> str:
    """The name of the Service controlling the Configuration, or ``""``."""
    owner = configuration.metadata.controller()
    return owner.name if owner is not None and owner.kind == SERVICE_KIND else ""


def make_revision(configuration: Configuration) -> Revision:
    """The template's metadata and spec, named, labelled and owned by the Configuration.

    Labels: the template's, ``serving.knative.dev/configuration``,
    ``serving.knative.dev/configurationGeneration`` and, for a Configuration a
    Service owns, ``serving.knative.dev/service``. Annotations: the template's,
    plus the Routes the labeler recorded on the Configuration (as Knative
    propagates them), so a new Revision is known to its Routes from the start.
    """
    template = configuration.spec.template
    labels = {
        **template.metadata.labels,
        CONFIGURATION_LABEL: configuration.metadata.name,
        CONFIGURATION_GENERATION_LABEL: str(generation_of(configuration)),
    }
    service = owning_service(configuration)
    if service:
        labels[SERVICE_LABEL] = service
    routes = routemeta.routes_of(configuration.metadata.labels, configuration.metadata.annotations)
    labels, annotations = routemeta.with_routes(labels, template.metadata.annotations, routes)
    metadata = template.metadata.model_copy(
        update={
            "name": revision_name(configuration),
            "generate_name": None,
            "namespace": configuration.metadata.namespace,
            "labels": labels,
            "annotations": annotations,
            "owner_references": [owner_reference(configuration)],
        }
    )
    return set_revision_defaults(Revision(metadata=metadata, spec=template.spec))
