"""HTTPProxy routes for one ClusterIngress rule (pure builders).

Each path becomes one route: a ``prefix`` condition plus one ``header.exact``
condition per header match; the path's ``appendHeaders`` (and ``rewriteHost``,
as a ``Host`` entry, which Contour turns into a host rewrite) in the route's
``requestHeadersPolicy.set`` (before the split); one service per split with a
non-zero percent as its relative ``weight`` and the split's ``appendHeaders`` in
the service's ``requestHeadersPolicy.set`` (after the split); ``protocol: h2c``
for Service ports that speak cleartext HTTP/2; ``enableWebsockets``;
``timeoutPolicy`` with no response timeout; and no ``retryPolicy`` at all (see
``docs/backends/contour.md``: without one Contour configures no retries,
whereas ``count: 0`` means one retry and ``count: -1`` was ignored by Contour
until projectcontour/contour#7525, leaving Envoy's single retry on 5xx).

Routes are emitted in the contract's order (``kingress.precedence_key``), after
dropping paths the contract can never choose, and an ingress whose routing
would depend on Contour's own tie-break is refused (``kingress_contour.precedence``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kingress import (
    HeaderMatch,
    HTTPIngressPath,
    IngressBackendSplit,
    IngressRule,
    NotSupported,
    TranslateContext,
    TranslationError,
    precedence_key,
)
from kingress_contour.constants import HEADER_NAME_PATTERN, NO_TIMEOUT
from kingress_contour.precedence import Conflict, RouteMatch, conflicts, shadowed

Route = dict[str, Any]

_HEADER_NAME = re.compile(HEADER_NAME_PATTERN)


@dataclass(frozen=True, slots=True, kw_only=True)
class RouteOptions:
    """What every route of a rule shares."""

    #: Serve plain HTTP even when the virtual host has TLS (else Contour redirects).
    permit_insecure: bool
    #: ``timeoutPolicy.idle``.
    idle_timeout: str = NO_TIMEOUT


def _header_name(name: str, where: str) -> str:
    if not _HEADER_NAME.match(name):
        raise TranslationError(f"{where}: {name!r} is not a valid HTTP header name")
    return name.lower()


def header_conditions(headers: Mapping[str, HeaderMatch], where: str) -> list[tuple[str, str]]:
    """``(name, exact value)`` per header match, sorted case-insensitively, duplicates merged."""
    seen: dict[str, tuple[str, str]] = {}
    # Sorted, so the spelling kept for a repeated name does not depend on map order.
    for name, match in sorted(headers.items()):
        key = _header_name(name, where)
        previous = seen.get(key)
        if previous is not None and previous[1] != match.exact:
            raise TranslationError(
                f"{where}: {previous[0]!r} and {name!r} are the same header (names are "
                f"case-insensitive) but must equal both {previous[1]!r} and {match.exact!r}; "
                "no request can match"
            )
        seen.setdefault(key, (name, match.exact))
    return [seen[key] for key in sorted(seen)]


def headers_policy(
    headers: Mapping[str, str], where: str, *, rewrite_host: str = "", per_service: bool = False
) -> dict[str, Any] | None:
    """A ``requestHeadersPolicy`` setting (overwriting) every header, or None if empty."""
    entries: dict[str, tuple[str, str]] = {}
    for name, value in sorted(headers.items()):
        key = _header_name(name, where)
        if key in entries:
            raise TranslationError(
                f"{where}: {entries[key][0]!r} and {name!r} are the same header "
                "(names are case-insensitive); Contour rejects setting a header twice"
            )
        entries[key] = (name, value)
    if per_service and "host" in entries:
        raise TranslationError(
            f"{where}: Contour rewrites Host per route, not per service; use the path's rewriteHost"
        )
    if rewrite_host:
        previous = entries.get("host")
        if previous is not None and previous[1] != rewrite_host:
            raise TranslationError(
                f"{where}: sets {previous[0]!r} to {previous[1]!r} but rewriteHost is "
                f"{rewrite_host!r}"
            )
        entries["host"] = ("Host", rewrite_host)
    if not entries:
        return None
    return {
        "set": [
            {"name": name, "value": value} for name, value in (entries[k] for k in sorted(entries))
        ]
    }


def split_weights(splits: tuple[IngressBackendSplit, ...], where: str) -> list[int]:
    """Each split's weight, following Knative's defaulting and validation of percents."""
    if not splits:
        raise TranslationError(f"missing field(s): {where}.splits")
    for k, split in enumerate(splits):
        if not 0 <= split.percent <= 100:
            raise TranslationError(f"invalid value: {split.percent}: {where}.splits[{k}].percent")
    total = sum(split.percent for split in splits)
    if len(splits) == 1 and total == 0:
        # Knative defaults a lone 0% split to 100%.
        return [100]
    if total != 100:
        raise TranslationError(
            f"traffic split percentage must total to 100, but was {total}: {where}.splits"
        )
    return [split.percent for split in splits]


def _port(
    split: IngressBackendSplit, namespace: str, where: str, context: TranslateContext
) -> tuple[int, bool]:
    ref: int | str = split.service_port
    if isinstance(ref, str) and ref.isdigit():
        ref = int(ref)
    service = context.service(namespace, split.service_name)
    port = service.port(ref) if service is not None else None
    if isinstance(ref, int):
        number = ref
    elif port is not None:
        number = port.port
    else:
        if service is None:
            known = "is not known"
        else:
            names = ", ".join(p.name for p in service.ports if p.name) or "none"
            known = f"has no port named {ref!r} (named ports: {names})"
        raise TranslationError(
            f"{where}.servicePort: Contour needs a port number and Service "
            f"{namespace}/{split.service_name} {known}"
        )
    if not 1 <= number <= 65535:
        raise TranslationError(f"invalid value: {number}: {where}.servicePort")
    return number, port is not None and port.is_h2c


def make_services(
    path: HTTPIngressPath, namespace: str, where: str, context: TranslateContext
) -> list[dict[str, Any]]:
    """One weighted service per split that gets traffic; 0% splits are left out.

    Contour's weights are relative and an all-zero set would mean an even
    split, so a 0% split is not written with weight 0 but not written at all.
    """
    services = []
    for k, (split, weight) in enumerate(
        zip(path.splits, split_weights(path.splits, where), strict=True)
    ):
        at = f"{where}.splits[{k}]"
        if split.service_namespace and split.service_namespace != namespace:
            raise TranslationError(
                f"{at}.serviceNamespace: {split.service_namespace!r} is not the ingress namespace "
                f"{namespace!r}; an HTTPProxy routes only to Services of its own namespace"
            )
        if not split.service_name:
            raise TranslationError(f"missing field(s): {at}.serviceName")
        if weight == 0:
            continue
        number, h2c = _port(split, namespace, at, context)
        service: dict[str, Any] = {"name": split.service_name, "port": number, "weight": weight}
        if h2c:
            service["protocol"] = "h2c"
        policy = headers_policy(split.append_headers, f"{at}.appendHeaders", per_service=True)
        if policy is not None:
            service["requestHeadersPolicy"] = policy
        services.append(service)
    return services


def _conditions(path: HTTPIngressPath, where: str) -> tuple[list[dict[str, Any]], RouteMatch]:
    prefix = path.path or "/"
    if not prefix.startswith("/"):
        raise TranslationError(f"{where}.path: {path.path!r} must start with '/'")
    headers = header_conditions(path.headers, f"{where}.headers")
    conditions: list[dict[str, Any]] = [{"prefix": prefix}]
    conditions += [{"header": {"name": name, "exact": value}} for name, value in headers]
    return conditions, RouteMatch.of(prefix, dict(headers))


def make_route(
    path: HTTPIngressPath,
    conditions: list[dict[str, Any]],
    *,
    namespace: str,
    where: str,
    options: RouteOptions,
    context: TranslateContext,
) -> Route:
    """The HTTPProxy route of one path."""
    route: Route = {
        "conditions": conditions,
        "services": make_services(path, namespace, where, context),
        "enableWebsockets": True,
        "permitInsecure": options.permit_insecure,
        "timeoutPolicy": {"response": NO_TIMEOUT, "idle": options.idle_timeout},
    }
    policy = headers_policy(
        path.append_headers, f"{where}.appendHeaders", rewrite_host=path.rewrite_host
    )
    if policy is not None:
        route["requestHeadersPolicy"] = policy
    return route


def _describe(match: RouteMatch) -> str:
    headers = ", ".join(f"{name}: {value}" for name, value in match.headers)
    return f"prefix {match.prefix!r}" + (f" with headers {{{headers}}}" if headers else "")


def _refuse(conflict: Conflict, matches: list[RouteMatch], wheres: list[str]) -> NotSupported:
    expected, other = matches[conflict.expected], matches[conflict.other]
    request = ", ".join(f"{k}: {v}" for k, v in conflict.request.headers)
    return NotSupported(
        f"{wheres[conflict.expected]}, {wheres[conflict.other]}: paths ({_describe(expected)}) "
        f"and ({_describe(other)}) both match a request to {conflict.request.path!r}"
        + (f" with headers {{{request}}}" if request else "")
        + "; the contract picks the first by list order, but Contour orders equally specific "
        "routes by its own rules, so it could route the request to the other path"
    )


def make_rule_routes(
    rule: IngressRule,
    rule_index: int,
    *,
    namespace: str,
    options: RouteOptions,
    context: TranslateContext,
) -> tuple[Route, ...]:
    """The routes of a rule, in contract order, without paths the contract never picks."""
    where_rule = f"spec.rules[{rule_index}].http"
    if rule.http is None:
        raise TranslationError(f"missing field(s): {where_rule}")
    if not rule.http.paths:
        raise TranslationError(f"missing field(s): {where_rule}.paths")
    ordered = sorted(enumerate(rule.http.paths), key=lambda item: precedence_key(item[1]))
    wheres = [f"{where_rule}.paths[{index}]" for index, _ in ordered]
    built = [_conditions(path, where) for (_, path), where in zip(ordered, wheres, strict=True)]
    # Every path is built (and so checked), even those dropped below.
    routes = [
        make_route(
            path, conditions, namespace=namespace, where=where, options=options, context=context
        )
        for (_, path), (conditions, _), where in zip(ordered, built, wheres, strict=True)
    ]
    matches = [match for _, match in built]
    dropped = shadowed(matches)
    kept = [i for i in range(len(ordered)) if i not in dropped]
    found = conflicts([matches[i] for i in kept])
    if found:
        raise _refuse(found[0], [matches[i] for i in kept], [wheres[i] for i in kept])
    return tuple(routes[i] for i in kept)
