"""Which traffic groups of a Route are reachable only from inside the cluster.

A group is cluster-local when the whole Route is (its ``config-domain`` domain
is ``svc.<cluster-domain>``, which the Route label
``networking.knative.dev/visibility: cluster-local`` forces) or when its
placeholder Service carries that label. The placeholder Service is the user's
switch for one tag: the Route's own visibility label is never copied onto it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kingress.api.annotations import VISIBILITY_CLUSTER_LOCAL, VISIBILITY_LABEL
from kingress.api.ingress import Visibility
from kingress.api.meta import ObjectMeta
from kingress.config.store import RouteConfig
from kingress.route.domains import hostname

DEFAULT_GROUP = ""


def route_visibility(config: RouteConfig, meta: ObjectMeta) -> Visibility:
    """The visibility of the Route as a whole."""
    domain = config.domain.lookup(meta.labels, config.network.cluster_domain)
    if domain == config.network.cluster_local_domain:
        return Visibility.CLUSTER_LOCAL
    return Visibility.EXTERNAL_IP


def resolve_visibility(
    config: RouteConfig,
    meta: ObjectMeta,
    tags: Iterable[str],
    placeholder_labels: Mapping[str, Mapping[str, str]],
) -> dict[str, Visibility]:
    """The visibility of the default group (``""``) and of every tag.

    ``placeholder_labels`` maps the names of the Route's existing placeholder
    Services to their labels.
    """
    default = route_visibility(config, meta)
    result: dict[str, Visibility] = {}
    for tag in sorted({DEFAULT_GROUP, *tags}):
        labels = placeholder_labels.get(hostname(config, meta.name, tag), {})
        local = labels.get(VISIBILITY_LABEL) == VISIBILITY_CLUSTER_LOCAL
        if local or default is Visibility.CLUSTER_LOCAL:
            result[tag] = Visibility.CLUSTER_LOCAL
        else:
            result[tag] = Visibility.EXTERNAL_IP
    return result
