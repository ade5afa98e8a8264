"""What the real-Envoy tests share: echo upstreams, a translate-and-apply harness, a client.

Upstreams are small threaded Python servers that echo each request as JSON
(method, host, path, headers) and answer Knative probes with the hash; they
listen on 127.0.0.1, set ``disable_nagle_algorithm`` (else every proxied
request stalls ~40 ms) and shut down by themselves after a while even if a
test forgets. ``Harness`` translates ClusterIngresses with the real backend
against those upstreams and applies the assembled snapshot to a gateway.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import resource
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from kingress import (
    HASH_HEADER,
    BackendService,
    ClusterIngress,
    EndpointAddress,
    ServicePort,
    TranslateContext,
    Visibility,
    insert_probe,
)
from kingress.testing import ingress, path, rule, simple_ingress, split, tls
from kingress_envoy.backend import EnvoyBackend
from kingress_envoy.binary import EnvoyNotFound, find_envoy
from kingress_envoy.gateway import EnvoyGateway
from kingress_envoy.names import ListenerName
from kingress_envoy.snapshot import EnvoySnapshot, TLSSecret, assemble

PUBLIC, PRIVATE = ListenerName.PUBLIC_HTTP, ListenerName.PRIVATE_HTTP
SERVER_LIFETIME = 120.0  # upstreams stop by themselves after this long


def envoy_or_skip() -> Path:
    try:
        return find_envoy()
    except EnvoyNotFound as error:
        print(f"skipping real-Envoy tests: {error}")
        pytest.skip(str(error))


# -- upstreams ---------------------------------------------------------------------------


class _EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: EchoServer

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.headers.get("Upgrade", "").lower() == "websocket":
            self._tunnel()
            return
        status = self.server.next_status()
        body = json.dumps(
            {
                "name": self.server.name,
                "method": self.command,
                "host": self.headers.get("Host", ""),
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
            }
        ).encode()
        self.send_response(status)
        if self.headers.get("K-Network-Probe") == "probe":
            self.send_header(HASH_HEADER, self.headers.get(HASH_HEADER, ""))
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def _tunnel(self) -> None:
        """Accept the upgrade, then echo raw bytes with our name in front (bounded)."""
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.end_headers()
        self.wfile.flush()
        self.connection.settimeout(5)
        for _ in range(100):
            data = self.connection.recv(4096)
            if not data:
                break
            self.connection.sendall(self.server.name.encode() + b":" + data)
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass


class EchoServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, name: str) -> None:
        super().__init__(("127.0.0.1", 0), _EchoHandler)
        self.name = name
        self.requests = 0
        self.statuses: list[int] = []  # statuses to answer first (then 200)
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True)
        self._timer = threading.Timer(SERVER_LIFETIME, self.stop)
        self._timer.daemon = True

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def start(self) -> EchoServer:
        self._thread.start()
        self._timer.start()
        return self

    def next_status(self) -> int:
        with self._lock:
            self.requests += 1
            return self.statuses.pop(0) if self.statuses else 200

    def stop(self) -> None:
        self._timer.cancel()
        self.shutdown()
        self.server_close()


# -- the harness ---------------------------------------------------------------------------


@dataclass
class Harness:
    gateway: EnvoyGateway
    upstreams: dict[str, EchoServer]
    backend: EnvoyBackend = field(default_factory=EnvoyBackend)
    secrets: dict[str, TLSSecret] = field(default_factory=dict)
    #: More Services than the echo upstreams (h2c, ExternalName).
    services: dict[tuple[str, str], BackendService] = field(default_factory=dict)

    def context(self) -> TranslateContext:
        services = {
            ("default", name): BackendService(
                namespace="default",
                name=name,
                ports=(ServicePort(port=80),),
                endpoints=(EndpointAddress(ip="127.0.0.1", port=server.port),),
            )
            for name, server in self.upstreams.items()
        }
        return TranslateContext(services={**services, **self.services})

    def snapshot(self, ingresses: Sequence[ClusterIngress]) -> tuple[EnvoySnapshot, list[str]]:
        objects: list[dict[str, Any]] = []
        hashes: list[str] = []
        for ing in ingresses:
            probed, hash_ = insert_probe(ing)
            objects.extend(self.backend.translate(probed, self.context()).objects)
            hashes.append(hash_)
        return assemble(objects, self.secrets), hashes

    def apply(self, *ingresses: ClusterIngress) -> list[str]:
        snapshot, hashes = self.snapshot(ingresses)
        result = self.gateway.apply(snapshot)
        assert result.accepted, result
        return hashes

    def get(
        self,
        host: str,
        path_: str = "/",
        headers: dict[str, str] | None = None,
        listener: ListenerName = PUBLIC,
    ) -> tuple[int, dict[str, Any]]:
        status, _, body = self.gateway.probe(host, path_, listener=listener, headers=headers)
        try:
            return status, json.loads(body)
        except ValueError:
            return status, {}


class KeepAlive:
    """One keep-alive client connection to a listener (reconnects if the server closes)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)

    def get(self, host: str, path_: str = "/") -> tuple[int, dict[str, Any]]:
        for attempt in range(2):
            try:
                self.conn.request("GET", path_, headers={"Host": host})
                response = self.conn.getresponse()
                body = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                return response.status, json.loads(body) if response.status == 200 else {}
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A server may close an idle keep-alive connection; that is not a failed request.
                self.conn.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.conn.close()


