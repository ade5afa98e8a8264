"""The controller manager: every reconciler, run over a Kubernetes API.

- One informer per kind a reconciler owns or watches (optionally in one
  namespace only); reconcilers read through those caches (``CachedCluster``).
- Watch events become keys: an object of a reconciler's kind is its own key;
  an object of a watched kind goes through the watch's mapper. Only changed
  objects are re-reconciled; every primary object is queued again when
  leadership starts and every ``resync_period`` (so nothing a missed event
  would have triggered stays forgotten).
- Workers start taking keys once every cache has synced and every primary
  key is queued, as client-go's controllers wait for ``WaitForCacheSync``: the
  events of the initial lists only queue keys (deduplicated), so a (re)start
  reconciles each object once, reading from complete caches, instead of
  reconciling while the caches fill (each read of an unsynced kind an HTTP
  request, each later event of a listed child another reconcile of its owner).
- One shared work queue of (reconciler, object) keys, deduplicated; a failed
  reconcile (a 409 conflict included) is retried with per-key exponential
  backoff; ``Result.requeue_after`` schedules the next look.
- Leader election: only the holder of the Lease reconciles; the others keep
  their caches warm and take over when it stops renewing.
- ``stop`` is graceful: no new work, in-flight reconciles finish, the Lease is
  released, the HTTP endpoints close.
"""

from __future__ import annotations

import functools
import logging
import socket
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from kingress.cluster.errors import ApiError
from kingress.cluster.kube import KubeCluster
from kingress.cluster.port import EventType, Kind, Object, ObjectRef
from kingress.controller.clock import Clock, SystemClock
from kingress.controller.reconciler import ANY_KIND, Context, Reconciler, Watch
from kingress.runtime.cache import CachedCluster
from kingress.runtime.health import HealthServer
from kingress.runtime.informer import Informer
from kingress.runtime.leader import LeaderElector, LeaseConfig
from kingress.runtime.metrics import Registry
from kingress.runtime.ratelimit import controller_limiter
from kingress.runtime.workqueue import WorkQueue

log = logging.getLogger("kingress.runtime.manager")

Key = tuple[int, ObjectRef]


def default_identity() -> str:
    """``<hostname>_<random>``: unique per process, readable in the Lease."""
    return f"{socket.gethostname()}_{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True, slots=True)
class ManagerOptions:
    """How the manager runs (every duration in seconds)."""

    identity: str = ""
    #: Watch and reconcile only this namespace (``None``: all).
    namespace: str | None = None
    leader_election: bool = True
    lease_namespace: str = "kingress-system"
    lease_name: str = "kingress-controller"
    lease_duration: float = 15.0
    renew_deadline: float = 10.0
    retry_period: float = 2.0
    workers: int = 2
    resync_period: float = 600.0
    #: How long one watch request lasts before it is renewed.
    watch_timeout: float = 60.0
    health_host: str = "0.0.0.0"
    #: Port of /healthz, /readyz and /metrics (0: any free port; ``None``: not served).
    health_port: int | None = 8080
    #: Kinds to cache besides those the reconcilers own and watch: the backend's
    #: children (e.g. Istio VirtualServices), read by every ClusterIngress
    #: reconcile, as Knative's net-* controllers keep informers on them. Their
    #: changes reach the reconcilers watching every kind (owner references).
    #: Only kinds the API serves: an informer waits for its kind to be listed.
    cached_kinds: frozenset[Kind] = frozenset()


