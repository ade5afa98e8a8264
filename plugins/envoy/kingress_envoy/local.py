"""The envoy backend's local gateway for the conformance suite's ``local`` depth.

``EnvoyLocalGateway`` implements the suite's ``LocalGateway`` protocol (start,
apply, endpoint, stop; structural, nothing imported from the suite) on top of
``EnvoyGateway``: a real Envoy on ephemeral loopback ports, programmed with the
snapshot ``assemble`` makes from the backend's EnvoyIngressConfigs and the TLS
Secrets. ``apply`` returns once Envoy serves the snapshot, and raises
``RuntimeError`` with Envoy's reason when it refuses it or leaves an ingress out.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kingress import Translation
from kingress_envoy.gateway import EnvoyGateway, GatewayPorts
from kingress_envoy.names import ListenerName
from kingress_envoy.snapshot import TLSSecret, assemble

_LISTENERS = {
    ("public", False): ListenerName.PUBLIC_HTTP,
    ("public", True): ListenerName.PUBLIC_HTTPS,
    ("private", False): ListenerName.PRIVATE_HTTP,
    ("private", True): ListenerName.PRIVATE_HTTPS,
}


class EnvoyLocalGateway:
    """A real Envoy serving a backend's translations on loopback."""

    def __init__(self) -> None:
        self._gateway: EnvoyGateway | None = None

    def start(self, workdir: Path) -> None:
        """Start Envoy on ephemeral ports, files in ``workdir``."""
        self._gateway = EnvoyGateway(ports=GatewayPorts.ephemeral(), workdir=workdir).start()

    def apply(self, translations: Sequence[Translation], secrets: Sequence[dict[str, Any]]) -> None:
        """Serve exactly these translations; ``RuntimeError`` with Envoy's reason otherwise."""
        gateway = self._running()
        tls = {
            f"{s['metadata']['namespace']}/{s['metadata']['name']}": TLSSecret.from_secret(s)
            for s in secrets
        }
        snapshot = assemble([o for t in translations for o in t.objects], tls)
        result = gateway.apply(snapshot)
        if not result.accepted:
            raise RuntimeError(f"{result.reason}: {result.message}")
        if result.problems:
            raise RuntimeError("; ".join(f"{p.ingress}: {p.message}" for p in result.problems))

    def endpoint(self, gateway: str, *, tls: bool = False) -> tuple[str, int]:
        """``(address, port)`` of the public or private listener, plain or TLS."""
        running = self._running()
        return running.ports.address, running.port(_LISTENERS[(gateway, tls)])

    def stop(self) -> None:
        """Stop Envoy."""
        if self._gateway is not None:
            self._gateway.stop()
            self._gateway = None

    def _running(self) -> EnvoyGateway:
        if self._gateway is None:
            raise RuntimeError("the envoy local gateway is not started")
        return self._gateway
