"""Names of a Route's children and addresses, in one place."""

from __future__ import annotations


def ingress_name(route_name: str) -> str:
    """The ClusterIngress of a Route is named after it."""
    return route_name


def service_hostname(name: str, namespace: str, cluster_domain: str) -> str:
    """The in-cluster DNS name of a Service: ``<name>.<ns>.svc.<cluster-domain>``."""
    return f"{name}.{namespace}.svc.{cluster_domain}"
