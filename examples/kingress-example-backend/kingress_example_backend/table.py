"""The routing table: one line per host, path and split, in the order a request is matched.

Columns: visibility, host, path prefix (``/`` for all paths), header matches,
headers set before the split, backend (``service.namespace:port``), protocol
to the backend (``h2c`` for ports that ask for it, else ``http``), percent, and
headers set after the split. Paths come in the neutral precedence
(``kingress.ordered_paths``); splits with 0% are left out: they get no traffic.
ClusterLocal hosts are listed in every short form a pod may use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kingress import (
    ClusterIngress,
    HTTPIngressPath,
    IngressBackendSplit,
    TranslateContext,
    Visibility,
    expanded_hosts,
    ordered_paths,
)

COLUMNS = (
    "VISIBILITY",
    "HOST",
    "PATH",
    "MATCH",
    "SET",
    "BACKEND",
    "PROTOCOL",
    "PERCENT",
    "SPLIT-SET",
)


def routing_table(ingress: ClusterIngress, context: TranslateContext) -> str:
    """The ingress's routes as an aligned text table."""
    rows: list[tuple[str, ...]] = []
    for rule in ingress.spec.rules:
        hosts = rule.hosts
        if rule.visibility == Visibility.CLUSTER_LOCAL:
            hosts = expanded_hosts(hosts, context.cluster_domain)
        for host in hosts:
            for path in ordered_paths(rule):
                rows += [
                    (rule.visibility.value, host, *_route(path, split, context))
                    for split in path.splits
                    if split.percent > 0
                ]
    return _aligned([COLUMNS, *rows])


def _route(
    path: HTTPIngressPath, split: IngressBackendSplit, context: TranslateContext
) -> tuple[str, ...]:
    matches = {name: match.exact for name, match in path.headers.items()}
    return (
        path.path or "/",
        _pairs(matches),
        _pairs(path.append_headers),
        f"{split.service_name}.{split.service_namespace}:{split.service_port}",
        _protocol(split, context),
        f"{split.percent}%",
        _pairs(split.append_headers),
    )


def _protocol(split: IngressBackendSplit, context: TranslateContext) -> str:
    service = context.service(split.service_namespace, split.service_name)
    port = service.port(split.service_port) if service is not None else None
    return "h2c" if port is not None and port.is_h2c else "http"


def _pairs(headers: Mapping[str, str]) -> str:
    return ",".join(f"{name}={value}" for name, value in sorted(headers.items())) or "-"


def _aligned(lines: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        + "\n"
        for line in lines
    )
