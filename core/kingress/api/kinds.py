"""The kinds kingress serves, registered into a scheme.

Knative's kinds (ClusterIngress; Service, Configuration, Revision and Route
in v1 and the seed's v1alpha1) are parsed, defaulted and validated; the
Kubernetes kinds the reconcilers create or read (Services, Endpoints,
Deployments, ConfigMaps…), and those that installing kingress creates (CRDs,
RBAC), are stored as given. Backends' own kinds are stored as given too.
"""

from __future__ import annotations

from kingress.api import ingress, ingress_validation
from kingress.api.scheme import Scheme, TypeInfo
from kingress.api.serving_kinds import register_serving
from kingress.cluster.port import Object

#: Kubernetes kinds stored without interpretation: (apiVersion, kind, namespaced).
KUBERNETES_KINDS: tuple[tuple[str, str, bool], ...] = (
    ("v1", "Namespace", False),
    ("v1", "Service", True),
    ("v1", "Endpoints", True),
    ("v1", "ConfigMap", True),
    ("v1", "Secret", True),
    ("v1", "Pod", True),
    ("v1", "ServiceAccount", True),
    ("apps/v1", "Deployment", True),
    ("discovery.k8s.io/v1", "EndpointSlice", True),
    ("coordination.k8s.io/v1", "Lease", True),
    ("networking.k8s.io/v1", "Ingress", True),
    ("networking.k8s.io/v1", "IngressClass", False),
    ("v1", "Event", True),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition", False),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", False),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", False),
    ("rbac.authorization.k8s.io/v1", "Role", True),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", True),
)


def check_cluster_ingress(obj: Object) -> Object:
    """Parse, default and validate a ClusterIngress (or KIngress) wire object."""
    parsed = ingress.ClusterIngress.from_dict(obj)
    checked = ingress_validation.check(parsed)
    result = checked.to_dict()
    result["kind"] = ingress.KIND
    return result


def register_kubernetes(scheme: Scheme) -> None:
    """Serve the Kubernetes kinds kingress reads and writes."""
    for api_version, kind, namespaced in KUBERNETES_KINDS:
        scheme.register(TypeInfo(api_version, kind, namespaced=namespaced))


def register_networking(scheme: Scheme) -> None:
    """Serve ClusterIngress, and accept Knative's ``Ingress`` as one."""
    scheme.register(TypeInfo(ingress.API_VERSION, ingress.KIND, check_cluster_ingress))
    scheme.register_alias(ingress.API_VERSION, ingress.KNATIVE_KIND, to=ingress.KIND)


def default_scheme() -> Scheme:
    """A scheme serving every kind kingress itself knows."""
    scheme = Scheme()
    register_kubernetes(scheme)
    register_networking(scheme)
    register_serving(scheme)
    return scheme
