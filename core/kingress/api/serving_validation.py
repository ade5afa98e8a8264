"""Validation of the serving kinds, with Knative's webhook messages word for word.

``validate_*`` return every problem with paths from the object root, e.g.
``Traffic targets sum to 90, want 100: spec.traffic``;
``check_*`` default first, then raise ``ValidationError`` if anything is wrong.
Where Knative's own path building is quirky it is kept: an invalid tag is
reported at ``spec.traffic.tag[0]`` (Knative's ``ErrInvalidArrayValue`` puts the
index after the field name), a duplicate tag at ``spec.traffic[0].tag``.
Container and pod-spec rules are in ``podspec_validation``.
"""

from __future__ import annotations

from collections.abc import Mapping

from kingress.api import kubenames
from kingress.api.annotations import (
    AUTOSCALING_GROUP,
    CONFIGURATION_GENERATION_LABEL,
    CONFIGURATION_LABEL,
    CONFIGURATION_UID_LABEL,
    ROLLOUT_DURATION,
    ROLLOUT_DURATION_ALT,
    ROUTE_LABEL,
    ROUTING_STATE_LABEL,
    SERVICE_LABEL,
    SERVICE_UID_LABEL,
    SERVING_GROUP_PREFIX,
    V1ALPHA1_FORM_ANNOTATION,
    VISIBILITY_CLUSTER_LOCAL,
    VISIBILITY_LABEL,
)
from kingress.api.durations import SECOND, parse_go_duration
from kingress.api.fielderrors import (
    FieldError,
    FieldErrors,
    ValidationError,
    collect,
    disallowed_fields,
    invalid_value,
    missing_field,
    one_of_missing,
    one_of_too_many,
    out_of_bounds,
)
from kingress.api.meta import ObjectMeta
from kingress.api.podspec_validation import validate_revision_spec
from kingress.api.serving import (
    V1ALPHA1_FORMS,
    Configuration,
    Revision,
    RevisionTemplateSpec,
    Route,
    Service,
    TrafficTarget,
    is_manual,
)
from kingress.api.serving_defaults import (
    set_configuration_defaults,
    set_revision_defaults,
    set_route_defaults,
    set_service_defaults,
)

_q = kubenames.go_quote

# --- metadata ----------------------------------------------------------------


def validate_object_meta(meta: ObjectMeta) -> FieldErrors:
    """Name and generateName (relative to ``metadata``); names must be DNS-1035 labels."""
    if meta.generate_name:
        problems = kubenames.name_dns1035_label(meta.generate_name, prefix=True)
        if problems:
            message = f"not a DNS 1035 label prefix: {kubenames.go_list(problems)}"
            return FieldErrors((FieldError(message, ("generateName",)),))
    if meta.name:
        problems = kubenames.name_dns1035_label(meta.name, prefix=False)
        if problems:
            message = f"not a DNS 1035 label: {kubenames.go_list(problems)}"
            return FieldErrors((FieldError(message, ("name",)),))
    if not meta.name and not meta.generate_name:
        return FieldErrors((FieldError("name or generateName is required", ("name",)),))
    return FieldErrors()


def validate_rollout_duration(annotations: Mapping[str, str]) -> FieldErrors:
    """The rollout-duration annotation (relative to ``annotations``): a whole, positive
    number of seconds in Go's duration syntax."""
    key = next((k for k in (ROLLOUT_DURATION, ROLLOUT_DURATION_ALT) if annotations.get(k)), None)
    if key is None:
        return FieldErrors()
    value = annotations[key]
    try:
        duration = parse_go_duration(value)
    except ValueError:
        return FieldErrors((invalid_value(value, key),))
    if duration % SECOND:
        return FieldErrors(
            (FieldError(f"rollout-duration={value} is not at second precision", (key,)),)
        )
    if duration < 0:
        return FieldErrors((FieldError(f"rollout-duration={value} must be positive", (key,)),))
    return FieldErrors()


def validate_no_autoscaling_annotations(annotations: Mapping[str, str]) -> FieldErrors:
    """Autoscaling annotations only work on the revision template (relative to ``annotations``)."""
    details = (
        'autoscaling annotations must be put under "spec.template.metadata.annotations" to work'
    )
    return FieldErrors(
        tuple(
            FieldError(f"invalid key name {_q(key)}", ("",), details)
            for key in sorted(annotations)
            if key.startswith(AUTOSCALING_GROUP)
        )
    )


def validate_form_annotation(annotations: Mapping[str, str]) -> FieldErrors:
    """kingress's v1alpha1-form annotation, when present, names a known form."""
    form = annotations.get(V1ALPHA1_FORM_ANNOTATION)
    if form is None or form in V1ALPHA1_FORMS:
        return FieldErrors()
    return FieldErrors((invalid_value(form, V1ALPHA1_FORM_ANNOTATION),))


