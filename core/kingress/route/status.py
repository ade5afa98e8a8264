"""The Route's own status fields: ``url``, ``address`` and ``traffic``.

- ``url``: ``<scheme>://<default group's domain>``; the scheme is
  ``config-network``'s ``default-external-scheme``, or ``http`` when the Route
  is cluster-local.
- ``address.url``: ``http://<route>.<ns>.svc.<cluster-domain>`` (the default
  placeholder Service).
- ``traffic``: the resolved targets flattened to Revisions, with a URL for each
  tag; during a gradual rollout a rolling target is listed once per Revision
  with its current share.
"""

from __future__ import annotations

from collections.abc import Mapping

from kingress.api.ingress import Visibility
from kingress.api.meta import ObjectMeta
from kingress.api.serving import TrafficTarget
from kingress.config.store import RouteConfig
from kingress.route.domains import domain_name, hostname, url
from kingress.route.names import service_hostname
from kingress.route.rollout import Rollout
from kingress.route.traffic import DEFAULT_GROUP, TrafficConfig


def group_url(
    config: RouteConfig, meta: ObjectMeta, group: str, visibility: Mapping[str, Visibility]
) -> str:
    """The URL of one traffic group (raises ``DomainError``)."""
    cluster_local = visibility.get(group) is Visibility.CLUSTER_LOCAL
    host = domain_name(
        config, meta, hostname(config, meta.name, group), cluster_local=cluster_local
    )
    scheme = "http" if cluster_local else config.network.default_external_scheme
    return url(scheme, host)


def route_url(config: RouteConfig, meta: ObjectMeta, visibility: Mapping[str, Visibility]) -> str:
    """``status.url``: the default group's URL."""
    return group_url(config, meta, DEFAULT_GROUP, visibility)


def address_url(config: RouteConfig, meta: ObjectMeta) -> str:
    """``status.address.url``: the default placeholder Service's in-cluster name."""
    host = service_hostname(meta.name, meta.namespace or "", config.network.cluster_domain)
    return url("http", host)


def status_traffic(
    config: RouteConfig,
    meta: ObjectMeta,
    traffic: TrafficConfig,
    visibility: Mapping[str, Visibility],
    rollout: Rollout | None = None,
) -> tuple[TrafficTarget, ...]:
    """``status.traffic`` (``rollout``: the state to show while one is in progress)."""
    result: list[TrafficTarget] = []
    for target in traffic.revision_targets:
        rolling = None
        if rollout is not None and target.latest_revision:
            rolling = rollout.find(target.tag, target.configuration_name)
        shares = (
            [(r.revision_name, r.percent) for r in rolling.revisions]
            if rolling is not None
            else [(target.revision_name, target.percent)]
        )
        tag_url = group_url(config, meta, target.tag, visibility) if target.tag else ""
        result.extend(
            TrafficTarget(
                tag=target.tag,
                revision_name=revision,
                latest_revision=target.latest_revision,
                percent=percent,
                url=tag_url,
            )
            for revision, percent in shares
        )
    return tuple(result)
