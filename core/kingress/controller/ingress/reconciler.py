"""The ClusterIngress reconciler: backend objects applied, status written.

One reconcile, in order (docs/clusteringress.md, "What the controller does"):

1. read the ingress; gone → nothing to do (owner references let the garbage
   collector remove its objects); being deleted → remove what it placed in
   other namespaces, then kingress's finalizer, if it has one;
2. read the class annotation (aliases normalised); no class, or one no
   installed backend claims → the object is left exactly as it is: no status,
   no finalizer, no write (Knative's ``ingressclass`` conformance test), since
   another controller may serve that class;
3. default and validate → ``NetworkConfigured=False ValidationFailed``;
4. host ownership (``hosts``): a host another ingress owns, or a cluster-local
   name of another namespace → ``DomainConflict``, the ingress is rejected
   whole and everything applied for it removed; otherwise its hosts are granted;
5. read the backend's ConfigMap and the split Services/Endpoints into a
   ``TranslateContext`` (tracked, so their changes re-trigger the ingress);
6. translate, guarded (a deadline, ``CallGuard``) → ``NetworkConfigured=False``
   with the failure's reason; nothing is applied and the previous objects keep
   serving. ``translate`` is a pure function of the backend, the prepared
   ingress and the context: while those equal the last ones of the ingress
   (a reconcile after its own status write, or its children's), the last
   translation is used again (``Recent``);
7. apply every object — with the ingress as controller owner, or, for one in
   another namespace, by label under kingress's finalizer (``foreign``) → a
   same-named object we do not own is ``NetworkConfigured=False NotOwned``; a
   refused write is ``ReconcileIngressFailed`` and the reconcile is retried;
8. delete our objects, of every kind ever applied, that are no longer wanted;
9. readiness: the backend's ``check_ready`` (guarded) on the objects as read
   back, then the ``GatewayProber``;
10. write the status, only if it changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pydantic

from kingress.api.annotations import INGRESS_CLASS, INGRESS_LABEL, normalize_ingress_class
from kingress.api.fielderrors import ValidationError
from kingress.api.ingress import GROUP, KIND, IngressStatus
from kingress.backends import Backend, BackendRegistry, Translation
from kingress.cluster.errors import ApiError, NotFound, is_transient
from kingress.cluster.port import Cluster, Kind, Object, ObjectRef
from kingress.controller.apply import NotOwned, delete_stale, ensure
from kingress.controller.clock import stamp
from kingress.controller.ingress.context import (
    CONFIG_MAP,
    ENDPOINTS,
    SERVICE,
    IngressSettings,
    read_context,
)
from kingress.controller.ingress.foreign import (
    ensure_foreign,
    has_finalizer,
    set_finalizer,
    sweep,
)
from kingress.controller.ingress.hosts import Claim, granted_hosts, record_granted_hosts
from kingress.controller.ingress.ownership import HostOwnership, created, stored_status
from kingress.controller.ingress.readiness import GatewayProber, OfflineProber, check_readiness
from kingress.controller.ingress.status import (
    Reason,
    applied_kinds,
    load_balancer,
    network_configured,
    network_failed,
    network_pending,
    observed,
    record_applied_kinds,
)
from kingress.controller.recent import Recent
from kingress.controller.reconciler import ANY_KIND, Context, Result, Watch, owner_mapper
from kingress.controller.tracker import Tracker
from kingress.frozen import FrozenDict
from kingress.ingress.guard import CallGuard
from kingress.ingress.messages import condition_message
from kingress.ingress.pipeline import BackendFailure, PreparedCache, kept, translate
from kingress.manifests import describe

CLUSTER_INGRESS = Kind(GROUP, KIND)


@dataclass(slots=True)
class _Pass:
    """One reconcile of one claimed ingress: what every phase needs."""

    cluster: Cluster
    ref: ObjectRef
    #: The ingress as last read or written (its finalizer may change on the way).
    raw: Object
    backend: Backend
    old: IngressStatus
    now: str
    #: The hosts its spec claims, once known.
    wants: frozenset[str] = field(default_factory=frozenset)

    def finish(self, status: IngressStatus) -> None:
        """Write ``status`` (with observedGeneration) unless it equals what is stored."""
        new = observed(status, self.raw["metadata"].get("generation"), self.now)
        # Equal models render equally: only a changed status is rendered to compare.
        if new != self.old and new.to_dict() != self.old.to_dict():
            self.raw = self.cluster.update_status({**self.raw, "status": new.to_dict()})
            self.old = new


class IngressReconciler:
    """Realises ClusterIngresses of every class claimed by a backend in ``registry``.

    ``prober`` confirms readiness once a backend reports its objects taken
    (``OfflineProber`` by default); ``settings`` name the system namespace of
    the backends' ConfigMaps, the cluster domain and the shared secret
    namespaces; ``guard`` bounds every backend call (10 s by default); a
    reconcile still waiting for the load balancer, or whose backend timed
    out, asks to be run again after ``recheck_after`` seconds.
    """

    name = "clusteringress"
    kind = CLUSTER_INGRESS

    def __init__(
        self,
        registry: BackendRegistry,
        *,
        prober: GatewayProber | None = None,
        settings: IngressSettings | None = None,
        guard: CallGuard | None = None,
        recheck_after: float = 5.0,
    ) -> None:
        self.registry = registry
        self.prober: GatewayProber = prober or OfflineProber()
        self.settings = settings or IngressSettings()
        self.guard = guard or CallGuard()
        self.recheck_after = recheck_after
        self._tracker = Tracker()
        self._prepared = PreparedCache()
        self._translations: Recent[ObjectRef, Translation] = Recent()
        self._hosts = HostOwnership(
            CLUSTER_INGRESS,
            self.settings.cluster_domain,
            lambda raw: self.backend_for(raw) is not None,
            self._prepared,
        )

    def watches(self) -> Sequence[Watch]:
        """Children (by owner), ingresses waiting for a host, Services, Endpoints, ConfigMaps."""
        tracked = self._tracker.mapper()
        return (
            Watch(ANY_KIND, owner_mapper(CLUSTER_INGRESS)),
            Watch(CLUSTER_INGRESS, self._hosts.waiting),
            Watch(SERVICE, tracked),
            Watch(ENDPOINTS, tracked),
            Watch(CONFIG_MAP, tracked),
        )

    def backend_for(self, obj: Object) -> Backend | None:
        """The backend claiming the object's class annotation, if any."""
        annotations = (obj.get("metadata") or {}).get("annotations") or {}
        value = annotations.get(INGRESS_CLASS)
        ingress_class = normalize_ingress_class(value) if isinstance(value, str) else ""
        if not ingress_class or not self.registry.claims(ingress_class):
            return None
        return self.registry.for_class(ingress_class)

    def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
        """Bring the backend's objects and the status in line with the ingress ``ref``."""
        self._hosts.load(ctx.cluster)
        try:
            raw = ctx.cluster.get(ref.kind, ref.namespace, ref.name)
        except NotFound:
            self._tracker.forget(ref)
            self._hosts.index.remove(ref)
            self._translations.forget(ref)
            return Result()
        backend = self.backend_for(raw)
        if backend is None or raw["metadata"].get("deletionTimestamp"):
            self._stand_aside(ctx.cluster, ref, raw)
            return Result()
        run = _Pass(ctx.cluster, ref, raw, backend, stored_status(raw), stamp(ctx.clock))
        try:
            status, result = self._converge(run)
            run.finish(status)
        finally:
            self._hosts.index.put(Claim(ref, created(raw), run.wants, granted_hosts(run.old)))
        return result

    def _stand_aside(self, cluster: Cluster, ref: ObjectRef, raw: Object) -> None:
        """Not ours to serve (another class) or going away: touch nothing but our finalizer.

        Its claim is remembered (its objects may still serve its hosts); one
        being deleted with kingress's finalizer first loses what it placed in
        other namespaces, then the finalizer.
        """
        self._tracker.forget(ref)
        self._hosts.index.put(self._hosts.claim(raw))
        if raw["metadata"].get("deletionTimestamp") and has_finalizer(raw):
            sweep(cluster, ref, applied_kinds(stored_status(raw)), set())
            set_finalizer(cluster, raw, present=False)

    def _converge(self, run: _Pass) -> tuple[IngressStatus, Result]:
        status = run.old
        try:
            prepared = self._prepared.prepare(run.raw)
        except (ValidationError, pydantic.ValidationError) as error:
            self._tracker.forget(run.ref)
            message = condition_message(describe(error))
            return network_failed(status, Reason.VALIDATION_FAILED, message, run.now), Result()
        run.wants, refused = self._hosts.take(run.cluster, run.raw, prepared.ingress)
        if refused:
            self._tracker.forget(run.ref)
            return self._reject(run, refused), Result()
        status = record_granted_hosts(status, granted_hosts(status) | run.wants)
        context, reads = read_context(
            run.cluster, run.backend.name, prepared.ingress, self.settings
        )
        self._tracker.track(run.ref, reads)
        shared = self.settings.shared_secret_namespaces
        inputs = (run.backend, prepared, context, shared)
        try:
            translation = self._translations.get(
                run.ref,
                inputs,
                lambda: translate(
                    run.backend, prepared, context, guard=self.guard, shared_namespaces=shared
                ),
            )
        except BackendFailure as failure:
            retry = self.recheck_after if failure.reason == Reason.TRANSLATION_TIMEOUT else None
            status = network_failed(status, failure.reason, failure.message, run.now)
            return status, Result(requeue_after=retry)
        wanted = {Kind.of(obj) for obj in translation.objects}
        status = record_applied_kinds(status, applied_kinds(status) | wanted)
        try:
            applied = self._apply(run, translation, applied_kinds(status))
        except NotOwned as error:
            return network_failed(status, Reason.NOT_OWNED, str(error), run.now), Result()
        except ApiError as error:
            mark = network_pending if is_transient(error) else network_failed
            run.finish(mark(status, Reason.RECONCILE_FAILED, error.message, run.now))
            raise
        if not all(type(obj) is FrozenDict for obj in translation.objects):
            self._translations.put(run.ref, inputs, kept(translation, applied))
        status = record_applied_kinds(network_configured(status, run.now), wanted)
        status = record_granted_hosts(status, run.wants)
        readiness = check_readiness(
            run.backend, prepared, applied, translation, self.prober, self.guard
        )
        status = load_balancer(status, readiness, translation, run.now)
        again = readiness.ready is None or readiness.reason == Reason.READINESS_CHECK_TIMEOUT
        return status, Result(requeue_after=self.recheck_after if again else None)

    def _reject(self, run: _Pass, refused: dict[str, str]) -> IngressStatus:
        """``DomainConflict``: nothing of the ingress is served; it keeps the hosts it still may."""
        status = run.old
        self._apply(run, Translation(), applied_kinds(status))
        status = record_applied_kinds(status, ())
        status = record_granted_hosts(status, (granted_hosts(status) & run.wants) - set(refused))
        message = condition_message(
            "; ".join(f'host "{host}" {why}' for host, why in sorted(refused.items()))
        )
        return network_failed(status, Reason.DOMAIN_CONFLICT, message, run.now)

    def _apply(self, run: _Pass, translation: Translation, kinds: Iterable[Kind]) -> list[Object]:
        """Create or update every wanted object, then delete the stale ones.

        Returns the stored objects, in the translation's order.
        """
        here = [ObjectRef.of(obj).namespace == run.ref.namespace for obj in translation.objects]
        own = [obj for obj, ours in zip(translation.objects, here, strict=True) if ours]
        elsewhere = [obj for obj, ours in zip(translation.objects, here, strict=True) if not ours]
        if elsewhere:
            run.raw = set_finalizer(run.cluster, run.raw, present=True)
        stored_own = iter([ensure(run.cluster, obj, run.raw) for obj in own])
        stored_elsewhere = iter([ensure_foreign(run.cluster, obj, run.ref) for obj in elsewhere])
        applied = [next(stored_own if ours else stored_elsewhere) for ours in here]
        keep: dict[Kind, set[str]] = {}
        for obj in own:
            keep.setdefault(Kind.of(obj), set()).add(obj["metadata"]["name"])
        for kind in sorted(kinds):
            delete_stale(
                run.cluster,
                kind,
                run.ref.namespace,
                {INGRESS_LABEL: run.ref.name},
                keep.get(kind, ()),
                run.raw["metadata"]["uid"],
            )
        if has_finalizer(run.raw):
            sweep(run.cluster, run.ref, kinds, {ObjectRef.of(obj) for obj in elsewhere})
            if not elsewhere:
                run.raw = set_finalizer(run.cluster, run.raw, present=False)
        return applied
