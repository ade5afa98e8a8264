"""Knative's TableTest for kingress reconcilers: objects in, expected writes out.

A row seeds an in-memory store with objects exactly as given (uids,
generations, statuses), runs one reconcile of ``key`` through a
``RecordingCluster`` and compares what was written: creates and updates
(whole objects, minus what the store assigns: uid, resourceVersion,
timestamps), status updates (whole statuses, minus transition times) and
deletes, in order. Chosen writes can be made to fail.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kingress.api.base import ApiModel
from kingress.cluster.errors import ApiError
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Object, ObjectRef
from kingress.cluster.recording import RecordingCluster, Verb
from kingress.controller.clock import FakeClock
from kingress.controller.reconciler import Context, Reconciler

START = datetime(2026, 1, 1, tzinfo=UTC)
_ASSIGNED = ("uid", "resourceVersion", "creationTimestamp", "generation")

Resource = ApiModel | Object


def wire(obj: Resource) -> Object:
    """The wire form of a typed object or a dict."""
    return obj.to_dict() if isinstance(obj, ApiModel) else copy.deepcopy(obj)


def essence(obj: Object) -> Object:
    """An object without status and without what the store assigns."""
    result = {k: v for k, v in copy.deepcopy(obj).items() if k != "status"}
    meta = result.get("metadata") or {}
    for key in _ASSIGNED:
        meta.pop(key, None)
    for ref in meta.get("ownerReferences") or ():
        ref.pop("uid", None)
    return result


def status_essence(status: Object | None) -> Object:
    """A status without condition transition times."""
    result = copy.deepcopy(status or {})
    for condition in result.get("conditions") or ():
        condition.pop("lastTransitionTime", None)
        condition.pop("lastUpdateTime", None)
    return result


@dataclass(frozen=True, kw_only=True)
class Row:
    """One table row."""

    name: str
    key: ObjectRef
    objects: Sequence[Resource] = ()
    want_creates: Sequence[Resource] = ()
    want_updates: Sequence[Resource] = ()
    #: (kind, name, status) — the whole expected status of each status update.
    want_status: Sequence[tuple[str, str, Object]] = ()
    want_deletes: Sequence[tuple[str, str]] = ()
    #: The reconcile must raise this.
    want_err: type[Exception] | None = None
    #: Writes that fail: (verb, kind).
    failures: Sequence[tuple[Verb, str]] = ()
    #: The error those writes raise, made from a message (a 500 by default).
    failure: Callable[[str], ApiError] = ApiError


def seed(objects: Sequence[Resource]) -> MemoryCluster:
    """A store holding exactly ``objects``."""
    store = MemoryCluster(clock=lambda: START)
    for obj in objects:
        store.restore(wire(obj))
    return store


@dataclass
class Outcome:
    """What a reconcile did."""

    store: MemoryCluster
    recording: RecordingCluster
    error: Exception | None


def reconcile(row: Row, reconciler: Reconciler) -> Outcome:
    """Seed, reconcile ``row.key`` once, and return the recording."""
    store = seed(row.objects)
    failures: dict[tuple[Verb, str], ApiError] = {
        failure: row.failure(f"inducing failure for {failure[0]} {failure[1]}")
        for failure in row.failures
    }
    recording = RecordingCluster(store, failures=failures)
    error: Exception | None = None
    try:
        reconciler.reconcile(Context(cluster=recording, clock=FakeClock(START)), row.key)
    except Exception as raised:  # compared against want_err below
        error = raised
    return Outcome(store, recording, error)


def check(row: Row, outcome: Outcome) -> None:
    """Assert the writes are exactly the row's expectations."""
    if row.want_err is None:
        assert outcome.error is None, f"unexpected error: {outcome.error!r}"
    else:
        assert isinstance(outcome.error, row.want_err), (
            f"want {row.want_err}, got {outcome.error!r}"
        )
    recording = outcome.recording
    got_creates = [essence(a.object or {}) for a in recording.of(Verb.CREATE)]
    assert got_creates == [essence(wire(o)) for o in row.want_creates]
    got_updates = [essence(a.object or {}) for a in recording.of(Verb.UPDATE)]
    assert got_updates == [essence(wire(o)) for o in row.want_updates]
    got_status = [
        (a.ref.kind.kind, a.ref.name, status_essence((a.object or {}).get("status")))
        for a in recording.of(Verb.UPDATE_STATUS)
    ]
    assert got_status == [(k, n, status_essence(s)) for k, n, s in row.want_status]
    got_deletes = [(a.ref.kind.kind, a.ref.name) for a in recording.of(Verb.DELETE)]
    assert got_deletes == list(row.want_deletes)


def run(row: Row, reconciler: Reconciler) -> Outcome:
    """Reconcile and check a row."""
    outcome = reconcile(row, reconciler)
    check(row, outcome)
    return outcome


def reconcile_again(outcome: Outcome, key: ObjectRef, reconciler: Reconciler) -> list[Any]:
    """Reconcile ``key`` once more on the resulting store; the writes it made."""
    recording = RecordingCluster(outcome.store)
    reconciler.reconcile(Context(cluster=recording, clock=FakeClock(START)), key)
    return recording.actions
