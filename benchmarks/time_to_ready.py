"""Scenario ``time-to-ready``: a Service created every 100 ms; time to its first 200 through Envoy.

Knative's ``reconciliation-delay`` benchmark creates a Service every few
seconds and asks p95 creation → Ready <= 25 s on a cluster. Here, in one
process: the embedded store, every controller (``settle`` in a loop on a
thread, from the last change on), a ``GatewayRunner`` programming a real
Envoy, and an ``EndpointsPublisher`` standing in for the kubelet's Endpoints
(every Revision's Service resolves to one local upstream). A prober sends a
plain GET through Envoy for every Service not yet served; the latency is from
the Service's creation to its first 200.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Sequence
from typing import Any

from benchmarks.envoy_runner import ENDPOINTS, GatewayRunner, Upstream, publish_endpoints
from benchmarks.envoy_update import summary
from benchmarks.world import NAMESPACE, World, service, service_name
from kingress.api.annotations import REVISION_LABEL
from kingress.cluster.port import ObjectRef
from kingress.controller.reconciler import Context, Result, Watch
from kingress.serving import access
from kingress_envoy.gateway import EnvoyGateway, GatewayPorts
from kingress_envoy.names import ListenerName


class EndpointsPublisher:
    """Gives every Revision's Kubernetes Service Endpoints at one upstream (the kubelet's part)."""

    name = "endpoints-publisher"
    kind = access.KUBERNETES_SERVICE

    def __init__(self, port: int) -> None:
        self.port = port

    def watches(self) -> Sequence[Watch]:
        """Nothing else: the Service alone decides."""
        return ()

    def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
        """Publish Endpoints for a Revision's Service that has none."""
        obj = access.get(ctx.cluster, ref.kind, ref.namespace, ref.name)
        labels = (obj or {}).get("metadata", {}).get("labels") or {}
        if REVISION_LABEL in labels and not access.get(
            ctx.cluster, ENDPOINTS, ref.namespace, ref.name
        ):
            publish_endpoints(ctx.cluster, ref.namespace, [ref.name], self.port)
        return Result()


def _controllers(world: World, runner: GatewayRunner, stop: threading.Event) -> None:
    """Settle from the last change, program Envoy when its configs changed; until ``stop``."""
    position = world.store.resource_version
    while not stop.is_set():
        target = world.store.resource_version
        if target == position:
            time.sleep(0.002)
            continue
        world.settle_since(position)
        position = target
        runner.sync()


def _prober(
    port: int, pending: dict[str, float], served: dict[str, float], stop: threading.Event
) -> None:
    """GET each pending host through Envoy until it answers 200; record when."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    while not stop.is_set():
        for host, created in list(pending.items()):
            try:
                conn.request("GET", "/", headers={"Host": host})
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                continue
            if response.status == 200:
                served[host] = time.perf_counter() - created
                del pending[host]
        time.sleep(0.002)
    conn.close()


def run(duration: float, interval: float = 0.1, settle_timeout: float = 60.0) -> dict[str, Any]:
    """Create a Service every ``interval`` seconds for ``duration``; creation → first 200."""
    world = World("envoy")
    pending: dict[str, float] = {}
    served: dict[str, float] = {}
    stop = threading.Event()
    with Upstream("a") as upstream, EnvoyGateway(ports=GatewayPorts.ephemeral()) as gateway:
        world.reconcilers.append(EndpointsPublisher(upstream.port))
        runner = GatewayRunner(world.store, gateway)
        threads = [
            threading.Thread(target=_controllers, args=(world, runner, stop), daemon=True),
            threading.Thread(
                target=_prober,
                args=(gateway.port(ListenerName.PUBLIC_HTTP), pending, served, stop),
                daemon=True,
            ),
        ]
        for thread in threads:
            thread.start()
        created = 0
        started = time.perf_counter()
        while time.perf_counter() - started < duration:
            host = f"{service_name(created)}.{NAMESPACE}.example.com"
            pending[host] = time.perf_counter()
            world.apply(service(created))
            created += 1
            time.sleep(max(0.0, started + created * interval - time.perf_counter()))
        deadline = time.perf_counter() + settle_timeout
        while pending and time.perf_counter() < deadline:
            time.sleep(0.05)
        stop.set()
        for thread in threads:
            thread.join()
    latencies = list(served.values())
    result: dict[str, Any] = {"created": created, "served": len(served), "interval": interval}
    if latencies:
        result.update(summary(latencies))
    return result
