"""Scenario ``envoy-update``: N Routes on the Envoy backend; a split changed until Envoy serves it.

The world is ``scale``'s (N Services, 80/20 and a tag each), every Revision's
Service resolving to one of two local upstreams, programmed into a real Envoy
by a ``GatewayRunner``. Each change sets one Service's split to 50/50; the
clock runs from the write of the Service until a Knative probe through Envoy
returns the new ClusterIngress's hash (Envoy serves exactly the new version,
split included). Phases: controllers (settle from the change), Envoy accepts
the snapshot, and served. Per change it also records the CPU time of this
process (controllers, runner, gateway, xDS server, probing: every thread) and
of the Envoy process (``/proc/<pid>/stat``), the figures to compare on a
shared machine.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

from benchmarks.envoy_runner import ENVOY_CONFIG, GatewayRunner, Upstream, publish_endpoints
from benchmarks.world import NAMESPACE, World, service, service_name
from kingress_envoy.gateway import EnvoyGateway, GatewayPorts


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


def build(n: int) -> World:
    """N Services on the Envoy backend, settled, their Revisions' endpoints published later."""
    world = World("envoy")
    for index in range(n):
        world.apply(service(index))
    world.settle()
    for index in range(n):
        world.apply(service(index, split=80))
    world.settle()
    return world


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
    """``changes`` split changes among ``n`` Routes; latency until Envoy serves each."""
    return measure(build(n), n, changes)


def measure(world: World, n: int, changes: int) -> dict[str, Any]:
    """``changes`` split changes in a settled Envoy ``world`` of ``n`` Services."""
    controllers, accepted, served, python_cpu, envoy_cpu = [], [], [], [], []
    with (
        Upstream("a") as first,
        Upstream("b") as second,
        EnvoyGateway(ports=GatewayPorts.ephemeral()) as gateway,
    ):
        for upstream, revision in ((first, "00001"), (second, "00002")):
            names = [f"{service_name(i)}-{revision}" for i in range(n)]
            publish_endpoints(world.store, NAMESPACE, names, upstream.port)
        world.settle()
        runner = GatewayRunner(world.store, gateway)
        started = time.perf_counter()
        runner.sync()
        initial = time.perf_counter() - started
        world.settle()
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
