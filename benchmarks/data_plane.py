"""Scenario ``data-plane``: requests through the local Envoy against straight to the upstream.

One Service on the Envoy backend, its Revision's Service resolving to a local
upstream, programmed into a real Envoy; the same load generator
(``benchmarks.loadgen``) then loads the upstream directly and through Envoy,
in the same run. The upstream is Python's threading HTTP server, so absolute
figures are the upstream's and the generator's; the difference is Envoy's.
"""

from __future__ import annotations

from typing import Any

from benchmarks.envoy_runner import GatewayRunner, Upstream, publish_endpoints
from benchmarks.envoy_update import host, probe_hash, wait_served
from benchmarks.loadgen import generate
from benchmarks.world import NAMESPACE, World, service, service_name
from kingress_envoy.gateway import EnvoyGateway, GatewayPorts
from kingress_envoy.names import ListenerName


def run(threads: int, duration: float) -> dict[str, Any]:
    """Load the upstream directly, then through Envoy, each for ``duration`` seconds."""
    world = World("envoy")
    world.apply(service(0))
    world.settle()
    with Upstream("a") as upstream, EnvoyGateway(ports=GatewayPorts.ephemeral()) as gateway:
        publish_endpoints(world.store, NAMESPACE, [f"{service_name(0)}-00001"], upstream.port)
        world.settle()
        GatewayRunner(world.store, gateway).sync()
        wait_served(gateway, probe_hash(world, 0), host(0))
        direct = generate(upstream.port, host(0), threads=threads, duration=duration)
        envoy_port = gateway.port(ListenerName.PUBLIC_HTTP)
        through = generate(envoy_port, host(0), threads=threads, duration=duration)
    return {
        "threads": threads,
        "duration": duration,
        "direct": direct.report(),
        "envoy": through.report(),
    }
