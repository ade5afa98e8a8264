"""Work queue, rate limiters, leader election, metrics and the informer, without a server."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from kingress.cluster.errors import Unavailable
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import EventType, Kind, Object, WatchEvent
from kingress.frozen import ReadOnlyError, thaw
from kingress.runtime.informer import Informer
from kingress.runtime.leader import LEASE, LeaderElector, LeaseConfig
from kingress.runtime.metrics import Registry
from kingress.runtime.ratelimit import ExponentialBackoff, MaxOf, TokenBucket
from kingress.runtime.testing import wait_until
from kingress.runtime.workqueue import WorkQueue


def test_queue_dedupes_and_never_hands_an_item_to_two_workers() -> None:
    queue: WorkQueue[str] = WorkQueue(ExponentialBackoff(0.001, 1))
    queue.add("a")
    queue.add("a")
    queue.add("b")
    assert len(queue) == 2
    assert queue.get(timeout=0) == "a"
    queue.add("a")  # while "a" is being processed
    assert queue.get(timeout=0) == "b"
    assert queue.get(timeout=0) is None  # "a" waits for done()
    queue.done("a")
    assert queue.get(timeout=0) == "a"


def test_delayed_items_arrive_and_the_earliest_delay_wins() -> None:
    queue: WorkQueue[str] = WorkQueue(ExponentialBackoff(0.001, 1))
    queue.add_after("late", 60)
    queue.add_after("late", 0.01)
    assert queue.delayed == 1
    assert queue.get(timeout=5) == "late"


def test_shutdown_wakes_waiting_workers() -> None:
    queue: WorkQueue[str] = WorkQueue(ExponentialBackoff(0.001, 1))
    results: list[str | None] = []
    worker = threading.Thread(target=lambda: results.append(queue.get()))
    worker.start()
    queue.shutdown()
    worker.join(timeout=5)
    assert results == [None]


def test_backoff_doubles_per_item_up_to_the_cap_and_resets() -> None:
    backoff = ExponentialBackoff(0.05, 0.3)
    assert [backoff.when("x") for _ in range(5)] == [0.05, 0.1, 0.2, 0.3, 0.3]
    assert backoff.when("y") == 0.05
    backoff.forget("x")
    assert backoff.when("x") == 0.05 and backoff.failures("x") == 1


def test_token_bucket_limits_the_global_rate() -> None:
    now = [0.0]
    bucket = TokenBucket(qps=10, burst=2, clock=lambda: now[0])
    assert [bucket.when(i) for i in range(3)] == [0.0, 0.0, 0.1]
    now[0] = 1.0
    assert bucket.when("later") == 0.0
    assert MaxOf(ExponentialBackoff(0.5, 1), bucket).when("z") == 0.5


def test_only_one_elector_leads_and_an_expired_lease_is_taken_over() -> None:
    store = MemoryCluster()
    clock = [0.0]
    stamp = datetime(2026, 1, 1, tzinfo=UTC)

    def elector(name: str) -> LeaderElector:
        config = LeaseConfig("default", "lease", name, lease_duration=10, renew_deadline=5)
        return LeaderElector(
            store,
            config,
            monotonic=lambda: clock[0],
            now=lambda: stamp + timedelta(seconds=clock[0]),
        )

    a, b = elector("a"), elector("b")
    a.step()
    b.step()
    assert (a.is_leader, b.is_leader) == (True, False)
    clock[0] = 8.0
    a.step()  # renews
    clock[0] = 15.0
    b.step()  # saw the renewal at t=8: not expired yet
    assert not b.is_leader
    clock[0] = 30.0
    b.step()
    assert b.is_leader
    a.step()
    assert not a.is_leader
    lease = store.get(LEASE, "default", "lease")["spec"]
    assert lease["holderIdentity"] == "b" and lease["leaseTransitions"] == 2


def test_a_stopped_leader_releases_the_lease() -> None:
    store = MemoryCluster()
    config = LeaseConfig("default", "lease", "a", retry_period=0.01)
    leader = LeaderElector(store, config)
    stop = threading.Event()
    stop.set()
    leader.step()
    leader.run(stop)
    assert not leader.is_leader
    assert store.get(LEASE, "default", "lease")["spec"]["holderIdentity"] == ""
    follower = LeaderElector(store, LeaseConfig("default", "lease", "b"))
    follower.step()
    assert follower.is_leader


def test_metrics_exposition_format() -> None:
    registry = Registry()
    total = registry.counter("things_total", "Things.", ("kind",))
    total.inc("a")
    total.inc("a", amount=2)
    registry.gauge("depth", "Depth.").set_function(lambda: 4)
    latency = registry.histogram("latency_seconds", "Latency.", ("op",))
    latency.observe(0.02, "get")
    text = registry.render()
    assert '# TYPE things_total counter\nthings_total{kind="a"} 3\n' in text
    assert "depth 4\n" in text
    assert 'latency_seconds_bucket{op="get",le="0.01"} 0' in text
    assert 'latency_seconds_bucket{op="get",le="0.025"} 1' in text
    assert 'latency_seconds_bucket{op="get",le="+Inf"} 1' in text
    assert 'latency_seconds_count{op="get"} 1' in text


class _StoreSource:
    """The informer's list + watch, straight from an in-memory store."""

    def __init__(self, store: MemoryCluster) -> None:
        self.store = store

    def list_pages(
        self, kind: Kind, namespace: str | None = None
    ) -> Iterator[tuple[list[Object], str]]:
        yield self.store.list(kind, namespace), str(self.store.resource_version)

    def watch_kind(
        self, kind: Kind, namespace: str | None, resource_version: str, timeout: float | None
    ) -> Iterator[WatchEvent]:
        return self.store.watch(int(resource_version), frozenset({kind}), timeout)


