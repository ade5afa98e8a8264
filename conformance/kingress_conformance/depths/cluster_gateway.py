"""Where the gateway of a Ready ClusterIngress is reached from this machine (Knative's rules).

Knative's conformance client (``test/ingress.CreateDialContext``) reads the
first entry of the ingress's load balancer status:

- ``domainInternal`` names a Service (``name.namespace.svc.<domain>``): without
  ``--ingress-endpoint`` its own load balancer address (IP or hostname) on the
  requested port; with it, that host on the NodePort of the Service port that
  matches the requested port (a kind node maps NodePorts to localhost);
- ``ip`` (or ``domain``): that address on the requested port.

Ports are 80 for plain HTTP and 443 for TLS. ``GatewayUnreachable`` (an
``OSError``, so the live checks report it like a refused connection) says
which step failed.
"""

from __future__ import annotations

import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kingress.cluster.errors import NotFound
from kingress.cluster.port import Cluster, Kind
from kingress_conformance.traffic import Endpoint

SERVICE = Kind("", "Service")
HTTP_PORT, HTTPS_PORT = 80, 443


class GatewayUnreachable(OSError):
    """The gateway's address could not be found or did not accept a connection."""


@dataclass(frozen=True, slots=True)
class GatewayLocator:
    """Turns a load balancer status into an endpoint, through the cluster's Services."""

    cluster: Cluster
    #: ``--ingress-endpoint``: dial NodePorts on this host instead of load balancer addresses.
    ingress_endpoint: str | None = None

    def endpoint(self, load_balancer: Mapping[str, Any], *, tls: bool = False) -> Endpoint:
        """The (host, port) for plain HTTP or TLS; ``GatewayUnreachable`` if there is none."""
        port = HTTPS_PORT if tls else HTTP_PORT
        entries = load_balancer.get("ingress") or []
        if not entries:
            raise GatewayUnreachable("the ClusterIngress reports no load balancer")
        entry = entries[0]
        if entry.get("domainInternal"):
            return self._service_endpoint(str(entry["domainInternal"]), port)
        address = entry.get("ip") or entry.get("domain")
        if address:
            return str(address), port
        raise GatewayUnreachable(f"load balancer entry {dict(entry)} names no address")

    def _service_endpoint(self, domain: str, port: int) -> Endpoint:
        name, _, rest = domain.partition(".")
        namespace = rest.partition(".")[0]
        try:
            service = self.cluster.get(SERVICE, namespace, name)
        except NotFound as error:
            raise GatewayUnreachable(f"no Service {namespace}/{name} (from {domain})") from error
        where = f"Service {namespace}/{name}"
        if self.ingress_endpoint:
            for entry in (service.get("spec") or {}).get("ports") or ():
                if entry.get("port") == port and entry.get("nodePort"):
                    return self.ingress_endpoint, int(entry["nodePort"])
            raise GatewayUnreachable(f"{where} has no NodePort for port {port}")
        balancers = ((service.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
        for balancer in balancers:
            address = balancer.get("ip") or balancer.get("hostname")
            if address:
                return str(address), port
        raise GatewayUnreachable(
            f"{where} has no load balancer address (pass --ingress-endpoint to use its NodePorts)"
        )


def connectable(endpoint: Endpoint, timeout: float = 5.0) -> None:
    """Open and close one TCP connection; ``GatewayUnreachable`` saying why it failed."""
    try:
        socket.create_connection(endpoint, timeout=timeout).close()
    except OSError as error:
        raise GatewayUnreachable(f"{endpoint[0]}:{endpoint[1]}: {error}") from error
