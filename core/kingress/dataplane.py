"""Local data planes: a backend's gateway run on this machine, found through its backend.

A backend whose gateway can run here (the ``envoy`` backend runs a real Envoy)
offers it with one optional method, ``local_data_plane(settings)``: the core
never imports a plugin, it asks the registry for the backend of an ingress
class and checks, structurally, whether that backend provides one
(``ProvidesLocalDataPlane``). ``kingress demo`` and ``kingress dev`` run the
data plane next to the controllers:

- ``reconciler`` is run with the other controllers (``settle`` or the
  controller manager); it programs the gateway from the objects the backend's
  ``translate`` produced and writes the status its ``check_ready`` reads;
- ``start()`` / ``close()`` bound the gateway's processes (``close`` must stop
  all of them, also after a failed ``start``);
- ``listeners()`` says where requests go, the public HTTP listener first;
  ``describe()`` summarises what the gateway serves in a few readable lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from kingress.backends import BackendRegistry
from kingress.controller.reconciler import Reconciler


@dataclass(frozen=True, slots=True, kw_only=True)
class DataPlaneSettings:
    """Where a local data plane keeps its files and listens (port 0: a free port at start)."""

    workdir: Path
    address: str = "127.0.0.1"
    public_http_port: int = 0
    private_http_port: int = 0


@dataclass(frozen=True, slots=True)
class GatewayListener:
    """One place the gateway takes requests: ``public http`` on 127.0.0.1:8080, say."""

    name: str
    address: str
    port: int

    @property
    def url(self) -> str:
        """``http://address:port`` (``https`` for a TLS listener)."""
        scheme = "https" if "https" in self.name else "http"
        return f"{scheme}://{self.address}:{self.port}"


class LocalDataPlane(Protocol):
    """A gateway running on this machine, programmed by its own reconciler."""

    @property
    def reconciler(self) -> Reconciler:
        """Run it with the other controllers; it programs the gateway and writes status."""
        ...

    def start(self) -> None:
        """Start the gateway; return once it takes requests (empty configuration)."""
        ...

    def close(self) -> None:
        """Stop every process the data plane started. Idempotent."""
        ...

    def listeners(self) -> Sequence[GatewayListener]:
        """Where the gateway takes requests (known after ``start``); public HTTP first."""
        ...

    def describe(self) -> list[str]:
        """What the gateway serves now, one readable line per route."""
        ...


@runtime_checkable
class ProvidesLocalDataPlane(Protocol):
    """A backend that can run its gateway locally."""

    def local_data_plane(self, settings: DataPlaneSettings) -> LocalDataPlane:
        """A new, not yet started, data plane."""
        ...


class NoLocalDataPlane(LookupError):
    """The backend of an ingress class cannot run its gateway on this machine."""


def local_data_plane(
    registry: BackendRegistry, ingress_class: str, settings: DataPlaneSettings
) -> LocalDataPlane:
    """The data plane of the backend claiming ``ingress_class``.

    Raises ``UnknownIngressClass`` when no backend claims the class and
    ``NoLocalDataPlane`` (naming the backends that have one) when it runs none.
    """
    backend = registry.for_class(ingress_class)
    if not isinstance(backend, ProvidesLocalDataPlane):
        able = [
            f"{entry.backend.name} ({', '.join(sorted(entry.backend.ingress_classes))})"
            for entry in registry.entries()
            if isinstance(entry.backend, ProvidesLocalDataPlane)
        ]
        raise NoLocalDataPlane(
            f"backend {backend.name} (class {ingress_class}) cannot run its gateway on this "
            f"machine; backends that can: {', '.join(able) or 'none installed'}"
        )
    return backend.local_data_plane(settings)
