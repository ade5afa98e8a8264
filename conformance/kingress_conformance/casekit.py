"""Small builders the case modules share, so each case reads like its table row.

Everything lives in the conformance namespace; hosts are ``<slug>.example.com``
for public rules and ``<name>.<namespace>.svc.cluster.local`` for cluster-local
ones.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kingress import ClusterIngress, HTTPIngressPath, IngressBackendSplit, IngressRule, Visibility
from kingress.testing import ingress as build_ingress
from kingress.testing import path as build_path
from kingress.testing import rule as build_rule
from kingress.testing import split as build_split
from kingress.testing import tls as build_tls
from kingress_conformance.case import CLUSTER_DOMAIN, DOMAIN, NAMESPACE, SERVICE_PORT


def public_host(slug: str) -> str:
    """A public host of the case: ``<slug>.example.com``."""
    return f"{slug}.{DOMAIN}"


def local_host(name: str) -> str:
    """A cluster-local host: ``<name>.<namespace>.svc.cluster.local``."""
    return f"{name}.{NAMESPACE}.svc.{CLUSTER_DOMAIN}"


def to(
    service: str, percent: int = 100, *, headers: Mapping[str, str] | None = None
) -> IngressBackendSplit:
    """A split to a test Service."""
    return build_split(service, percent, port=SERVICE_PORT, namespace=NAMESPACE, headers=headers)


def path(
    *splits: IngressBackendSplit,
    prefix: str = "",
    match: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    rewrite_host: str = "",
) -> HTTPIngressPath:
    """A path with exact header ``match``es and pre-split ``headers``."""
    return build_path(
        prefix, splits=splits, match=match, headers=headers, rewrite_host=rewrite_host
    )


def rule(hosts: Sequence[str], *paths: HTTPIngressPath, private: bool = False) -> IngressRule:
    """A rule; ``private`` makes it ClusterLocal."""
    visibility = Visibility.CLUSTER_LOCAL if private else Visibility.EXTERNAL_IP
    return build_rule(hosts, paths=paths, visibility=visibility)


def ingress(
    name: str,
    *rules: IngressRule,
    tls: Sequence[tuple[Sequence[str], str]] = (),
    http_option: str = "Enabled",
) -> ClusterIngress:
    """A ClusterIngress of the case (no class: the depth sets it).

    ``httpOption`` defaults to ``Enabled`` as Knative's conformance helper
    (``setDefaultsForTest``) does; ``tls`` is ``(hosts, secret)`` pairs.
    """
    return build_ingress(
        name,
        namespace=NAMESPACE,
        rules=rules,
        tls_entries=[build_tls(hosts, secret, NAMESPACE) for hosts, secret in tls],
        http_option=http_option,
    )


def simple(name: str, host: str, service: str) -> ClusterIngress:
    """One public host, one catch-all path, one split."""
    return ingress(name, rule([host], path(to(service))))
