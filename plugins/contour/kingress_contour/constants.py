"""Contour's API vocabulary used by the backend: groups, kinds, keys and statuses.

Kept in one place so builders, readiness and tests spell Contour's names the
same way (``projectcontour.io/v1`` HTTPProxy and TLSCertificateDelegation).
"""

from __future__ import annotations

from enum import StrEnum

from kingress import IngressClass

#: The backend's name: the entry-point name and the short ingress-class alias.
BACKEND_NAME = "contour"
#: The ClusterIngress class this backend claims.
CONTOUR_INGRESS_CLASS = str(IngressClass.CONTOUR)

#: Contour's API group/version of every object emitted.
API_VERSION = "projectcontour.io/v1"
HTTPPROXY_KIND = "HTTPProxy"
DELEGATION_KIND = "TLSCertificateDelegation"

#: Annotation Contour reads to pick the Contour installation (it wins over the field).
CLASS_ANNOTATION = "projectcontour.io/ingress.class"
#: Label on a TLSCertificateDelegation naming the namespace of the ingress it serves
#: (the delegation lives in the secret's namespace, not the ingress's).
PARENT_NAMESPACE_LABEL = "contour.networking.knative.dev/parent-namespace"

#: Contour's duration syntax (Go durations, or ``infinity``), as its CRD validates it.
DURATION_PATTERN = (
    r"^(((\d*(\.\d*)?h)|(\d*(\.\d*)?m)|(\d*(\.\d*)?s)|(\d*(\.\d*)?ms)|(\d*(\.\d*)?us)"
    r"|(\d*(\.\d*)?µs)|(\d*(\.\d*)?ns))+|infinity|infinite)$"
)
#: What Contour accepts as a virtual host (lowercase DNS name, optional leading ``*.``).
FQDN_PATTERN = r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
#: An HTTP header field name (RFC 9110 token); Contour rejects others.
HEADER_NAME_PATTERN = r"^[-!#$%&'*+.^_`|~0-9A-Za-z]+$"

#: Response timeout written on every route: Contour's spelling of "no timeout".
NO_TIMEOUT = "infinity"


class ProxyStatus(StrEnum):
    """``status.currentStatus`` values Contour writes on an HTTPProxy."""

    VALID = "valid"
    INVALID = "invalid"
    ORPHANED = "orphaned"
    NOT_RECONCILED = "NotReconciled"
