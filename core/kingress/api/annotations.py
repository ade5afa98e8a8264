"""Annotation and label keys, and the ingress classes kingress ships.

Keys carry Knative's exact spelling so objects written for Knative work here.
"""

from __future__ import annotations

from enum import StrEnum

#: The canonical ingress-class annotation (the only one a ClusterIngress is read by).
INGRESS_CLASS = "networking.knative.dev/ingress.class"
#: The alternative spelling accepted on Routes and Services.
INGRESS_CLASS_ALT = "networking.knative.dev/ingress-class"
#: Plain HTTP handling on a Route: ``enabled`` or ``redirected``.
HTTP_PROTOCOL = "networking.knative.dev/http-protocol"
HTTP_PROTOCOL_ALT = "networking.knative.dev/httpOption"
#: Label that makes a Route (or one tag's placeholder Service) cluster-local.
VISIBILITY_LABEL = "networking.knative.dev/visibility"
VISIBILITY_CLUSTER_LOCAL = "cluster-local"
#: Label put on every object a backend creates for a ClusterIngress.
INGRESS_LABEL = "networking.internal.knative.dev/ingress"
#: Label naming the ClusterIngress's namespace, put on the objects a backend places
#: in another namespace (they cannot have an owner reference; the core finds them by it).
INGRESS_NAMESPACE_LABEL = "networking.internal.knative.dev/ingress-namespace"
#: ClusterIngress annotation holding the gradual-rollout state (JSON).
ROLLOUT_ANNOTATION = "networking.internal.knative.dev/rollout"
#: ClusterIngress annotation mapping tags to their hosts (JSON).
TAG_TO_HOST_ANNOTATION = "networking.internal.knative.dev/tag-to-host"
#: Route annotations for the gradual-rollout duration.
ROLLOUT_DURATION = "serving.knative.dev/rollout-duration"
ROLLOUT_DURATION_ALT = "serving.knative.dev/rolloutDuration"
#: Serving labels.
SERVICE_LABEL = "serving.knative.dev/service"
CONFIGURATION_LABEL = "serving.knative.dev/configuration"
CONFIGURATION_GENERATION_LABEL = "serving.knative.dev/configurationGeneration"
REVISION_LABEL = "serving.knative.dev/revision"
ROUTE_LABEL = "serving.knative.dev/route"
ROUTE_NAMESPACE_LABEL = "serving.knative.dev/routeNamespace"
ROUTING_STATE_LABEL = "serving.knative.dev/routingState"
SERVICE_UID_LABEL = "serving.knative.dev/serviceUID"
CONFIGURATION_UID_LABEL = "serving.knative.dev/configurationUID"
#: The Routes sending traffic to a Configuration or Revision: their names, sorted and
#: comma-separated (Knative's labeler v2 annotation; the label above holds one name only).
ROUTES_ANNOTATION = "serving.knative.dev/routes"
#: The conventional application label; Knative sets it to the revision name on pods.
APP_LABEL = "app"
#: Labels of this group are reserved to Knative (and kingress) on serving objects.
SERVING_GROUP_PREFIX = "serving.knative.dev/"
#: Autoscaling annotations belong on the revision template, not on Services/Configurations.
AUTOSCALING_GROUP = "autoscaling.knative.dev"
#: kingress's own record of which v1alpha1 Service form (``runLatest``, ``release``,
#: ``pinned``, ``manual``) a Service stored as v1 was written in, so it renders back
#: the same; ``manual`` also means the Service does not manage its Route.
V1ALPHA1_FORM_ANNOTATION = "serving.kingress.dev/v1alpha1-form"
#: A Revision status annotation naming the parts of Knative's revision reconciler
#: kingress does not implement yet (digest resolution, autoscaling), so nobody
#: mistakes their absence for success.
NOT_IMPLEMENTED_ANNOTATION = "serving.kingress.dev/not-implemented"
#: kubectl's record of the last applied object; never copied to children.
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


class IngressClass(StrEnum):
    """The ingress classes of the backends shipped with kingress."""

    ISTIO = "istio.ingress.networking.knative.dev"
    CONTOUR = "contour.ingress.networking.knative.dev"
    NGINX = "nginx.ingress.networking.knative.dev"
    INGRESS_NGINX = "ingress-nginx.ingress.networking.knative.dev"
    ENVOY = "envoy.ingress.networking.knative.dev"


#: Knative's default class when neither the Route nor config-network names one.
DEFAULT_INGRESS_CLASS = IngressClass.ISTIO

_CLASS_SUFFIX = ".ingress.networking.knative.dev"


def normalize_ingress_class(value: str) -> str:
    """Expand a short alias (``istio``, ``ingress-nginx``…) to its full class name.

    A value that already contains a dot is a full class name and is returned
    unchanged, so third-party classes pass through untouched.
    """
    value = value.strip()
    if not value or "." in value:
        return value
    return value + _CLASS_SUFFIX
