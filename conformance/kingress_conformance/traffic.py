"""Real requests to a gateway endpoint: HTTP/1.1 (plain or TLS with SNI), websockets, gRPC.

Shared by the local and cluster depths, which differ only in how they find
the gateway. ``consistently`` is Gateway API's eventual-consistency rule: a
check holds once it held ``successes`` times in a row within ``max_time``.
"""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import grpc

from kingress_conformance.observe import Observation
from kingress_conformance.requests import Request
from kingress_conformance.servers import grpc_wire, websocket

Endpoint = tuple[str, int]
#: Gateway API's defaults: 3 consecutive successes within 30 s.
SUCCESSES = 3
MAX_TIME = 30.0


@dataclass(frozen=True, slots=True)
class Response:
    """Status, lower-cased headers and body of one response."""

    status: int
    headers: dict[str, str]
    body: bytes

    def observation(self) -> Observation | None:
        """The runtime server's echo, if the body is one."""
        try:
            data = json.loads(self.body)
        except ValueError:
            return None
        return Observation.of_echo(data) if isinstance(data, dict) and "server" in data else None


def _connect(endpoint: Endpoint, request: Request, timeout: float) -> socket.socket:
    sock = socket.create_connection(endpoint, timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if not request.tls:
        return sock
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context.wrap_socket(sock, server_hostname=request.host)


class _Connection(http.client.HTTPConnection):
    """An HTTP/1.1 connection over a socket made by ``_connect`` (TLS with SNI when asked)."""

    def __init__(self, endpoint: Endpoint, request: Request, timeout: float) -> None:
        super().__init__(endpoint[0], endpoint[1], timeout=timeout)
        self._request = request
        self._endpoint = endpoint

    def connect(self) -> None:
        self.sock = _connect(self._endpoint, self._request, self.timeout or 10.0)


def send(
    endpoint: Endpoint, request: Request, *, path: str | None = None, timeout: float = 10.0
) -> Response:
    """One request; ``OSError`` when the connection fails."""
    conn = _Connection(endpoint, request, timeout)
    try:
        conn.putrequest("GET", path or request.path, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", request.host)
        for name, value in request.headers:
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return Response(
            response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        )
    finally:
        conn.close()


def consistently(
    attempt: Callable[[], str | None], *, successes: int = SUCCESSES, max_time: float = MAX_TIME
) -> str | None:
    """``None`` once ``attempt`` held ``successes`` times in a row; else its last problem."""
    deadline = time.monotonic() + max_time
    streak, problem = 0, "never tried"
    while time.monotonic() < deadline:
        problem = attempt() or ""
        streak = 0 if problem else streak + 1
        if streak >= successes:
            return None
        time.sleep(0.05 if problem else 0)
    return f"not consistent within {max_time:g}s: {problem}"


def websocket_echo(
    endpoint: Endpoint, request: Request, messages: int, timeout: float = 10.0
) -> list[str]:
    """Open a websocket through the gateway and echo ``messages`` messages; the replies."""
    sock = _connect(endpoint, request, timeout)
    try:
        key = websocket.new_key()
        lines = [
            f"GET {request.path} HTTP/1.1",
            f"Host: {request.host}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
        ]
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        reader, writer = sock.makefile("rb"), sock.makefile("wb")
        status = reader.readline().decode(errors="replace")
        while reader.readline() not in (b"\r\n", b""):
            pass
        if " 101 " not in status:
            raise websocket.WebsocketError(f"upgrade refused: {status.strip()}")
        replies = []
        for index in range(messages):
            websocket.write_frame(writer, websocket.TEXT, f"message-{index}".encode(), mask=True)
            reply = websocket.read_message(reader, writer, mask=True)
            if reply is None:
                raise websocket.WebsocketError("closed by the peer")
            replies.append(reply)
        websocket.write_frame(writer, websocket.CLOSE, b"", mask=True)
        return replies
    finally:
        sock.close()


def grpc_ping(
    endpoint: Endpoint, request: Request, messages: int, timeout: float = 10.0
) -> list[str]:
    """One bidirectional ``PingStream`` through the gateway (plaintext h2c); the replies."""
    options = [("grpc.default_authority", request.host), ("grpc.enable_http_proxy", 0)]
    with grpc.insecure_channel(f"{endpoint[0]}:{endpoint[1]}", options=options) as channel:
        stream = channel.stream_stream(
            grpc_wire.STREAM_METHOD,
            request_serializer=grpc_wire.encode_msg,
            response_deserializer=grpc_wire.decode_msg,
        )

        def outgoing() -> Iterator[str]:
            yield from (f"ping-{index}" for index in range(messages))

        return [str(reply) for reply in stream(outgoing(), timeout=timeout)]
