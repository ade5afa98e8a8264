"""Defaulting and validation of the v1alpha1 serving kinds, with v1alpha1 paths.

The rules are v1's (the object is converted up and checked with
``serving_validation``) plus v1alpha1's own: a Service sets exactly one form,
a ``release`` names one or two DNS-1035 revisions (or ``@latest``) with a
``rolloutPercent`` of 0..99 only when there are two, ``pinned`` names its
revision, and a revision spec sets ``container`` or ``containers``, not both.
Errors found on the converted template are reported where the user wrote the
field (``spec.runLatest.configuration.revisionTemplate.spec.container.image``),
and defaults show in v1alpha1 form (``timeoutSeconds: 300``).
"""

from __future__ import annotations

from kingress.api import kubenames
from kingress.api import serving_v1alpha1 as a
from kingress.api.fielderrors import (
    FieldError,
    FieldErrors,
    collect,
    invalid_value,
    missing_field,
    one_of_missing,
    one_of_too_many,
    out_of_bounds,
)
from kingress.api.podspec_validation import validate_revision_spec
from kingress.api.serving import is_manual
from kingress.api.serving_defaults import (
    set_configuration_defaults,
    set_revision_defaults,
    set_route_defaults,
    set_service_defaults,
)
from kingress.api.serving_v1alpha1_conversion import (
    configuration_down,
    configuration_up,
    revision_down,
    revision_up,
    route_down,
    route_up,
    service_down,
    service_up,
)
from kingress.api.serving_validation import (
    raise_if_invalid,
    validate_configuration_metadata,
    validate_revision_metadata,
    validate_route,
    validate_service_metadata,
    validate_template,
    validate_traffic,
)

_SEED_FORMS = ("runLatest", "release", "pinned", "manual")
_ALL_FORMS = (*_SEED_FORMS, "template")


def rename_path(errors: FieldErrors, old: str, new: str) -> FieldErrors:
    """The same errors with every path under ``old`` moved under ``new``."""

    def move(path: str) -> str:
        if path == old or path.startswith((old + ".", old + "[")):
            return new + path[len(old) :]
        return path

    return FieldErrors(
        tuple(
            FieldError(error.message, tuple(move(p) for p in error.paths), error.details)
            for error in errors.errors
        )
    )


def _as_written(errors: FieldErrors, spec: a.RevisionSpec, at: str) -> FieldErrors:
    """Errors on a converted revision spec at ``at``, moved back to ``container`` when
    the user wrote one container (or none) rather than a ``containers`` list."""
    if spec.containers:
        return errors
    base = f"{at}." if at else ""
    for old in ("containers[0]", "containers[*]", "containers"):
        errors = rename_path(errors, base + old, base + "container")
    return errors


def _container_choice(spec: a.RevisionSpec) -> FieldErrors:
    if spec.container is not None and spec.containers:
        return FieldErrors((one_of_too_many("container", "containers"),))
    return FieldErrors()


def _template_errors(
    template: a.RevisionTemplateSpec | None, converted: FieldErrors
) -> FieldErrors:
    """Errors of a converted template (relative to it), as the v1alpha1 user wrote it."""
    spec = template.spec if template is not None else a.RevisionSpec()
    return _as_written(converted, spec, "spec") + _container_choice(spec).via("spec")


def _validate_release(release: a.ReleaseType) -> FieldErrors:
    errors = FieldErrors()
    count = len(release.revisions)
    if count == 0:
        errors += missing_field("revisions")
    if count > 2:
        errors += out_of_bounds(count, 1, 2, "revisions")
    for index, name in enumerate(release.revisions):
        if name == a.RELEASE_LATEST_REVISION:
            continue
        problems = kubenames.dns1035_label(name)
        if problems:
            message = f"not a DNS 1035 label: {kubenames.go_list(problems)}"
            errors += invalid_value(message, f"revisions[{index}]")
    percent = release.rollout_percent or 0
    if count < 2 and percent != 0:
        errors += invalid_value(percent, "rolloutPercent")
    if not 0 <= percent <= 99:
        errors += out_of_bounds(percent, 0, 99, "rolloutPercent")
    return errors


def validate_service(service: a.Service) -> FieldErrors:
    """Every problem of a v1alpha1 Service (after defaulting), with v1alpha1 paths."""
    up = set_service_defaults(service_up(service))
    spec = service.spec
    forms = spec.forms()
    errors = FieldErrors()
    if not forms:
        errors += one_of_missing(*_ALL_FORMS)
    elif len(forms) > 1:
        errors += one_of_too_many(*forms)
    seed_forms = [form for form in forms if form in _SEED_FORMS]
    if seed_forms and spec.traffic:
        errors += one_of_too_many("traffic", *seed_forms)
    template_errors = validate_template(up.spec.template, up.metadata)
    if spec.release is not None:
        errors += _validate_release(spec.release).via("release")
    if spec.pinned is not None and not spec.pinned.revision_name:
        errors += missing_field("pinned.revisionName")
    configuration = spec.configuration()
    if configuration is not None:
        where = f"{forms[0]}.configuration.revisionTemplate"
        errors += _template_errors(configuration.revision_template, template_errors).via(where)
    elif spec.template is not None and spec.manual is None:
        errors += _template_errors(spec.template, template_errors).via("template")
        if not is_manual(up):
            errors += validate_traffic(up.spec.traffic, implicit_configuration=True)
    return validate_service_metadata(up.metadata) + errors.via("spec")


def validate_configuration(configuration: a.Configuration) -> FieldErrors:
    """Every problem of a v1alpha1 Configuration (after defaulting)."""
    up = set_configuration_defaults(configuration_up(configuration))
    converted = validate_template(up.spec.template, up.metadata)
    template = _template_errors(configuration.spec.revision_template, converted)
    return validate_configuration_metadata(up.metadata) + template.via("spec.revisionTemplate")


def validate_revision(revision: a.Revision) -> FieldErrors:
    """Every problem of a v1alpha1 Revision (after defaulting)."""
    up = set_revision_defaults(revision_up(revision))
    converted = validate_revision_spec(up.spec)
    spec = collect((_as_written(converted, revision.spec, ""), _container_choice(revision.spec)))
    return validate_revision_metadata(up.metadata) + spec.via("spec")


def check_service(service: a.Service) -> a.Service:
    """Validate, then return the Service defaulted, in v1alpha1 form."""
    raise_if_invalid(validate_service(service))
    return service_down(set_service_defaults(service_up(service)))


def check_configuration(configuration: a.Configuration) -> a.Configuration:
    """Validate, then return the Configuration defaulted, in v1alpha1 form."""
    raise_if_invalid(validate_configuration(configuration))
    return configuration_down(set_configuration_defaults(configuration_up(configuration)))


def check_revision(revision: a.Revision) -> a.Revision:
    """Validate, then return the Revision defaulted, in v1alpha1 form."""
    raise_if_invalid(validate_revision(revision))
    return revision_down(set_revision_defaults(revision_up(revision)))


def check_route(route: a.Route) -> a.Route:
    """Validate (v1 rules; the traffic block is the same), then return it defaulted."""
    up = set_route_defaults(route_up(route))
    raise_if_invalid(validate_route(up))
    return route_down(up)
