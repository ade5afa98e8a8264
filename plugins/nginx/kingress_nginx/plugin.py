"""The pluggy plugin registering both NGINX backends (entry point ``nginx``)."""

from __future__ import annotations

from collections.abc import Callable

from kingress import Backend, hookimpl
from kingress_nginx.backend import IngressNginxBackend, NginxBackend


@hookimpl
def register_backends(register: Callable[[Backend], None]) -> None:
    """Register the VirtualServer backend and the legacy ingress-nginx backend."""
    register(NginxBackend())
    register(IngressNginxBackend())
