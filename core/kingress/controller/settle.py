"""Running reconcilers over the embedded store until nothing changes.

This is how ``kingress reconcile`` and the tests drive controllers offline: all
primary objects are queued, each reconcile's writes are read back from the
store's change log and mapped to further keys (primary kind, watched kinds),
and the loop ends when the queue is empty. Requeues with a delay are not waited
for: they are returned, so a caller with a fake clock can advance time and
settle again. A system that keeps writing is stopped with ``NotSettled``
naming the objects still churning, instead of hanging.
"""

from __future__ import annotations

from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from kingress.cluster.errors import Gone
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, ObjectRef
from kingress.controller.clock import Clock
from kingress.controller.reconciler import ANY_KIND, Context, Reconciler, Watch

#: Changes are read mid-pass once this many (or half the store's history) piled up.
DRAIN_LAG = 1000


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

    queue: OrderedDict[tuple[int, ObjectRef], None] = OrderedDict()
    index = {id(r): i for i, r in enumerate(reconcilers)}
    position = cluster.resource_version
    if since is None:
        for reconciler in reconcilers:
            for obj in cluster.list(reconciler.kind):
                queue[(index[id(reconciler)], ObjectRef.of(obj))] = None
    else:
        position = since

    report = SettleReport()
    attempts: Counter[tuple[int, ObjectRef]] = Counter()
    last_error: dict[tuple[int, ObjectRef], str] = {}
    limit = max_reconciles or 1000 + 100 * cluster.count()
    churn: Counter[tuple[int, ObjectRef]] = Counter()

    lag = max(1, min(DRAIN_LAG, cluster.history // 2))

    def drain(since: int) -> int:
        """Queue the keys the changes after ``since`` map to; the last version read."""
        try:
            events = cluster.events_since(since)
        except Gone:
            # The history no longer reaches back (large objects evict early):
            # look at every primary object again, as an informer relists.
            for reconciler in reconcilers:
                for obj in cluster.list(reconciler.kind):
                    queue[(index[id(reconciler)], ObjectRef.of(obj))] = None
            return cluster.resource_version
        for event in events:
            since = event.resource_version
            kind = Kind.of(event.object)
            ref = ObjectRef.of(event.object)
            for reconciler in by_kind.get(kind, ()):
                queue[(index[id(reconciler)], ref)] = None
            for reconciler, watch in (*watches.get(kind, ()), *watches.get(ANY_KIND, ())):
                for target in watch.mapper(event.object):
                    queue[(index[id(reconciler)], target)] = None
        return since

    while True:
        while queue:
            key, _ = queue.popitem(last=False)
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
                queue[key] = None
                continue
            if cluster.resource_version - position >= lag:
                # A long pass must not outrun the store's watch history.
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