def _validate_labels(
    meta: ObjectMeta, *, allowed: frozenset[str], owned_by: Mapping[str, str]
) -> FieldErrors:
    """Serving-group labels (relative to ``labels``): known ones pass, the ones naming a
    parent must match an owner reference, the visibility label must be cluster-local."""
    errors = FieldErrors()
    for key in sorted(meta.labels):
        value = meta.labels[key]
        if key == VISIBILITY_LABEL and VISIBILITY_LABEL in allowed:
            if value != VISIBILITY_CLUSTER_LOCAL:
                errors += invalid_value(value, key)
        elif key in owned_by:
            kind = owned_by[key]
            if not any(ref.kind == kind and ref.name == value for ref in meta.owner_references):
                errors += missing_field(key)
        elif key in allowed:
            continue
        elif key.startswith(SERVING_GROUP_PREFIX):
            errors += FieldError(f"invalid key name {_q(key)}", ("",))
    return errors


# --- traffic -----------------------------------------------------------------


def validate_traffic(
    traffic: tuple[TrafficTarget, ...], *, implicit_configuration: bool
) -> FieldErrors:
    """A traffic block (paths from the object's spec: ``traffic[0].percent``)."""
    errors = FieldErrors()
    first_use: dict[str, int] = {}
    total = 0
    for index, target in enumerate(traffic):
        errors += validate_traffic_target(
            target, implicit_configuration=implicit_configuration
        ).via_index("traffic", index)
        total += target.percent or 0
        if not target.tag:
            continue
        problems = kubenames.dns1035_label(target.tag)
        if problems:
            message = f"not a DNS 1035 label: {kubenames.go_list(problems)}"
            errors += invalid_value(message, f"traffic.tag[{index}]")
        if target.tag in first_use:
            errors += FieldError(
                f"Multiple definitions for {_q(target.tag)}",
                (f"traffic[{index}].tag", f"traffic[{first_use[target.tag]}].tag"),
            )
        else:
            first_use[target.tag] = index
    if total != 100:
        errors += FieldError(f"Traffic targets sum to {total}, want 100", ("traffic",))
    return errors


def validate_traffic_target(target: TrafficTarget, *, implicit_configuration: bool) -> FieldErrors:
    """One traffic target of a spec (relative to the target).

    ``implicit_configuration`` is true inside a Service, whose targets may not
    name a configuration: it is the Service's own.
    """
    errors = FieldErrors()
    if target.latest_revision is not None:
        pinned = target.revision_name != ""
        if pinned == target.latest_revision:
            sense = "true" if target.latest_revision else "false"
            errors += FieldError(
                f"may not set revisionName {_q(target.revision_name)} "
                f"when latestRevision is {sense}",
                ("latestRevision",),
            )
    if implicit_configuration and target.configuration_name:
        errors += disallowed_fields("configurationName")
    elif target.revision_name and target.configuration_name:
        errors += one_of_too_many("revisionName", "configurationName")
    elif target.revision_name:
        errors += _validate_key_name(target.revision_name, "revisionName")
    elif target.configuration_name:
        errors += _validate_key_name(target.configuration_name, "configurationName")
    elif not implicit_configuration:
        errors += one_of_missing("revisionName", "configurationName")
    if target.percent is not None and not 0 <= target.percent <= 100:
        errors += out_of_bounds(target.percent, 0, 100, "percent")
    if target.url:
        # Status-only, and only for tagged targets: both reasons give one message.
        errors += disallowed_fields("url")
    return errors


def _validate_key_name(name: str, path: str) -> FieldErrors:
    problems = kubenames.qualified_name(name)
    if not problems:
        return FieldErrors()
    return FieldErrors((FieldError(f"invalid key name {_q(name)}", (path,), ", ".join(problems)),))


# --- the revision template ------------------------------------------------------


def validate_template(template: RevisionTemplateSpec, parent: ObjectMeta) -> FieldErrors:
    """A revision template (relative to the template); a chosen revision name must be
    a DNS-1035 label starting with ``<parent name>-``."""
    return validate_revision_spec(template.spec).via("spec") + _validate_revision_name(
        template.metadata, parent
    )


def _validate_revision_name(meta: ObjectMeta, parent: ObjectMeta) -> FieldErrors:
    if meta.generate_name:
        problems = kubenames.name_dns1035_label(meta.generate_name, prefix=True)
        if problems:
            message = f"not a DNS 1035 label prefix: {kubenames.go_list(problems)}"
            return FieldErrors((invalid_value(message, "metadata.generateName"),))
    if not meta.name:
        return FieldErrors()
    problems = kubenames.name_dns1035_label(meta.name, prefix=False)
    if problems:
        message = f"not a DNS 1035 label: {kubenames.go_list(problems)}"
        return FieldErrors((invalid_value(message, "metadata.name"),))
    if not parent.name and parent.generate_name:
        # A parent whose name is not known yet cannot have its revision named.
        return FieldErrors((disallowed_fields("metadata.name"),))
    prefix = f"{parent.name}-"
    if not meta.name.startswith(prefix):
        message = f"{_q(meta.name)} must have prefix {_q(prefix)}"
        return FieldErrors((invalid_value(message, "metadata.name"),))
    return FieldErrors()