def test_a_late_write_answer_does_not_bring_a_deleted_object_back() -> None:
    store = MemoryCluster()
    kind = Kind("", "ConfigMap")
    seen: list[tuple[EventType, str]] = []
    informer = Informer(
        _StoreSource(store),
        kind,
        lambda event, obj: seen.append((event, obj["metadata"]["name"])),
        watch_timeout=0.2,
    )
    stop = threading.Event()
    thread = threading.Thread(target=informer.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until(informer.synced.is_set)
        created = store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
        store.delete(kind, "default", "x")
        wait_until(lambda: (EventType.DELETED, "x") in seen)
        informer.observe(created)  # the create's answer, arriving after the watch saw the delete
        assert informer.get("default", "x") is None
        again = store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
        informer.observe(again)  # a new object of that name is not a ghost
        assert informer.get("default", "x") == again
    finally:
        stop.set()
        thread.join(timeout=5)


class _DroppingSource(_StoreSource):
    """Every watch connection drops at once; every list after the first waits for ``relist``."""

    def __init__(self, store: MemoryCluster) -> None:
        super().__init__(store)
        self.relist = threading.Event()
        self.lists = 0

    def list_pages(
        self, kind: Kind, namespace: str | None = None
    ) -> Iterator[tuple[list[Object], str]]:
        if self.lists:
            self.relist.wait(timeout=10)
        self.lists += 1
        return super().list_pages(kind, namespace)

    def watch_kind(
        self, kind: Kind, namespace: str | None, resource_version: str, timeout: float | None
    ) -> Iterator[WatchEvent]:
        raise Unavailable("the watch connection dropped")


def test_a_relist_reports_an_object_whose_watch_event_was_lost() -> None:
    # The controller wrote an object (and put it in its cache); the connection then
    # dropped before the watch delivered the event. The relist finds the object
    # unchanged against the cache, and must still report it, or nobody reconciles it
    # until the next periodic resync.
    store = MemoryCluster()
    kind = Kind("", "ConfigMap")
    source = _DroppingSource(store)
    seen: list[tuple[EventType, str]] = []
    informer = Informer(
        source, kind, lambda event, obj: seen.append((event, obj["metadata"]["name"]))
    )
    stop = threading.Event()
    thread = threading.Thread(target=informer.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until(informer.synced.is_set)
        created = store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}})
        informer.observe(created)
        source.relist.set()
        wait_until(lambda: (EventType.MODIFIED, "x") in seen, timeout=5, what="x reported")
        assert informer.get("default", "x") == created
    finally:
        stop.set()
        source.relist.set()
        thread.join(timeout=5)


