"""How a backend offers a local gateway for the ``local`` depth: an optional protocol.

A backend object that also has ``local_gateway() -> LocalGateway`` can be run
at the local depth (checked with ``isinstance(backend, ProvidesLocalGateway)``).
Nothing needs importing: the protocols are structural, so a third-party backend
only implements the methods. The suite calls, in order:

- ``start(workdir)``: start the data plane on loopback (ephemeral ports);
- ``apply(translations, secrets)``: serve exactly these translations (the
  backend's own output for every ingress of its class; the core's probe paths
  included) with these ``kubernetes.io/tls`` Secrets (wire form); return once
  the gateway took them, raise ``RuntimeError`` with the reason if it refused;
- ``endpoint(gateway, tls=...)``: ``(host, port)`` of the ``"public"`` or
  ``"private"`` gateway, plain or TLS;
- ``stop()``: stop everything it started.

The suite itself waits for the probe hash of every ingress before it sends any
request, as Knative's prober does.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from kingress import Translation


@runtime_checkable
class LocalGateway(Protocol):
    """A real data plane on this machine, programmed with a backend's translations."""

    def start(self, workdir: Path) -> None:
        """Start serving (nothing at first)."""
        ...

    def apply(self, translations: Sequence[Translation], secrets: Sequence[dict[str, Any]]) -> None:
        """Serve exactly these translations; ``RuntimeError`` if the gateway refuses them."""
        ...

    def endpoint(self, gateway: str, *, tls: bool = False) -> tuple[str, int]:
        """Where the ``public`` or ``private`` gateway listens (plain or TLS)."""
        ...

    def stop(self) -> None:
        """Stop the data plane."""
        ...


@runtime_checkable
class ProvidesLocalGateway(Protocol):
    """A backend that can run its own gateway locally."""

    def local_gateway(self) -> LocalGateway:
        """A new, unstarted local gateway."""
        ...
