"""The test server: HTTP/1.1 and h2c on one port, websockets, gRPC ping, the probe contract.

Plain requests are answered by kind: ``runtime`` echoes the request as JSON
(``server``, ``method``, ``host``, ``path``, ``headers`` as name → values,
``protoMajor``), ``timeout`` sleeps ``initialTimeout`` ms before the headers
and ``timeout`` ms before the body, ``retry`` answers its first request 503
and later ones like ``runtime``. A request with ``K-Network-Probe: probe``
gets 200 with its ``K-Network-Hash`` echoed (Knative's probe handler; 400
without a hash). A connection starting with the HTTP/2 preface is served as
h2c (prior knowledge), where ``/ping.PingService/*`` is the gRPC ping service.
Handlers set ``disable_nagle_algorithm``, else a proxy in front waits ~40 ms
for every small write.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

import h2.config
import h2.connection
import h2.events

from kingress_conformance.servers import grpc_wire, websocket

PROBE_HEADER = "k-network-probe"
HASH_HEADER = "k-network-hash"
_PREFACE = b"PRI * HTTP/2.0"


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerConfig:
    """What one test server is."""

    #: The test Service it stands behind (echoed as ``server``).
    name: str
    #: ``runtime``, ``timeout`` or ``retry``.
    kind: str = "runtime"
    #: Appended to websocket and gRPC echoes.
    suffix: str = ""
    address: str = "127.0.0.1"
    port: int = 0
    #: Seconds until the server stops by itself.
    lifetime: float = 3600.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    config: ServerConfig
    requests_seen: int
    lock: threading.Lock


def echo(
    config: ServerConfig,
    method: str,
    host: str,
    path: str,
    headers: list[tuple[str, str]],
    major: int,
) -> bytes:
    """The runtime's JSON echo of one request."""
    grouped: dict[str, list[str]] = {}
    for name, value in headers:
        grouped.setdefault(name.title(), []).append(value)
    body = {
        "server": config.name,
        "method": method,
        "host": host,
        "path": path,
        "headers": grouped,
        "protoMajor": major,
    }
    return json.dumps(body, sort_keys=True).encode()


