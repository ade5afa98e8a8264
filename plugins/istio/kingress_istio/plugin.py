"""The ``kingress`` entry point ``istio``: registers ``IstioBackend``."""

from __future__ import annotations

from collections.abc import Callable

from kingress import Backend, hookimpl
from kingress_istio.backend import IstioBackend


@hookimpl
def register_backends(register: Callable[[Backend], None]) -> None:
    """Register the Istio backend."""
    register(IstioBackend())
