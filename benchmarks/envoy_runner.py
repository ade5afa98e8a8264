"""Programming Envoy from the store, and the upstreams it routes to.

``GatewayRunner`` is the Envoy plugin's own runner (``kingress_envoy.runner``,
what ``kingress dev`` and the demo run) driven over the benchmark's store: each
``sync`` lists every EnvoyIngressConfig, assembles them (incrementally), has a
real Envoy (``EnvoyGateway``) take the snapshot, and writes each config's
status (served or rejected hash) so the ClusterIngress controller sees
readiness. Without a gateway an ``AcceptingGateway`` takes every snapshot at
once (the control plane's cost without a data plane: what ``scale`` measures).

``Upstream`` is a tiny HTTP/1.1 server naming itself in every response (and
answering Knative probes as the queue-proxy does), and
``publish_endpoints`` makes a Revision's Kubernetes Service resolve to one, so
Envoy has somewhere real to send each split.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kingress import HASH_HEADER, PROBE_HEADER, PROBE_VALUE
from kingress.cluster.errors import NotFound
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Cluster, Kind, Object
from kingress_envoy.gateway import ApplyResult
from kingress_envoy.runner import CONFIG_KIND, Gateway
from kingress_envoy.runner import GatewayRunner as PluginRunner
from kingress_envoy.snapshot import EnvoySnapshot, empty_snapshot

ENVOY_CONFIG = CONFIG_KIND
ENDPOINTS = Kind("", "Endpoints")
#: The header an ``Upstream`` names itself in.
UPSTREAM_HEADER = "X-Upstream"


class AcceptingGateway:
    """A gateway without Envoy: every snapshot is served at once (a ``Gateway``)."""

    def __init__(self) -> None:
        self.snapshot: EnvoySnapshot = empty_snapshot()
        self.running = True

    def apply(self, snapshot: EnvoySnapshot) -> ApplyResult:
        """Take ``snapshot`` as served."""
        self.snapshot = snapshot
        return ApplyResult.serving(snapshot)


class GatewayRunner:
    """The plugin's ``GatewayRunner`` over ``store``, synced when the benchmark says so."""

    def __init__(self, store: MemoryCluster, gateway: Gateway | None = None) -> None:
        self.store = store
        self.runner = PluginRunner(gateway if gateway is not None else AcceptingGateway())

    def sync(self) -> ApplyResult:
        """Serve the current configs (unless already served) and write their statuses."""
        return self.runner.sync(self.store)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        name: str = self.server.name  # type: ignore[attr-defined]
        body = json.dumps({"upstream": name}).encode()
        self.send_response(200)
        self.send_header(UPSTREAM_HEADER, name)
        if self.headers.get(PROBE_HEADER) == PROBE_VALUE:
            # What Knative's queue-proxy does for a probe: echo the hash Envoy set.
            self.send_header(HASH_HEADER, self.headers.get(HASH_HEADER, ""))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a benchmark prints its own results."""


class Upstream:
    """An HTTP/1.1 server on 127.0.0.1 that names itself (``X-Upstream``)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.name = name  # type: ignore[attr-defined]
        self.port = int(self.server.server_address[1])
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Upstream:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def publish_endpoints(cluster: Cluster, namespace: str, names: Iterable[str], port: int) -> None:
    """Endpoints for each Kubernetes Service ``names``: 127.0.0.1:``port``, port name ``http``."""
    for name in names:
        endpoints: Object = {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": {"name": name, "namespace": namespace},
            "subsets": [
                {
                    "addresses": [{"ip": "127.0.0.1"}],
                    "ports": [{"name": "http", "port": port}],
                }
            ],
        }
        try:
            current = cluster.get(ENDPOINTS, namespace, name)
        except NotFound:
            cluster.create(endpoints)
            continue
        cluster.update({**endpoints, "metadata": current["metadata"]})