#: The cluster-local host of ``broad_ingresses``.
LOCAL_HOST = "local.default.svc.cluster.local"


def broad_ingresses() -> list[ClusterIngress]:
    """Ingresses covering what the backend renders: a split with headers, header matches,
    a host rewrite, an h2c port, a cluster-local host, TLS on both listeners, HTTP
    redirected to HTTPS, and a plain host (Services ``a``, ``b`` and ``c``)."""
    return [
        ingress(
            "everything",
            rules=[
                rule(
                    ["secure.example.com", "www.example.com"],
                    paths=[
                        path(
                            "/split", splits=[split("a", 80, headers={"Who": "a"}), split("b", 20)]
                        ),
                        path(
                            "/h",
                            match={"X-A": "1", "X-B": "2"},
                            headers={"Pre": "1"},
                            splits=[split("c")],
                        ),
                        path(rewrite_host="internal.example.com", splits=[split("a", port=81)]),
                    ],
                ),
                rule(
                    [LOCAL_HOST],
                    paths=[path(splits=[split("b")])],
                    visibility=Visibility.CLUSTER_LOCAL,
                ),
            ],
            tls_entries=[
                tls(["secure.example.com", "www.example.com"], "cert"),
                tls([LOCAL_HOST], "cert"),
            ],
            http_option="Redirected",
        ),
        simple_ingress(host="plain.example.com", service="c"),
    ]


def assembled(
    ingresses: Sequence[ClusterIngress],
    config: Callable[[ClusterIngress], dict[str, Any]],
    secret: TLSSecret,
) -> EnvoySnapshot:
    """The snapshot of ``ingresses``, renamed ``i0``, ``i1``, ... and turned into configs by
    ``config``, with ``secret`` as the Secret ``default/cert``."""
    configs = [
        config(
            ing.model_copy(update={"metadata": ing.metadata.model_copy(update={"name": f"i{i}"})})
        )
        for i, ing in enumerate(ingresses)
    ]
    return assemble(configs, {"default/cert": secret})


def simple(name: str, host: str, service: str = "a", **path_options: Any) -> ClusterIngress:
    return ingress(
        name, rules=[rule([host], paths=[path(splits=[split(service)], **path_options)])]
    )


@contextlib.contextmanager
def file_size_limit(size: int) -> Iterator[None]:
    """Refuse (EFBIG) every write past ``size`` bytes in this process, as a full disk would."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous)