def test_the_informer_hands_out_read_only_objects_and_lists_by_label() -> None:
    store = MemoryCluster()
    kind = Kind("", "ConfigMap")
    for name, app in (("b", "web"), ("a", "web"), ("c", "db")):
        store.create(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": name, "labels": {"app": app}},
                "data": {"k": name},
            }
        )
    handed: list[Object] = []
    informer = Informer(_StoreSource(store), kind, lambda event, obj: handed.append(obj))
    stop = threading.Event()
    thread = threading.Thread(target=informer.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until(informer.synced.is_set)
        got = informer.get("default", "a")
        assert got is not None and got["data"] == {"k": "a"}
        # Reads share the cached object instead of copying it, so none may change it.
        assert informer.get("default", "a") is got
        with pytest.raises(ReadOnlyError):
            got["data"]["k"] = "changed"
        with pytest.raises(ReadOnlyError):
            handed[0]["metadata"]["labels"] = {}
        names = [obj["metadata"]["name"] for obj in informer.list(labels={"app": "web"})]
        assert names == ["a", "b"]
        assert [o["metadata"]["name"] for o in informer.list("other")] == []
        assert [o["metadata"]["name"] for o in informer.list(labels="app!=web")] == ["c"]
        informer.observe_deleted("default", "a")
        assert [o["metadata"]["name"] for o in informer.list(labels={"app": "web"})] == ["b"]
        written = dict(store.get(kind, "default", "b"))
        informer.observe({**written, "metadata": {**written["metadata"], "labels": {}}})
        assert informer.list(labels={"app": "web"}) == []
    finally:
        stop.set()
        thread.join(timeout=5)


class _PagedSource(_StoreSource):
    """Lists in pages of plain (decoded) objects, as the API client does; records, when
    each next page is asked for, how many references the previous page's objects had."""

    def __init__(self, store: MemoryCluster, size: int) -> None:
        super().__init__(store)
        self.size = size
        self.references: list[int] = []

    def list_pages(
        self, kind: Kind, namespace: str | None = None
    ) -> Iterator[tuple[list[Object], str]]:
        objects = [thaw(obj) for obj in self.store.list(kind, namespace)]
        version = str(self.store.resource_version)
        given: list[Object] = []
        for start in range(0, len(objects), self.size):
            # Held by ``objects``, ``given``, this comprehension's variable and
            # getrefcount's argument: 4, unless the informer kept them too.
            self.references += [sys.getrefcount(obj) - 4 for obj in given]
            given = objects[start : start + self.size]
            yield given, version


def test_the_informer_keeps_what_it_makes_of_a_page_not_the_page() -> None:
    # A kind of 20,000 objects must never be alive as decoded JSON all at once:
    # each page is frozen as it comes, and its decoded objects can go.
    store = MemoryCluster()
    kind = Kind("", "ConfigMap")
    for index in range(7):
        store.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{index}"}})
    source = _PagedSource(store, size=3)
    informer = Informer(source, kind, lambda event, obj: None)
    stop = threading.Event()
    thread = threading.Thread(target=informer.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until(informer.synced.is_set)
        assert len(informer.list()) == 7
        assert source.references == [0] * 6  # the first two pages, asked past
    finally:
        stop.set()
        thread.join(timeout=5)
