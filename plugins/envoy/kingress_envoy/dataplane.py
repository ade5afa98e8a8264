"""The envoy backend's local data plane: a real Envoy plus the runner that programs it.

``EnvoyBackend.local_data_plane(settings)`` returns one; ``kingress demo`` and
``kingress dev`` find it through the backend registry (``kingress.dataplane``)
and run ``reconciler`` with the other controllers. The gateway listens on
``settings.address`` (loopback) — the address the backend's default
configuration (``public-ip`` / ``private-ip``: ``127.0.0.1``) publishes in
every ClusterIngress's load balancer status — on the ports of ``settings``
(0: free ports chosen at start; HTTPS ports are always chosen at start).
"""

from __future__ import annotations

from collections.abc import Sequence

from kingress import DataPlaneSettings, GatewayListener
from kingress_envoy.gateway import EnvoyGateway, GatewayPorts
from kingress_envoy.names import ListenerName
from kingress_envoy.runner import GatewayRunner
from kingress_envoy.summary import describe_snapshot

#: The listeners a user sends plain HTTP to, and how they are named to them.
_SHOWN = ((ListenerName.PUBLIC_HTTP, "public http"), (ListenerName.PRIVATE_HTTP, "private http"))


class EnvoyDataPlane:
    """An ``EnvoyGateway`` on loopback and the ``GatewayRunner`` keeping it in line."""

    def __init__(self, settings: DataPlaneSettings) -> None:
        ports = GatewayPorts(
            address=settings.address,
            public_http=settings.public_http_port,
            private_http=settings.private_http_port,
            public_https=0,
            private_https=0,
        )
        self.gateway = EnvoyGateway(ports=ports, workdir=settings.workdir / "envoy")
        self._runner = GatewayRunner(self.gateway)

    @property
    def reconciler(self) -> GatewayRunner:
        """The runner: EnvoyIngressConfigs in, Envoy programmed, status out."""
        return self._runner

    def start(self) -> None:
        """Start Envoy (serving nothing yet: 404 for every host)."""
        self.gateway.start()

    def close(self) -> None:
        """Stop Envoy."""
        self.gateway.stop()

    def listeners(self) -> Sequence[GatewayListener]:
        """The public, then the private, plain-HTTP listener."""
        address = self.gateway.ports.address
        return [GatewayListener(name, address, self.gateway.port(ln)) for ln, name in _SHOWN]

    def describe(self) -> list[str]:
        """The routes Envoy serves now."""
        return describe_snapshot(self.gateway.snapshot)
