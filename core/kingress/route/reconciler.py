"""The Route reconciler: a Route becomes one ClusterIngress and its placeholder Services.

A reconcile is a short list of phases (Knative's ``ReconcileKind``):

1. read ``config-network`` / ``config-domain`` / ``config-features``;
2. resolve the traffic block (all-or-nothing), the visibility of each group
   and the Route's URL — a target that cannot be resolved stops here, leaving
   the children as they are;
3. check that the placeholder Services' names are free or ours;
4. build the ClusterIngress (stepping a gradual rollout) and apply it, written
   only when its spec, labels or annotations differ; propagate its readiness;
5. shape the placeholder Services from its load balancer, delete stale ones;
6. write the Route's status if it changed.

Construct with ``RouteReconciler()``; it needs nothing else (the cluster and
the clock come with each reconcile's ``Context``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from kingress.api.annotations import ROLLOUT_ANNOTATION, ROUTE_LABEL, VISIBILITY_LABEL
from kingress.api.ingress import GROUP as NETWORKING_GROUP
from kingress.api.ingress import KIND as CLUSTER_INGRESS_KIND
from kingress.api.ingress import ClusterIngress, Visibility
from kingress.api.serving import (
    GROUP,
    ROUTE_KIND,
    Addressable,
    Route,
)
from kingress.api.serving_defaults import set_route_defaults
from kingress.cluster.errors import NotFound
from kingress.cluster.port import Cluster, Kind, Object, ObjectRef
from kingress.config import ConfigError
from kingress.config.store import CONFIG_MAP, RouteConfig, RouteConfigLoader, is_route_config_map
from kingress.controller.apply import NotOwned, delete_stale, ensure, is_controlled_by
from kingress.controller.clock import stamp
from kingress.controller.recent import Recent
from kingress.controller.reconciler import Context, Result, Watch, owner_mapper
from kingress.frozen import FrozenDict, freeze_like
from kingress.route.domains import DomainError, domain_name, hostname
from kingress.route.lifecycle import EXTERNAL_DOMAIN_TLS_NOT_ENABLED, RouteStatusDraft
from kingress.route.lookups import CONFIGURATION, REVISION, ClusterLookup, service_ports
from kingress.route.names import ingress_name
from kingress.route.references import References
from kingress.route.resources.ingress import make_cluster_ingress
from kingress.route.resources.placeholder import (
    ENDPOINTS,
    SERVICE,
    LoadBalancerError,
    PlaceholderPair,
    load_balancer,
    make_k8s_service,
    make_placeholder_service,
    needs_recreate,
)
from kingress.route.rollout import Rollout, build_rollout, effective_rollout, unix_nanos
from kingress.route.settings import (
    HTTPProtocolError,
    http_option_for,
    ingress_class_for,
    rollout_duration_for,
)
from kingress.route.status import address_url, route_url, status_traffic
from kingress.route.traffic import (
    TrafficConfig,
    TrafficError,
    resolve_traffic,
)
from kingress.route.visibility import resolve_visibility

ROUTE: Final = Kind(GROUP, ROUTE_KIND)
CLUSTER_INGRESS: Final = Kind(NETWORKING_GROUP, CLUSTER_INGRESS_KIND)


@dataclass
class _Pass:
    """One reconcile's working state."""

    cluster: Cluster
    obj: Object
    route: Route
    draft: RouteStatusDraft
    now: int
    reads: set[ObjectRef] = field(default_factory=set)
    requeue_at: int = 0

    @property
    def namespace(self) -> str:
        return self.route.metadata.namespace or ""

    @property
    def name(self) -> str:
        return self.route.metadata.name

    def get(self, kind: Kind, name: str) -> Object | None:
        self.reads.add(ObjectRef(kind, self.namespace, name))
        try:
            return self.cluster.get(kind, self.namespace, name)
        except NotFound:
            return None


