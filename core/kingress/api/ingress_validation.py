"""Defaulting and validation of a ClusterIngress, with Knative's messages.

``set_defaults`` mirrors KIngress defaulting (a lone split with 0% gets 100%);
``validate`` returns every problem as Knative's webhook reports it, e.g.
``traffic split percentage must total to 100, but was 90: spec.rules[0].http.paths[0].splits``;
a Knative-valid ingress is then held to kingress's own syntax rules for hosts,
paths, headers and names (``ingress_syntax``: Knative leaves those strings
unchecked, and every backend writes them into gateway configuration).
"""

from __future__ import annotations

from kingress.api.fielderrors import (
    FieldError,
    FieldErrors,
    ValidationError,
    collect,
    invalid_value,
    missing_field,
)
from kingress.api.ingress import (
    ClusterIngress,
    HTTPIngressPath,
    HTTPOption,
    IngressBackendSplit,
    IngressRule,
    IngressSpec,
    IngressTLS,
)
from kingress.api.ingress_syntax import validate_syntax


def set_defaults(ingress: ClusterIngress) -> ClusterIngress:
    """Apply Knative's KIngress defaults: a single 0% split becomes 100%."""
    rules = tuple(_default_rule(rule) for rule in ingress.spec.rules)
    if rules == ingress.spec.rules:
        return ingress
    spec = ingress.spec.model_copy(update={"rules": rules})
    return ingress.model_copy(update={"spec": spec})


def _default_rule(rule: IngressRule) -> IngressRule:
    if rule.http is None:
        return rule
    paths = tuple(_default_path(path) for path in rule.http.paths)
    if paths == rule.http.paths:
        return rule
    return rule.model_copy(update={"http": rule.http.model_copy(update={"paths": paths})})


def _default_path(path: HTTPIngressPath) -> HTTPIngressPath:
    if len(path.splits) == 1 and path.splits[0].percent == 0:
        split = path.splits[0].model_copy(update={"percent": 100})
        return path.model_copy(update={"splits": (split,)})
    return path


def validate(ingress: ClusterIngress) -> FieldErrors:
    """Every validation error of the ingress (Knative's, then kingress's syntax rules)."""
    knative = _validate_spec(ingress.spec, ingress.metadata.namespace or "").via("spec")
    # kingress's rules only speak once the structure is Knative-valid, so an
    # invalid structure gets exactly Knative's message.
    return knative or validate_syntax(ingress)


def check(ingress: ClusterIngress) -> ClusterIngress:
    """Default then validate; raise ``ValidationError`` if anything is wrong."""
    defaulted = set_defaults(ingress)
    errors = validate(defaulted)
    if errors:
        raise ValidationError(errors)
    return defaulted


def _validate_spec(spec: IngressSpec, namespace: str) -> FieldErrors:
    if spec == IngressSpec():
        return FieldErrors((missing_field(""),))
    if not spec.rules:
        return FieldErrors((missing_field("rules"),))
    errors = collect(
        _validate_rule(rule, namespace).via_index("rules", i) for i, rule in enumerate(spec.rules)
    )
    errors += collect(_validate_tls(tls).via_index("tls", i) for i, tls in enumerate(spec.tls))
    if spec.http_option not in ("", *HTTPOption):
        errors += invalid_value(spec.http_option, "httpOption")
    return errors


def _validate_rule(rule: IngressRule, namespace: str) -> FieldErrors:
    if rule == IngressRule(visibility=rule.visibility) and rule.http is None:
        return FieldErrors((missing_field(""),))
    if rule.http is None:
        return FieldErrors((missing_field("http"),))
    if not rule.http.paths:
        return FieldErrors((missing_field("paths"),)).via("http")
    return collect(
        _validate_path(path, namespace).via_index("paths", i)
        for i, path in enumerate(rule.http.paths)
    ).via("http")


def _validate_path(path: HTTPIngressPath, namespace: str) -> FieldErrors:
    if path == HTTPIngressPath():
        return FieldErrors((missing_field(""),))
    if not path.splits:
        return FieldErrors((missing_field("splits"),))
    total = 0
    for i, split in enumerate(path.splits):
        error = _validate_split(split, namespace)
        if error is not None:
            # Knative stops at the first bad split.
            return FieldErrors((error.via_index("splits", i),))
        total += split.percent
    if (len(path.splits) != 1 or total != 0) and total != 100:
        return FieldErrors(
            (
                FieldError(
                    f"traffic split percentage must total to 100, but was {total}", ("splits",)
                ),
            )
        )
    return FieldErrors()


def _validate_split(split: IngressBackendSplit, namespace: str) -> FieldError | None:
    if not split.service_namespace:
        return missing_field("serviceNamespace")
    if split.service_namespace != namespace:
        return FieldError("service namespace must match ingress namespace", ("serviceNamespace",))
    if not split.service_name:
        return missing_field("serviceName")
    if split.service_port in ("", 0):
        return missing_field("servicePort")
    if not 0 <= split.percent <= 100:
        return invalid_value(split.percent, "percent")
    return None


def _validate_tls(tls: IngressTLS) -> FieldErrors:
    if tls == IngressTLS():
        return FieldErrors((missing_field(""),))
    missing = [
        name
        for name, value in (
            ("secretName", tls.secret_name),
            ("secretNamespace", tls.secret_namespace),
        )
        if not value
    ]
    return FieldErrors((missing_field(*missing),)) if missing else FieldErrors()