class Handler(BaseHTTPRequestHandler):
    """HTTP/1.1 requests, websocket upgrades, and the switch to h2c."""

    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the suite reports what matters."""

    def handle_one_request(self) -> None:
        """h2c when the connection starts with the HTTP/2 preface, else HTTP/1.1."""
        if self.rfile.peek(len(_PREFACE))[: len(_PREFACE)] == _PREFACE:  # type: ignore[attr-defined]
            H2Session(self.server, self.connection, self.rfile).run()
            self.close_connection = True
            return
        super().handle_one_request()

    def do_GET(self) -> None:
        """Probe, websocket upgrade, or the kind's answer."""
        headers = [(k, v) for k, v in self.headers.items()]
        probe = self.headers.get(PROBE_HEADER)
        if probe == "probe":
            self._probe(self.headers.get(HASH_HEADER, ""))
            return
        if self.headers.get("Upgrade", "").lower() == "websocket":
            self._websocket()
            return
        config = self.server.config
        if config.kind == "timeout":
            self._slow()
            return
        if config.kind == "retry" and self._first():
            self._send(503, b"503 on the first request", "text/plain")
            return
        body = echo(config, self.command, self.headers.get("Host", ""), self.path, headers, 1)
        self._send(200, body, "application/json")

    do_POST = do_GET

    def _first(self) -> bool:
        with self.server.lock:
            self.server.requests_seen += 1
            return self.server.requests_seen == 1

    def _probe(self, hash_: str) -> None:
        if not hash_:
            self._send(400, b"probe without K-Network-Hash", "text/plain")
            return
        self._send(200, b"probe", "text/plain", {"K-Network-Hash": hash_})

    def _send(
        self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _slow(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        before = int(query.get("initialTimeout", ["0"])[0]) / 1000
        after = int(query.get("timeout", ["0"])[0]) / 1000
        time.sleep(before)
        body = b"slow response"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.flush()
        time.sleep(after)
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up first (a gateway with a short timeout does):
            # that is the outcome the timeout case looks for, not a server error.
            self.close_connection = True

    def _websocket(self) -> None:
        key = self.headers.get("Sec-WebSocket-Key", "")
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", websocket.accept_key(key))
        self.end_headers()
        self.wfile.flush()
        suffix = self.server.config.suffix
        try:
            while (
                message := websocket.read_message(self.rfile, self.wfile, mask=False)
            ) is not None:
                websocket.write_frame(
                    self.wfile, websocket.TEXT, (message + suffix).encode(), mask=False
                )
            websocket.write_frame(self.wfile, websocket.CLOSE, b"", mask=False)
        except (websocket.WebsocketError, OSError):
            pass
        self.close_connection = True


class H2Session:
    """One h2c connection: echo, probe, and the gRPC ping service."""

    def __init__(self, server: _Server, sock: socket.socket, rfile: object) -> None:
        self.server = server
        self.sock = sock
        self.rfile = rfile
        self.conn = h2.connection.H2Connection(
            config=h2.config.H2Configuration(client_side=False, header_encoding="utf-8")
        )
        self.requests: dict[int, list[tuple[str, str]]] = {}
        self.grpc: dict[int, bytearray] = {}

    def run(self) -> None:
        """Serve until the peer closes."""
        self.conn.initiate_connection()
        self._flush()
        read = self.rfile.read1  # type: ignore[attr-defined]
        while data := read(65535):
            for event in self.conn.receive_data(data):
                self._event(event)
            self._flush()

    def _flush(self) -> None:
        pending = self.conn.data_to_send()
        if pending:
            self.sock.sendall(pending)

    def _event(self, event: object) -> None:
        if isinstance(event, h2.events.RequestReceived) and event.stream_id is not None:
            headers = [(str(k), str(v)) for k, v in event.headers or ()]
            self.requests[event.stream_id] = headers
            if dict(headers).get(":path", "").startswith(f"/{grpc_wire.SERVICE}/"):
                self.grpc[event.stream_id] = bytearray()
                self.conn.send_headers(
                    event.stream_id, [(":status", "200"), ("content-type", "application/grpc")]
                )
        elif isinstance(event, h2.events.DataReceived) and event.stream_id is not None:
            self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
            buffer = self.grpc.get(event.stream_id)
            if buffer is not None:
                buffer.extend(event.data or b"")
                for message in grpc_wire.unframe(buffer):
                    reply = grpc_wire.decode_msg(message) + self.server.config.suffix
                    self.conn.send_data(
                        event.stream_id, grpc_wire.frame(grpc_wire.encode_msg(reply))
                    )
        elif isinstance(event, h2.events.StreamEnded) and event.stream_id is not None:
            self._end(event.stream_id)

    def _end(self, stream_id: int) -> None:
        headers = self.requests.pop(stream_id, [])
        if self.grpc.pop(stream_id, None) is not None:
            self.conn.send_headers(stream_id, [("grpc-status", "0")], end_stream=True)
            return
        pseudo = dict(h for h in headers if h[0].startswith(":"))
        plain = [h for h in headers if not h[0].startswith(":")]
        values = {k: v for k, v in plain}
        if values.get(PROBE_HEADER) == "probe" and values.get(HASH_HEADER):
            status, body, extra = "200", b"probe", [(HASH_HEADER, values[HASH_HEADER])]
        else:
            config = self.server.config
            host = pseudo.get(":authority", values.get("host", ""))
            body = echo(config, pseudo.get(":method", ""), host, pseudo.get(":path", ""), plain, 2)
            status, extra = "200", [("content-type", "application/json")]
        self.conn.send_headers(
            stream_id, [(":status", status), ("content-length", str(len(body))), *extra]
        )
        self.conn.send_data(stream_id, body, end_stream=True)


class TestServer:
    """A running test server; a context manager that stops it."""

    __test__ = False  # not a pytest test class

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self._server = _Server((config.address, config.port), Handler)
        self._server.config = config
        self._server.requests_seen = 0
        self._server.lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._server.serve_forever, name=f"test-server-{config.name}", daemon=True
        )
        self._timer = threading.Timer(config.lifetime, self.stop)
        self._timer.daemon = True
        self._stopped = threading.Event()

    @property
    def address(self) -> tuple[str, int]:
        """Where it listens."""
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> TestServer:
        """Start serving in a daemon thread."""
        self._thread.start()
        self._timer.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._timer.cancel()
        if not self._stopped.is_set():
            self._stopped.set()
            self._server.shutdown()
            self._server.server_close()

    def wait(self) -> None:
        """Block until the server stopped (its lifetime ended or ``stop`` was called)."""
        self._stopped.wait()

    def __enter__(self) -> TestServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(config: ServerConfig) -> TestServer:
    """Start a test server in-process; stop it with ``stop()`` or use it as a context manager."""
    return TestServer(config).start()