class Manager:
    """Runs reconcilers with informers, a work queue and leader election."""

    def __init__(
        self,
        api: KubeCluster,
        reconcilers: Sequence[Reconciler],
        options: ManagerOptions = ManagerOptions(),
        clock: Clock | None = None,
    ) -> None:
        self.api = api
        self.reconcilers = list(reconcilers)
        self.options = options
        self.identity = options.identity or default_identity()
        self._primary: dict[Kind, list[int]] = {}
        self._watchers: dict[Kind, list[tuple[int, Watch]]] = {}
        for index, reconciler in enumerate(self.reconcilers):
            self._primary.setdefault(reconciler.kind, []).append(index)
            for watch in reconciler.watches():
                self._watchers.setdefault(watch.kind, []).append((index, watch))
        self.informers = {
            kind: Informer(
                api,
                kind,
                functools.partial(self._on_event, kind),
                namespace=options.namespace,
                watch_timeout=options.watch_timeout,
                on_relist=self._relisted,
            )
            # ANY_KIND watchers see events of every informed kind; children of
            # kinds nobody informs on are caught by the periodic resync.
            for kind in sorted(
                {*self._primary, *self._watchers, *options.cached_kinds} - {ANY_KIND}
            )
        }
        self.cluster = CachedCluster(api, self.informers)
        self.context = Context(self.cluster, clock or SystemClock())
        self.queue: WorkQueue[Key] = WorkQueue(controller_limiter())
        self.elector = (
            LeaderElector(
                api,
                LeaseConfig(
                    options.lease_namespace,
                    options.lease_name,
                    self.identity,
                    options.lease_duration,
                    options.renew_deadline,
                    options.retry_period,
                ),
                on_started=self._started_leading,
            )
            if options.leader_election
            else None
        )
        self._init_metrics()
        self._stop = threading.Event()
        #: Set once the caches have synced and every primary key is queued: workers wait for it.
        self._primed = threading.Event()
        self._workers: list[threading.Thread] = []
        self._background: list[threading.Thread] = []
        self.health = (
            HealthServer(options.health_host, options.health_port, self.registry, self.ready)
            if options.health_port is not None
            else None
        )

    def _init_metrics(self) -> None:
        self.registry = Registry()
        self.reconciles = self.registry.counter(
            "kingress_reconcile_total",
            "Reconciles by reconciler and result.",
            ("reconciler", "result"),
        )
        self.errors = self.registry.counter(
            "kingress_reconcile_errors_total",
            "Failed reconciles by reconciler and reason.",
            ("reconciler", "reason"),
        )
        self.latency = self.registry.histogram(
            "kingress_reconcile_duration_seconds", "Time one reconcile took.", ("reconciler",)
        )
        self.relists = self.registry.counter(
            "kingress_informer_relists_total",
            "Informer relists by kind and cause.",
            ("kind", "reason"),
        )
        depth = self.registry.gauge("kingress_workqueue_depth", "Keys ready to be reconciled.")
        depth.set_function(lambda: float(len(self.queue)))
        leader = self.registry.gauge("kingress_leader", "1 while this replica leads.")
        leader.set_function(lambda: float(self.is_leader))

    # -- state ----------------------------------------------------------------

    @property
    def is_leader(self) -> bool:
        """Whether this replica may reconcile (always, without leader election)."""
        return self.elector is None or self.elector.is_leader

    def synced(self) -> bool:
        """Whether every informer has listed once."""
        return all(i.synced.is_set() for i in self.informers.values())

    def ready(self) -> str | None:
        """``None`` when ready (caches synced, leadership known), else why not."""
        waiting = [str(k) for k, i in self.informers.items() if not i.synced.is_set()]
        if waiting:
            return f"caches not synced: {', '.join(waiting)}"
        if self.elector is not None and not self.elector.known.is_set():
            return "leadership not known yet"
        return None

    # -- lifecycle --------------------------------------------------------------

    def _spawn(self, name: str, target: object, into: list[threading.Thread]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)  # type: ignore[arg-type]
        thread.start()
        into.append(thread)

    def start(self) -> Manager:
        """Start informers, leader election, workers, resync and the HTTP endpoints."""
        if self.health is not None:
            self.health.start()
        for kind, informer in self.informers.items():
            self._spawn(f"informer-{kind}", lambda i=informer: i.run(self._stop), self._background)
        if self.elector is not None:
            elector = self.elector
            self._spawn("leader-election", lambda: elector.run(self._stop), self._background)
        else:
            self._started_leading()
        for number in range(self.options.workers):
            self._spawn(f"worker-{number}", self._work, self._workers)
        self._spawn("resync", self._resync, self._background)
        log.info(
            "controller started",
            extra={
                "identity": self.identity,
                "reconcilers": [r.name for r in self.reconcilers],
                "namespace": self.options.namespace or "<all>",
            },
        )
        return self

    def stop(self) -> None:
        """Stop gracefully: finish in-flight reconciles, then release the Lease."""
        self.queue.shutdown()
        for thread in self._workers:
            thread.join()
        self._stop.set()
        if self.elector is not None:
            for thread in self._background:
                if thread.name == "leader-election":
                    thread.join()
        if self.health is not None:
            self.health.stop()
        log.info("controller stopped", extra={"identity": self.identity})

    def __enter__(self) -> Manager:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- keys -----------------------------------------------------------------

    def _on_event(self, kind: Kind, event: EventType, obj: Object) -> None:
        if not self.is_leader:
            return
        ref = ObjectRef.of(obj)
        for index in self._primary.get(kind, ()):
            self.queue.add((index, ref))
        for index, watch in (*self._watchers.get(kind, ()), *self._watchers.get(ANY_KIND, ())):
            for target in watch.mapper(obj):
                self.queue.add((index, target))

    def requeue(self, ref: ObjectRef) -> None:
        """Reconcile ``ref`` again (e.g. the prober found its ingress ready)."""
        if self.is_leader:
            for index in self._primary.get(ref.kind, ()):
                self.queue.add((index, ref))

    def _enqueue_all(self) -> None:
        for index, reconciler in enumerate(self.reconcilers):
            for obj in self.informers[reconciler.kind].list():
                self.queue.add((index, ObjectRef.of(obj)))

    def _started_leading(self) -> None:
        def when_synced() -> None:
            while not self._stop.is_set() and not self.synced():
                self._stop.wait(0.05)
            if self.is_leader:
                self._enqueue_all()
                self._primed.set()

        self._spawn("start-leading", when_synced, self._background)

    def _resync(self) -> None:
        while not self._stop.wait(self.options.resync_period):
            if self.is_leader and self.synced():
                self._enqueue_all()

    def _relisted(self, kind: Kind, reason: str) -> None:
        self.relists.inc(str(kind), reason)

    # -- work -----------------------------------------------------------------

    def _work(self) -> None:
        while not self._primed.wait(0.05):
            if self.queue.closed:
                return
        while (key := self.queue.get()) is not None:
            try:
                if self.is_leader:
                    self._reconcile(key)
            finally:
                self.queue.done(key)

    def _reconcile(self, key: Key) -> None:
        reconciler = self.reconcilers[key[0]]
        started = time.perf_counter()
        try:
            result = reconciler.reconcile(self.context, key[1])
        except Exception as error:
            reason = error.reason if isinstance(error, ApiError) else type(error).__name__
            self.reconciles.inc(reconciler.name, "error")
            self.errors.inc(reconciler.name, reason)
            log.warning(
                "reconcile failed; retrying",
                exc_info=not isinstance(error, ApiError),
                extra={
                    "reconciler": reconciler.name,
                    "key": str(key[1]),
                    "reason": reason,
                    "error": str(error),
                },
            )
            self.queue.add_rate_limited(key)
            return
        finally:
            self.latency.observe(time.perf_counter() - started, reconciler.name)
        self.reconciles.inc(reconciler.name, "success")
        self.queue.forget(key)
        if result.requeue_after is not None:
            self.queue.add_after(key, result.requeue_after)
        log.debug("reconciled", extra={"reconciler": reconciler.name, "key": str(key[1])})