# --- the kinds ---------------------------------------------------------------------

_SERVICE_LABELS = frozenset({VISIBILITY_LABEL})
_CONFIGURATION_LABELS = frozenset({ROUTE_LABEL, CONFIGURATION_UID_LABEL, SERVICE_UID_LABEL})
_ROUTE_LABELS = frozenset({VISIBILITY_LABEL})
_REVISION_LABELS = frozenset(
    {
        ROUTING_STATE_LABEL,
        ROUTE_LABEL,
        SERVICE_LABEL,
        CONFIGURATION_UID_LABEL,
        SERVICE_UID_LABEL,
        CONFIGURATION_GENERATION_LABEL,
    }
)


def validate_service_metadata(meta: ObjectMeta) -> FieldErrors:
    """A Service's metadata (paths from the object root)."""
    return collect(
        (
            validate_object_meta(meta),
            _validate_labels(meta, allowed=_SERVICE_LABELS, owned_by={}).via("labels"),
            validate_no_autoscaling_annotations(meta.annotations).via("annotations"),
            validate_rollout_duration(meta.annotations).via("annotations"),
            validate_form_annotation(meta.annotations).via("annotations"),
        )
    ).via("metadata")


def validate_service(service: Service) -> FieldErrors:
    """Every problem of a (defaulted) Service."""
    spec = FieldErrors()
    manual = is_manual(service)
    if not manual or service.spec.template != RevisionTemplateSpec():
        spec += validate_template(service.spec.template, service.metadata).via("template")
    if not manual:
        spec += validate_traffic(service.spec.traffic, implicit_configuration=True)
    return validate_service_metadata(service.metadata) + spec.via("spec")


def validate_configuration_metadata(meta: ObjectMeta) -> FieldErrors:
    """A Configuration's metadata (paths from the object root)."""
    labels = _validate_labels(
        meta, allowed=_CONFIGURATION_LABELS, owned_by={SERVICE_LABEL: "Service"}
    )
    return collect(
        (
            validate_object_meta(meta),
            labels.via("labels"),
            validate_no_autoscaling_annotations(meta.annotations).via("annotations"),
        )
    ).via("metadata")


def validate_configuration(configuration: Configuration) -> FieldErrors:
    """Every problem of a (defaulted) Configuration."""
    meta = configuration.metadata
    template = validate_template(configuration.spec.template, meta).via("spec.template")
    return validate_configuration_metadata(meta) + template


def validate_revision_metadata(meta: ObjectMeta) -> FieldErrors:
    """A Revision's metadata (paths from the object root)."""
    labels = _validate_labels(
        meta, allowed=_REVISION_LABELS, owned_by={CONFIGURATION_LABEL: "Configuration"}
    )
    return (validate_object_meta(meta) + labels.via("labels")).via("metadata")


def validate_revision(revision: Revision) -> FieldErrors:
    """Every problem of a (defaulted) Revision."""
    spec = validate_revision_spec(revision.spec).via("spec")
    return validate_revision_metadata(revision.metadata) + spec


def validate_route_metadata(meta: ObjectMeta) -> FieldErrors:
    """A Route's metadata (paths from the object root)."""
    labels = _validate_labels(meta, allowed=_ROUTE_LABELS, owned_by={SERVICE_LABEL: "Service"})
    return collect(
        (
            validate_object_meta(meta),
            labels.via("labels"),
            validate_rollout_duration(meta.annotations).via("annotations"),
        )
    ).via("metadata")


def validate_route(route: Route) -> FieldErrors:
    """Every problem of a (defaulted) Route."""
    traffic = validate_traffic(route.spec.traffic, implicit_configuration=False)
    return validate_route_metadata(route.metadata) + traffic.via("spec")


def raise_if_invalid(errors: FieldErrors) -> None:
    """Raise ``ValidationError`` when there are errors."""
    if errors:
        raise ValidationError(errors)


def check_service(service: Service) -> Service:
    """Default, then validate; raise ``ValidationError`` if anything is wrong."""
    defaulted = set_service_defaults(service)
    raise_if_invalid(validate_service(defaulted))
    return defaulted


def check_configuration(configuration: Configuration) -> Configuration:
    """Default, then validate; raise ``ValidationError`` if anything is wrong."""
    defaulted = set_configuration_defaults(configuration)
    raise_if_invalid(validate_configuration(defaulted))
    return defaulted


def check_revision(revision: Revision) -> Revision:
    """Default, then validate; raise ``ValidationError`` if anything is wrong."""
    defaulted = set_revision_defaults(revision)
    raise_if_invalid(validate_revision(defaulted))
    return defaulted


def check_route(route: Route) -> Route:
    """Default, then validate; raise ``ValidationError`` if anything is wrong."""
    defaulted = set_route_defaults(route)
    raise_if_invalid(validate_route(defaulted))
    return defaulted
