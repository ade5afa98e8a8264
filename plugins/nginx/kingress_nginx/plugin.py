"""The pluggy plugin of the ``nginx`` backend (entry point ``nginx``).

Each backend has its own entry point named like the backend, so a cluster can
block one (``KINGRESS_BLOCK_PLUGINS=ingress-nginx``) and keep the other; the
legacy backend's plugin is ``kingress_nginx.ingress_nginx_plugin``.
"""

from __future__ import annotations

from collections.abc import Callable

from kingress import Backend, hookimpl
from kingress_nginx.backend import NginxBackend


@hookimpl
def register_backends(register: Callable[[Backend], None]) -> None:
    """Register the VirtualServer backend."""
    register(NginxBackend())
