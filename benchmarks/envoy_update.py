"""Scenario ``envoy-update``: N Routes on the Envoy backend; a split changed until Envoy serves it.

The world is ``scale``'s (N Services, 80/20 and a tag each), every Revision's
Service resolving to one of two local upstreams, programmed into a real Envoy
by a ``GatewayRunner``. ``run`` stamps it from one Service (``stamp``, with
that Service's Endpoints made first so the copies have theirs); ``scale``
hands over the world its pipeline built (``measure``). Each change sets one
Service's split to 50/50; the clock runs from the write of the Service until
a Knative probe through Envoy returns the new ClusterIngress's hash (Envoy
serves exactly the new version, split included). Phases: controllers (settle
from the change), Envoy accepts the snapshot, and served. Per change it also
records the CPU time of this process (controllers, runner, gateway, xDS
server, probing: every thread) and of the Envoy process
(``/proc/<pid>/stat``), the figures to compare on a shared machine.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Iterable
from contextlib import ExitStack
from typing import Any

from benchmarks.envoy_runner import ENVOY_CONFIG, GatewayRunner, Upstream, publish_endpoints
from benchmarks.world import NAMESPACE, World, service, service_name, stamp
from kingress_envoy.gateway import EnvoyGateway, GatewayPorts

#: The two upstreams every Service's Revisions 1 and 2 resolve to.
Upstreams = tuple[Upstream, Upstream]


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of ``values`` (``fraction`` in [0, 1])."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary(seconds: list[float]) -> dict[str, float]:
    """p50, p95, p99 and max in milliseconds."""
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": statistics.median(ms),
        "p95_ms": percentile(ms, 0.95),
        "p99_ms": percentile(ms, 0.99),
        "max_ms": max(ms),
    }


def publish_revisions(world: World, indexes: Iterable[int], upstreams: Upstreams) -> None:
    """Endpoints making Revision 1 of each Service ``indexes`` resolve to the first
    upstream, Revision 2 to the second."""
    for upstream, revision in zip(upstreams, ("00001", "00002"), strict=True):
        names = [f"{service_name(i)}-{revision}" for i in indexes]
        publish_endpoints(world.store, NAMESPACE, names, upstream.port)


def host(index: int) -> str:
    """The external host of Service ``index``."""
    return f"{service_name(index)}.{NAMESPACE}.example.com"


def probe_hash(world: World, index: int) -> str:
    """The probe hash of Service ``index``'s current EnvoyIngressConfig."""
    obj = world.store.get(ENVOY_CONFIG, NAMESPACE, service_name(index))
    return str(obj["spec"]["probeHash"])


def wait_served(gateway: EnvoyGateway, hash_: str, host: str, timeout: float = 30.0) -> None:
    """Probe through Envoy every millisecond until ``host`` answers with ``hash_``."""
    deadline = time.monotonic() + timeout
    while not gateway.serves(hash_, host):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{host} never served {hash_}")
        time.sleep(0.001)


def process_cpu(pid: int | None) -> float:
    """CPU seconds (user + system) a process has used so far; 0 if unknown (not Linux)."""
    if pid is None:
        return 0.0
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(n: int, changes: int) -> dict[str, Any]:
    """``changes`` split changes among ``n`` Routes; latency until Envoy serves each.

    The world is stamped (``benchmarks.world.stamp``) from one Service whose
    Revisions' Endpoints name the two upstreams, so the copies come with
    theirs: building 10,000 Services through the pipeline would take minutes.
    """
    with Upstream("a") as first, Upstream("b") as second:
        upstreams = (first, second)
        world = stamp(n, "envoy", lambda w: publish_revisions(w, range(1), upstreams))
        return measure(world, n, changes, upstreams)


def measure(
    world: World, n: int, changes: int, upstreams: Upstreams | None = None
) -> dict[str, Any]:
    """``changes`` split changes in a settled Envoy ``world`` of ``n`` Services.

    Without ``upstreams`` (whose Endpoints the world already has), two are
    started and every Revision's Endpoints published first.
    """
    with ExitStack() as stack:
        if upstreams is None:
            upstreams = (stack.enter_context(Upstream("a")), stack.enter_context(Upstream("b")))
            publish_revisions(world, range(n), upstreams)
        return _changes(
            world, n, changes, stack.enter_context(EnvoyGateway(ports=GatewayPorts.ephemeral()))
        )


def _changes(world: World, n: int, changes: int, gateway: EnvoyGateway) -> dict[str, Any]:
    """Program ``gateway`` with the settled world, then time each change until served."""
    controllers, accepted, served, python_cpu, envoy_cpu = [], [], [], [], []
    world.settle()
    runner = GatewayRunner(world.store, gateway)
    since = world.store.resource_version
    started = time.perf_counter()
    runner.sync()
    initial = time.perf_counter() - started
    # The controllers carry on from where they were: every ingress now served.
    world.settle_since(since)
    stride = max(1, n // changes)
    for change in range(changes):
        index = (change * stride) % n
        since = world.store.resource_version
        process = gateway.process
        pid = process.pid if process is not None else None
        cpu_before, envoy_before = time.process_time(), process_cpu(pid)
        started = time.perf_counter()
        world.apply(service(index, split=50))
        world.settle_since(since)
        settled = time.perf_counter()
        position = world.store.resource_version
        result = runner.sync()
        applied = time.perf_counter()
        if not result.accepted:
            raise RuntimeError(f"Envoy refused change {change}: {result.message}")
        wait_served(gateway, probe_hash(world, index), host(index))
        done = time.perf_counter()
        python_cpu.append(time.process_time() - cpu_before)
        envoy_cpu.append(process_cpu(pid) - envoy_before)
        controllers.append(settled - started)
        accepted.append(applied - started)
        served.append(done - started)
        world.settle_since(position)
    return {
        "n": n,
        "changes": changes,
        "initial_program_seconds": initial,
        "controllers": summary(controllers),
        "envoy_accepted": summary(accepted),
        "served": summary(served),
        "python_cpu": summary(python_cpu),
        "envoy_cpu": summary(envoy_cpu),
    }
