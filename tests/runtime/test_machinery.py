"""Work queue, rate limiters, leader election and metrics, without a server."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from kingress.cluster.memory import MemoryCluster
from kingress.runtime.leader import LEASE, LeaderElector, LeaseConfig
from kingress.runtime.metrics import Registry
from kingress.runtime.ratelimit import ExponentialBackoff, MaxOf, TokenBucket
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
