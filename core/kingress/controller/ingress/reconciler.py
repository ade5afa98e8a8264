"""The ClusterIngress reconciler: backend objects applied, status written.

One reconcile, in order (docs/clusteringress.md, "What the controller does"):

1. read the ingress; gone, or being deleted → nothing to do (owner references
   let the garbage collector remove its objects);
2. read the class annotation (aliases normalised); no class, or one no
   installed backend claims → the object is left exactly as it is: no status,
   no finalizer, no write (Knative's ``ingressclass`` conformance test), since
   another controller may serve that class;
3. default and validate → ``NetworkConfigured=False ValidationFailed``;
4. read the backend's ConfigMap and the split Services/Endpoints into a
   ``TranslateContext`` (tracked, so their changes re-trigger the ingress);
5. translate, guarded → ``NetworkConfigured=False`` with the failure's reason;
   nothing is applied and the previous objects keep serving;
6. apply every object with the ingress as controller owner → a same-named
   object we do not own is ``NetworkConfigured=False NotOwned``; a refused write
   is ``ReconcileIngressFailed`` (``Unknown`` when retrying may cure it: a 409
   conflict or a server error must not turn a serving ingress ``Ready=False``)
   and the reconcile is retried;
7. delete our objects, of every kind ever applied, that are no longer wanted;
8. readiness: the backend's ``check_ready`` on the objects as read back, then
   the ``GatewayProber``;
9. write the status, only if it changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pydantic

from kingress.api.annotations import INGRESS_CLASS, INGRESS_LABEL, normalize_ingress_class
from kingress.api.fielderrors import ValidationError
from kingress.api.ingress import GROUP, KIND, ClusterIngress, IngressStatus
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
from kingress.controller.reconciler import ANY_KIND, Context, Result, Watch, owner_mapper
from kingress.controller.tracker import Tracker
from kingress.ingress.pipeline import BackendFailure, prepare, translate
from kingress.manifests import describe

CLUSTER_INGRESS = Kind(GROUP, KIND)


@dataclass(frozen=True, slots=True)
class _Pass:
    """One reconcile of one claimed ingress: what every phase needs."""

    cluster: Cluster
    ref: ObjectRef
    raw: Object
    backend: Backend
    old: IngressStatus
    now: str

    def finish(self, status: IngressStatus) -> None:
        """Write ``status`` (with observedGeneration) unless it equals what is stored."""
        new = observed(status, self.raw["metadata"].get("generation"), self.now)
        if new.to_dict() != self.old.to_dict():
            self.cluster.update_status({**self.raw, "status": new.to_dict()})


class IngressReconciler:
    """Realises ClusterIngresses of every class claimed by a backend in ``registry``.

    ``prober`` confirms readiness once a backend reports its objects taken
    (``OfflineProber`` by default); ``settings`` name the system namespace of
    the backends' ConfigMaps and the cluster domain; a reconcile still waiting
    for the load balancer asks to be run again after ``recheck_after`` seconds.
    """

    name = "clusteringress"
    kind = CLUSTER_INGRESS

    def __init__(
        self,
        registry: BackendRegistry,
        *,
        prober: GatewayProber | None = None,
        settings: IngressSettings | None = None,
        recheck_after: float = 5.0,
    ) -> None:
        self.registry = registry
        self.prober: GatewayProber = prober or OfflineProber()
        self.settings = settings or IngressSettings()
        self.recheck_after = recheck_after
        self._tracker = Tracker()

    def watches(self) -> Sequence[Watch]:
        """Children of any kind (by owner), and the Services, Endpoints, ConfigMaps read."""
        tracked = self._tracker.mapper()
        return (
            Watch(ANY_KIND, owner_mapper(CLUSTER_INGRESS)),
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
        try:
            raw = ctx.cluster.get(ref.kind, ref.namespace, ref.name)
        except NotFound:
            self._tracker.forget(ref)
            return Result()
        backend = self.backend_for(raw)
        if backend is None or raw["metadata"].get("deletionTimestamp"):
            self._tracker.forget(ref)
            return Result()
        run = _Pass(ctx.cluster, ref, raw, backend, _stored_status(raw), stamp(ctx.clock))
        status, result = self._converge(run)
        run.finish(status)
        return result

    def _converge(self, run: _Pass) -> tuple[IngressStatus, Result]:
        status = run.old
        try:
            prepared = prepare(ClusterIngress.from_dict({**run.raw, "status": {}}))
        except (ValidationError, pydantic.ValidationError) as error:
            self._tracker.forget(run.ref)
            message = describe(error)
            return network_failed(status, Reason.VALIDATION_FAILED, message, run.now), Result()
        context, reads = read_context(
            run.cluster, run.backend.name, prepared.ingress, self.settings
        )
        self._tracker.track(run.ref, reads)
        try:
            translation = translate(run.backend, prepared, context)
        except BackendFailure as failure:
            return network_failed(status, failure.reason, failure.message, run.now), Result()
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
        status = record_applied_kinds(network_configured(status, run.now), wanted)
        readiness = check_readiness(run.backend, prepared, applied, translation, self.prober)
        status = load_balancer(status, readiness, translation, run.now)
        return status, Result(requeue_after=self.recheck_after if readiness.ready is None else None)

    def _apply(self, run: _Pass, translation: Translation, kinds: Iterable[Kind]) -> list[Object]:
        """Create or update every wanted object, then delete the stale ones; the stored objects."""
        applied = [ensure(run.cluster, obj, run.raw) for obj in translation.objects]
        keep: dict[Kind, set[str]] = {}
        for obj in translation.objects:
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
        return applied


def _stored_status(raw: Object) -> IngressStatus:
    """The status as stored; an unparseable one counts as empty (it is rewritten)."""
    try:
        return IngressStatus.from_dict(raw.get("status") or {})
    except pydantic.ValidationError:
        return IngressStatus()
