"""The pluggy entry point (``kingress`` group, name ``contour``): registers the backend."""

from __future__ import annotations

from collections.abc import Callable

from kingress import Backend, hookimpl
from kingress_contour.backend import ContourBackend


@hookimpl
def register_backends(register: Callable[[Backend], None]) -> None:
    """Register the Contour backend."""
    register(ContourBackend())
