"""Root HTTPProxy and TLSCertificateDelegation builders (pure).

One root HTTPProxy per virtual host: ``spec.virtualhost.fqdn`` is the host,
``spec.virtualhost.tls.secretName`` the certificate (``name`` in the ingress's
namespace, ``namespace/name`` elsewhere, which Contour accepts only when that
namespace delegates the secret), the Contour installation is chosen by both the
``projectcontour.io/ingress.class`` annotation (older Contours, and the one that
wins) and ``spec.ingressClassName``, and ``spec.routes`` are the rule's routes.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from typing import Any

from kingress import INGRESS_LABEL, IngressTLS
from kingress_contour.config import Gateway
from kingress_contour.constants import (
    API_VERSION,
    CLASS_ANNOTATION,
    DELEGATION_KIND,
    HTTPPROXY_KIND,
    PARENT_NAMESPACE_LABEL,
)
from kingress_contour.hosts import VirtualHost
from kingress_contour.names import delegation_name, proxy_name

Object = dict[str, Any]


def secret_reference(tls: IngressTLS, namespace: str) -> tuple[str, str]:
    """The secret's namespace and how an HTTPProxy in ``namespace`` names it."""
    secret_namespace = tls.secret_namespace or namespace
    if secret_namespace == namespace:
        return secret_namespace, tls.secret_name
    return secret_namespace, f"{secret_namespace}/{tls.secret_name}"


def make_httpproxy(
    *,
    ingress_name: str,
    namespace: str,
    host: VirtualHost,
    gateway: Gateway,
    routes: Sequence[dict[str, Any]],
    secret_name: str | None = None,
) -> Object:
    """The root HTTPProxy serving one host."""
    virtualhost: dict[str, Any] = {"fqdn": host.fqdn}
    if secret_name:
        virtualhost["tls"] = {"secretName": secret_name}
    return {
        "apiVersion": API_VERSION,
        "kind": HTTPPROXY_KIND,
        "metadata": {
            "name": proxy_name(ingress_name, str(host.visibility), host.fqdn),
            "namespace": namespace,
            "labels": {INGRESS_LABEL: ingress_name},
            "annotations": {CLASS_ANNOTATION: gateway.ingress_class},
        },
        "spec": {
            "ingressClassName": gateway.ingress_class,
            "virtualhost": virtualhost,
            "routes": copy.deepcopy(list(routes)),
        },
    }


def make_tls_delegation(
    *,
    ingress_name: str,
    ingress_namespace: str,
    secret_namespace: str,
    secret_names: Iterable[str],
) -> Object:
    """A delegation, in the secrets' namespace, letting the ingress's namespace use them."""
    return {
        "apiVersion": API_VERSION,
        "kind": DELEGATION_KIND,
        "metadata": {
            "name": delegation_name(ingress_namespace, ingress_name, secret_namespace),
            "namespace": secret_namespace,
            "labels": {
                INGRESS_LABEL: ingress_name,
                PARENT_NAMESPACE_LABEL: ingress_namespace,
            },
        },
        "spec": {
            "delegations": [
                {"secretName": name, "targetNamespaces": [ingress_namespace]}
                for name in sorted(set(secret_names))
            ]
        },
    }