class RouteReconciler:
    """Reconciles Routes into a ClusterIngress and placeholder Services."""

    name = "route"
    kind = ROUTE

    def __init__(self) -> None:
        self._references = References()
        self._config = RouteConfigLoader()
        #: The desired ClusterIngress (wire form) last built for each Route, frozen like
        #: the stored ingress once applied.
        self._desired: Recent[ObjectRef, Object] = Recent()

    def watches(self) -> Sequence[Watch]:
        """Children (by owner), the objects each Route read, and the config maps."""
        by_owner = owner_mapper(ROUTE)
        read = self._references.readers
        return (
            Watch(CLUSTER_INGRESS, by_owner),
            Watch(CLUSTER_INGRESS, read),
            Watch(SERVICE, by_owner),
            Watch(SERVICE, read),
            Watch(ENDPOINTS, by_owner),
            Watch(ENDPOINTS, read),
            Watch(CONFIGURATION, read),
            Watch(REVISION, read),
            Watch(CONFIG_MAP, self._config_map_mapper),
        )

    def _config_map_mapper(self, obj: Object) -> list[ObjectRef]:
        return self._references.routes() if is_route_config_map(obj) else []

    def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
        """Bring the Route's children and status in line with the Route."""
        try:
            obj = ctx.cluster.get(ROUTE, ref.namespace, ref.name)
        except NotFound:
            self._references.forget(ref)
            self._desired.forget(ref)
            return Result()
        route = set_route_defaults(Route.from_dict(obj))
        if route.metadata.deletion_timestamp:
            return Result()
        now = ctx.clock.now()
        state = _Pass(
            cluster=ctx.cluster,
            obj=obj,
            route=route,
            draft=RouteStatusDraft(route.status, stamp(ctx.clock)),
            now=unix_nanos(now),
        )
        try:
            self._reconcile(state)
        finally:
            self._references.track(ref, state.reads)
        state.draft.observed_generation = route.metadata.generation
        status = state.draft.build()
        # Equal models render equally: only a changed status is rendered to compare.
        if status != route.status and status.to_dict() != route.status.to_dict():
            ctx.cluster.update_status({**obj, "status": status.to_dict()})
        if state.requeue_at > 0:
            return Result(requeue_after=max(0.0, (state.requeue_at - state.now) / 1e9))
        return Result()

    # --- phases ---------------------------------------------------------------------

    def _reconcile(self, state: _Pass) -> None:
        draft = state.draft
        route = state.route
        meta = route.metadata
        try:
            config = self._config.load(state.cluster)
        except ConfigError as error:
            draft.mark_config_error(str(error))
            return
        if meta.generation != route.status.observed_generation:
            # A new generation must not look Ready before its ingress is written.
            draft.mark_ingress_not_configured()

        traffic_and_visibility = self._configure_traffic(state, config)
        if traffic_and_visibility is None:
            return
        traffic, visibility = traffic_and_visibility
        draft.address = Addressable(url=address_url(config, meta))

        names = {group: hostname(config, meta.name, group) for group in traffic.group_names}
        existing = self._placeholder_ownership(state, names.values())
        if existing is None:
            return
        draft.mark_tls_not_enabled(EXTERNAL_DOMAIN_TLS_NOT_ENABLED)

        applied = self._reconcile_ingress(state, config, traffic, visibility)
        if applied is None:
            return
        ingress, rollout = applied
        in_progress = not rollout.done
        if ingress.metadata.generation != ingress.status.observed_generation:
            draft.mark_ingress_not_configured()
        elif not in_progress:
            draft.propagate_ingress_status(ingress.status)

        try:
            self._reconcile_placeholders(state, config, names, visibility, existing, ingress)
        except LoadBalancerError as error:
            draft.mark_ingress_failed(str(error))
            return

        if in_progress:
            draft.mark_rollout_in_progress()
            draft.traffic = status_traffic(config, meta, traffic, visibility, rollout)

    def _configure_traffic(
        self, state: _Pass, config: RouteConfig
    ) -> tuple[TrafficConfig, dict[str, Visibility]] | None:
        """Resolve targets, visibility and URL; mark ``AllTrafficAssigned``."""
        draft = state.draft
        route = state.route
        meta = route.metadata
        try:
            resolution = resolve_traffic(route, ClusterLookup(state.cluster, state.namespace))
        except TrafficError as error:
            draft.mark_unknown_traffic_error(str(error))
            return None
        state.reads.update(
            ObjectRef(CONFIGURATION, state.namespace, n) for n in resolution.configurations
        )
        state.reads.update(ObjectRef(REVISION, state.namespace, n) for n in resolution.revisions)
        placeholders = state.cluster.list(SERVICE, state.namespace, {ROUTE_LABEL: meta.name})
        labels = {
            svc["metadata"]["name"]: svc["metadata"].get("labels") or {} for svc in placeholders
        }
        tags = [target.tag for target in route.spec.traffic if target.tag]
        try:
            visibility = resolve_visibility(config, meta, tags, labels)
            draft.url = route_url(config, meta, visibility)
        except DomainError as error:
            draft.mark_config_error(str(error))
            return None
        if resolution.error is not None:
            draft.mark_target_error(resolution.error)
            return None
        traffic = resolution.config
        assert traffic is not None  # no error means a resolved block
        try:
            draft.traffic = status_traffic(config, meta, traffic, visibility)
        except DomainError as error:
            draft.mark_config_error(str(error))
            return None
        draft.mark_traffic_assigned()
        return traffic, visibility

    def _placeholder_ownership(
        self, state: _Pass, names: Iterable[str]
    ) -> dict[str, Object | None] | None:
        """The existing placeholder Services by name; None (and NotOwned) if one is foreign."""
        uid = state.route.metadata.uid or ""
        existing: dict[str, Object | None] = {}
        for name in sorted(set(names)):
            service = state.get(SERVICE, name)
            if service is not None and not is_controlled_by(service, uid):
                state.draft.mark_service_not_owned(name)
                return None
            endpoints = state.get(ENDPOINTS, name)
            if endpoints is not None and not is_controlled_by(endpoints, uid):
                state.draft.mark_endpoints_not_owned(name)
                return None
            existing[name] = service
        return existing

    def _reconcile_ingress(
        self,
        state: _Pass,
        config: RouteConfig,
        traffic: TrafficConfig,
        visibility: Mapping[str, Visibility],
    ) -> tuple[ClusterIngress, Rollout] | None:
        """Apply the ClusterIngress (stepping any rollout); None if it cannot be."""
        draft = state.draft
        route = state.route
        annotations = route.metadata.annotations
        try:
            http_option = http_option_for(annotations, config.network)
        except HTTPProtocolError as error:
            draft.mark_ingress_failed(str(error))
            return None
        found = state.get(CLUSTER_INGRESS, ingress_name(state.name))
        desired_rollout = build_rollout(traffic)
        rollout = desired_rollout
        if found is not None:
            current = ClusterIngress.from_dict(found)
            rollout, state.requeue_at = effective_rollout(
                desired_rollout,
                current.metadata.annotations.get(ROLLOUT_ANNOTATION),
                duration_seconds=rollout_duration_for(annotations, config.network),
                ingress_ready=current.status.is_ready(current.metadata.generation),
                route_ingress_ready=draft.ingress_ready(),
                now=state.now,
            )
        ingress_class = ingress_class_for(annotations, config.network)
        ports = service_ports(traffic, rollout, lambda name: state.get(SERVICE, name))
        meta = route.metadata
        # Everything make_cluster_ingress reads: a no-op reconcile reuses its last result.
        inputs = (
            (meta.name, meta.namespace, meta.labels, meta.annotations),
            (traffic, rollout, config, dict(visibility), ingress_class, http_option, ports),
        )

        def build() -> Object:
            built = make_cluster_ingress(
                route,
                traffic,
                rollout,
                config=config,
                visibility=visibility,
                ingress_class=ingress_class,
                http_option=http_option,
                service_ports=ports,
            )
            return built.to_dict()

        ref = ObjectRef(ROUTE, state.namespace, state.name)
        try:
            desired = self._desired.get(ref, inputs, build)
        except DomainError as error:
            draft.mark_config_error(str(error))
            return None
        try:
            applied = ensure(state.cluster, desired, state.obj)
        except NotOwned as error:
            draft.mark_ingress_not_owned(str(error))
            return None
        if type(desired) is not FrozenDict:
            # Kept for the next reconcile frozen, its parts shared with the stored ingress.
            self._desired.put(ref, inputs, freeze_like(desired, applied))
        return ClusterIngress.from_dict(applied), rollout

    def _reconcile_placeholders(
        self,
        state: _Pass,
        config: RouteConfig,
        names: Mapping[str, str],
        visibility: Mapping[str, Visibility],
        existing: Mapping[str, Object | None],
        ingress: ClusterIngress,
    ) -> None:
        """Create or reshape each group's placeholder Service; delete stale ones."""
        route = state.route
        for group, name in sorted(names.items()):
            current = existing.get(name)
            label = ((current or {}).get("metadata") or {}).get("labels", {}).get(VISIBILITY_LABEL)
            balancer = load_balancer(ingress, cluster_local=label == "cluster-local")
            pair = None
            if balancer is not None:
                pair = make_k8s_service(route, name, balancer, visibility=label)
            if pair is None:
                local = visibility.get(group) is Visibility.CLUSTER_LOCAL
                domain = domain_name(config, route.metadata, name, cluster_local=local)
                pair = make_placeholder_service(route, name, domain, visibility=label)
            self._apply_pair(state, current, pair)
        uid = route.metadata.uid
        stale = delete_stale(
            state.cluster, SERVICE, state.namespace, {ROUTE_LABEL: state.name}, names.values(), uid
        )
        for name in stale:
            endpoints = state.get(ENDPOINTS, name)
            if endpoints is not None and is_controlled_by(endpoints, uid or ""):
                state.cluster.delete(ENDPOINTS, state.namespace, name)

    def _apply_pair(self, state: _Pass, current: Object | None, pair: PlaceholderPair) -> None:
        name = pair.service["metadata"]["name"]
        if current is not None and needs_recreate(current, pair.service):
            state.cluster.delete(SERVICE, state.namespace, name)
        ensure(state.cluster, pair.service, state.obj)
        if pair.endpoints is not None:
            ensure(state.cluster, pair.endpoints, state.obj)
        elif state.get(ENDPOINTS, name) is not None:
            state.cluster.delete(ENDPOINTS, state.namespace, name)
