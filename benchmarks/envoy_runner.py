"""Programming Envoy from the store, and the upstreams it routes to.

``GatewayRunner`` does what the Envoy gateway runner of ``kingress dev`` does
(a stand-in until that one is on main):
it assembles every EnvoyIngressConfig in the store into one snapshot, has a
real Envoy (``EnvoyGateway``) take it, and writes each config's status
(served or rejected hash) so the ClusterIngress controller sees readiness.
Without a gateway it assembles and marks what the snapshot serves (the
control plane's cost without a data plane: what ``scale`` measures).

``Upstream`` is a tiny HTTP/1.1 server naming itself in every response (and
answering Knative probes as the queue-proxy does), and
``publish_endpoints`` makes a Revision's Kubernetes Service resolve to one, so
Envoy has somewhere real to send each split.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kingress import HASH_HEADER, PROBE_HEADER, PROBE_VALUE
from kingress.cluster.errors import NotFound
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Cluster, Kind, Object
from kingress_envoy.gateway import ApplyResult, EnvoyGateway
from kingress_envoy.names import API_VERSION, KIND, ingress_key
from kingress_envoy.readiness import SNAPSHOT_VERSION
from kingress_envoy.snapshot import assemble

ENVOY_CONFIG = Kind(API_VERSION.rpartition("/")[0], KIND)
ENDPOINTS = Kind("", "Endpoints")
#: The header an ``Upstream`` names itself in.
UPSTREAM_HEADER = "X-Upstream"


class GatewayRunner:
    """Assembles the store's EnvoyIngressConfigs, applies them, writes their status."""

    def __init__(self, store: MemoryCluster, gateway: EnvoyGateway | None = None) -> None:
        self.store = store
        self.gateway = gateway
        self._last: ApplyResult | None = None

    def sync(self) -> ApplyResult:
        """Apply the current configs (unless that snapshot was the last applied); write statuses."""
        configs = self.store.list(ENVOY_CONFIG)
        snapshot = assemble(configs)
        result = self._last
        if result is None or result.version != snapshot.version:
            if self.gateway is not None:
                result = self.gateway.apply(snapshot)
            else:
                result = ApplyResult(
                    accepted=True,
                    version=snapshot.version,
                    served=snapshot.served,
                    problems=snapshot.problems,
                )
            self._last = result
        for obj in configs:
            meta, spec = obj["metadata"], obj.get("spec") or {}
            ref = spec.get("ingress") or {}
            key = ingress_key(ref.get("namespace") or meta["namespace"], ref.get("name") or "")
            status = result.status_for(key, str(spec.get("probeHash") or ""))
            if status and _essential(status) != _essential(obj.get("status") or {}):
                self.store.update_status({**obj, "status": status})
        return result


def _essential(status: Mapping[str, Any]) -> dict[str, Any]:
    """A config's status without the snapshot version, which changes with every snapshot.

    Rewriting every config's status for a new snapshot version would make one
    change cost a write (and a reconcile, and a translation) per ingress.
    """
    return {k: v for k, v in status.items() if k != SNAPSHOT_VERSION}


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
