"""The ``kingress`` entry point of the envoy backend."""

from __future__ import annotations

from collections.abc import Callable

from kingress import Backend, hookimpl
from kingress_envoy.backend import EnvoyBackend


@hookimpl
def register_backends(register: Callable[[Backend], None]) -> None:
    """Register the envoy backend."""
    register(EnvoyBackend())
