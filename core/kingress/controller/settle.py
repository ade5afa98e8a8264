"""Running reconcilers over the embedded store until nothing changes.

This is how ``kingress reconcile`` and the tests drive controllers offline: all
primary objects are queued, each reconcile's writes are read back from the
store's change log and mapped to further keys (primary kind, watched kinds),
and the loop ends when the queue is empty. Requeues with a delay are not waited
for: they are returned, so a caller with a fake clock can advance time and
settle again. A system that keeps writing is stopped with ``NotSettled``
naming the objects still churning, instead of hanging.

The queue is served in the order the reconcilers are given: a key of an
earlier reconciler goes before any key of a later one, and the writes of each
reconcile are read back before the next one. Listed from the leaves of the
ownership tree up to its root (``registry``), that order is depth first: a
Service is reconciled again once its Configuration's and Route's statuses have
settled, not after each of their steps. The order changes how many reconciles
a change takes, never the result (every reconciler is level-based).
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from kingress.cluster.errors import Gone
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, ObjectRef
from kingress.controller.clock import Clock
from kingress.controller.reconciler import ANY_KIND, Context, Reconciler, Watch


class NotSettled(RuntimeError):
    """The controllers kept changing the world past the round limit."""


class ReconcileFailed(RuntimeError):
    """A reconcile kept raising; the message names the object and the error."""


@dataclass(slots=True)
class SettleReport:
    """What a settle run did."""

    reconciles: int = 0
    #: Keys that asked to be looked at again later, with the delay asked for.
    requeues: dict[tuple[str, ObjectRef], float] = field(default_factory=dict)
    #: Errors that were retried and then cleared, for diagnostics.
    transient_errors: list[str] = field(default_factory=list)


def settle(
    cluster: MemoryCluster,
    reconcilers: Sequence[Reconciler],
    clock: Clock,
    *,
    max_reconciles: int | None = None,
    max_attempts: int = 5,
    since: int | None = None,
) -> SettleReport:
    """Reconcile until no write causes more work; ``NotSettled`` if that never happens.

    By default every primary object is reconciled first. With ``since`` (a
    resourceVersion of a store these reconcilers already settled), only what
    changed after it is: a caller that keeps the world settled pays for the
    change, not for the size of the world. The reconcilers must be the ones
    that settled it (their trackers know what each object read).
    """
    ctx = Context(cluster=cluster, clock=clock)
    by_kind: dict[Kind, list[Reconciler]] = {}
    watches: dict[Kind, list[tuple[Reconciler, Watch]]] = {}
    for reconciler in reconcilers:
        by_kind.setdefault(reconciler.kind, []).append(reconciler)
        for watch in reconciler.watches():
            watches.setdefault(watch.kind, []).append((reconciler, watch))

    queue = _Queue(len(reconcilers))
    index = {id(r): i for i, r in enumerate(reconcilers)}
    position = cluster.resource_version
    if since is None:
        for reconciler in reconcilers:
            for obj in cluster.list(reconciler.kind):
                queue.add(index[id(reconciler)], ObjectRef.of(obj))
    else:
        position = since

    report = SettleReport()
    attempts: Counter[tuple[int, ObjectRef]] = Counter()
    last_error: dict[tuple[int, ObjectRef], str] = {}
    limit = max_reconciles or 1000 + 100 * cluster.count()
    churn: Counter[tuple[int, ObjectRef]] = Counter()

    def drain(since: int) -> int:
        """Queue the keys the changes after ``since`` map to; the last version read."""
        try:
            events = cluster.events_since(since)
        except Gone:
            # The history no longer reaches back (large objects evict early):
            # look at every primary object again, as an informer relists.
            for reconciler in reconcilers:
                for obj in cluster.list(reconciler.kind):
                    queue.add(index[id(reconciler)], ObjectRef.of(obj))
            return cluster.resource_version
        for event in events:
            since = event.resource_version
            kind = Kind.of(event.object)
            ref = ObjectRef.of(event.object)
            for reconciler in by_kind.get(kind, ()):
                queue.add(index[id(reconciler)], ref)
            for reconciler, watch in (*watches.get(kind, ()), *watches.get(ANY_KIND, ())):
                for target in watch.mapper(event.object):
                    queue.add(index[id(reconciler)], target)
        return since

    while True:
        for key in queue:
            reconciler = reconcilers[key[0]]
            report.reconciles += 1
            churn[key] += 1
            if report.reconciles > limit:
                busiest = ", ".join(
                    f"{reconcilers[k[0]].name} {k[1]}" for k, _ in churn.most_common(5)
                )
                raise NotSettled(
                    f"controllers did not settle after {limit} reconciles; busiest: {busiest}"
                )
            try:
                result = reconciler.reconcile(ctx, key[1])
            except Exception as error:
                attempts[key] += 1
                last_error[key] = f"{reconciler.name} {key[1]}: {type(error).__name__}: {error}"
                if attempts[key] >= max_attempts:
                    raise ReconcileFailed(last_error[key]) from error
                queue.add(*key, later=True)
                continue
            if cluster.resource_version != position:
                # Read this reconcile's writes back at once: what they trigger
                # is served in order, and a pass never outruns the history.
                position = drain(position)
            if key in last_error:
                report.transient_errors.append(last_error.pop(key))
            attempts.pop(key, None)
            name_key = (reconciler.name, key[1])
            if result.requeue_after is not None:
                report.requeues[name_key] = result.requeue_after
            else:
                report.requeues.pop(name_key, None)

        position = max(drain(position), cluster.resource_version)
        if not queue:
            return report


class _Queue:
    """Keys to reconcile, one FIFO per reconciler; the earliest reconciler's are served first.

    A key already queued keeps its place. Keys queued ``later`` (a reconcile
    that raised, to be retried) wait until nothing else is queued, so the rest
    of the world moves on between attempts. Iterating takes keys off until
    none is left.
    """

    def __init__(self, reconcilers: int) -> None:
        self._fifos = [OrderedDict[ObjectRef, None]() for _ in range(reconcilers)]
        self._later = OrderedDict[tuple[int, ObjectRef], None]()

    def add(self, reconciler: int, ref: ObjectRef, *, later: bool = False) -> None:
        """Queue ``ref`` for the ``reconciler``-th reconciler (once)."""
        if later:
            self._later[(reconciler, ref)] = None
        else:
            self._fifos[reconciler][ref] = None

    def __bool__(self) -> bool:
        return bool(self._later) or any(self._fifos)

    def __iter__(self) -> Iterator[tuple[int, ObjectRef]]:
        while True:
            for reconciler, fifo in enumerate(self._fifos):
                if fifo:
                    ref = fifo.popitem(last=False)[0]
                    self._later.pop((reconciler, ref), None)
                    yield reconciler, ref
                    break
            else:
                if not self._later:
                    return
                key = self._later.popitem(last=False)[0]
                yield key
