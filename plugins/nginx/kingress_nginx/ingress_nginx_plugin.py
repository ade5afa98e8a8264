"""The pluggy plugin of the legacy ``ingress-nginx`` backend (entry point ``ingress-nginx``)."""

from __future__ import annotations

from collections.abc import Callable

from kingress import Backend, hookimpl
from kingress_nginx.backend import IngressNginxBackend


@hookimpl
def register_backends(register: Callable[[Backend], None]) -> None:
    """Register the Ingress + canary backend for ingress-nginx."""
    register(IngressNginxBackend())
