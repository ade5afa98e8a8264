"""The plugin module named by the ``kingress`` entry point ``example``."""

from __future__ import annotations

from collections.abc import Callable

from kingress import Backend, hookimpl
from kingress_example_backend.backend import ExampleBackend


@hookimpl
def register_backends(register: Callable[[Backend], None]) -> None:
    """Register the example backend."""
    register(ExampleBackend())
