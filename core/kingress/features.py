"""Conformance features: what a backend claims it can do, and what a case needs.

Gateway-API style: plain, stable strings. A backend declares the set it
supports; a conformance case declares the set it needs; a case whose features
are not all claimed is reported ``not-supported``, never ``passed``.
"""

from __future__ import annotations

from enum import StrEnum


class Feature(StrEnum):
    """One routing capability of the ClusterIngress contract."""

    #: Host + catch-all path to a single backend over HTTP/1.1.
    BASICS = "basics"
    #: Several hosts on one rule.
    MULTIPLE_HOSTS = "multiple-hosts"
    #: Several rules dispatched by host.
    HOST_DISPATCH = "host-dispatch"
    #: Literal path prefixes, most specific first.
    PATH_DISPATCH = "path-dispatch"
    #: Two-way weighted splits, 0% honoured exactly.
    WEIGHTED_SPLIT = "weighted-split"
    #: More than two weighted splits on one path.
    MULTI_WAY_SPLIT = "multi-way-split"
    #: Exact header match on a path.
    HEADER_MATCH = "header-match"
    #: Several exact header matches on one path (AND).
    MULTIPLE_HEADER_MATCH = "multiple-header-match"
    #: Path ``appendHeaders`` set (overwrite) before the split.
    PRE_SPLIT_HEADERS = "pre-split-headers"
    #: Split ``appendHeaders`` set (overwrite) after the split.
    POST_SPLIT_HEADERS = "post-split-headers"
    #: The ``K-Network-Probe`` / ``K-Network-Hash`` readiness probe contract.
    PROBE = "probe"
    #: No automatic retry of failed upstream requests (503 passes through).
    NO_RETRY = "no-retry"
    #: No route timeout shorter than the gateway's maximum.
    NO_TIMEOUT = "no-timeout"
    #: Cleartext HTTP/2 (h2c) to upstreams whose port asks for it.
    H2C = "h2c"
    #: gRPC streams (h2c end to end).
    GRPC = "grpc"
    #: Websocket upgrades.
    WEBSOCKET = "websocket"
    #: ClusterLocal rules reachable only on the private gateway.
    CLUSTER_LOCAL = "cluster-local"
    #: TLS termination from ``spec.tls``.
    TLS = "tls"
    #: ``httpOption: Redirected`` answers plain HTTP with a redirect.
    HTTP_OPTION = "http-option"
    #: ``rewriteHost`` rewrites the upstream Host / authority.
    HOST_REWRITE = "host-rewrite"
    #: Changes to a ready ingress roll out with no failed request.
    UPDATE = "update"


#: Everything the ClusterIngress contract defines.
ALL_FEATURES: frozenset[Feature] = frozenset(Feature)
