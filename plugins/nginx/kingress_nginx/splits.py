"""What both NGINX translators need to know about a path's splits.

Splits with 0% get no traffic, so they are dropped before anything is emitted
(NGINX's ``split_clients`` and ingress-nginx's canary weights then only see
backends that should receive requests). The headers a split's requests carry
are the path's pre-split headers, then ``Host`` from ``rewriteHost``, then the
split's own post-split headers, each later one overwriting an earlier one of
the same name (case-insensitively), as the contract's "set" semantics require.
"""

from __future__ import annotations

from dataclasses import dataclass

from kingress import (
    HTTPIngressPath,
    IngressBackendSplit,
    ServicePort,
    TranslateContext,
    TranslationError,
)


@dataclass(frozen=True, slots=True)
class Weighted:
    """A split that receives traffic, with the field naming it."""

    field: str
    split: IngressBackendSplit


def weighted_splits(path: HTTPIngressPath, field: str) -> tuple[Weighted, ...]:
    """The splits of ``path`` with a non-zero percent, in order."""
    chosen = tuple(
        Weighted(f"{field}.splits[{k}]", s) for k, s in enumerate(path.splits) if s.percent > 0
    )
    if not chosen:
        raise TranslationError(f"{field}.splits: no split receives traffic")
    return chosen


def request_headers(
    path: HTTPIngressPath, split: IngressBackendSplit
) -> tuple[tuple[str, str], ...]:
    """The headers set on requests to ``split``, sorted by lowercased name."""
    merged: dict[str, tuple[str, str]] = {}
    for name, value in sorted(path.append_headers.items()):
        merged[name.lower()] = (name, value)
    if path.rewrite_host:
        merged["host"] = ("Host", path.rewrite_host)
    for name, value in sorted(split.append_headers.items()):
        merged[name.lower()] = (name, value)
    return tuple(merged[key] for key in sorted(merged))


@dataclass(frozen=True, slots=True)
class Target:
    """A split's Service port as the gateway needs it."""

    service: str
    port: int
    h2c: bool


def resolve_port(
    split: IngressBackendSplit, context: TranslateContext
) -> tuple[int | None, ServicePort | None]:
    """The split's port number (None if a name the context cannot resolve) and its ServicePort."""
    ref = split.service_port
    if isinstance(ref, str) and ref.isdigit():
        ref = int(ref)
    service = context.service(split.service_namespace, split.service_name)
    found = service.port(ref) if service is not None else None
    if found is not None:
        return found.port, found
    return (ref if isinstance(ref, int) else None), None


def target(split: IngressBackendSplit, field: str, context: TranslateContext) -> Target:
    """The split's Service, port number and protocol; a port name must be resolvable."""
    number, port = resolve_port(split, context)
    if number is None:
        raise TranslationError(
            f"{field}.servicePort: port {split.service_port!r} is not a port of Service "
            f"{split.service_namespace}/{split.service_name}; a port number is needed"
        )
    return Target(split.service_name, number, port is not None and port.is_h2c)
