"""The HTTP side: a threading HTTP/1.1 server on loopback that feeds ``Api.handle``.

Bodies are JSON (YAML is accepted for ``application/yaml``), decoded and
bounded by ``bodies``. Watches are sent with chunked transfer encoding, one
JSON event per line.

The server binds 127.0.0.1 unless told otherwise: it has no authentication,
so anyone who can reach the port can do anything (``ApiServer`` logs a
warning for any other address). Whatever a client does, it gets an answer or
a closed connection within bounded time and memory (``Limits``):

- a body over ``MAX_BODY_BYTES`` is ``413`` (and no more than twice the limit
  is read before the connection is closed); a missing or malformed length, or
  a chunked body, is ``411``/``400`` and the connection is closed; a body that
  stops arriving is ``408`` after ``request_timeout``, as is an idle
  keep-alive connection (closed);
- at most ``max_connections`` connections are served at once, at most
  ``max_watches`` of them watches: beyond that, ``429 TooManyRequests``;
- a watch whose client went away is noticed at the next heartbeat and ends.
"""

from __future__ import annotations

import ipaddress
import logging
import select
import socket
import sys
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kingress import jsoncodec
from kingress.api.kinds import default_scheme
from kingress.api.scheme import Scheme
from kingress.apiserver.bodies import MAX_BODY_BYTES, decode
from kingress.apiserver.faults import FaultInjector, FaultPlan, StreamAborted
from kingress.apiserver.handlers import Api, Response, Stream
from kingress.apiserver.routing import parse
from kingress.apiserver.status import (
    LengthRequired,
    RequestEntityTooLarge,
    RequestTimeout,
    TooManyRequests,
    failure,
)
from kingress.cluster.errors import ApiError, BadRequest
from kingress.cluster.memory import MemoryCluster

__all__ = ["MAX_BODY_BYTES", "ApiServer", "Limits", "is_loopback"]

log = logging.getLogger("kingress.apiserver")


@dataclass(frozen=True, slots=True)
class Limits:
    """How much of the server one set of clients may hold."""

    #: Connections served at once (each holds a thread).
    max_connections: int = 512
    #: Watches streaming at once (each holds a connection until it ends).
    max_watches: int = 256
    #: Seconds a request (or an idle keep-alive connection) may take to arrive.
    request_timeout: float = 60.0


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _status_bytes(error: ApiError) -> bytes:
    return jsoncodec.dumps(failure(error))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.limits.request_timeout)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors found before a request is parsed (a garbled request line, an unknown
        method…) as Kubernetes ``Status`` objects too, and the connection closed."""
        phrase = HTTPStatus(code).phrase if code in HTTPStatus._value2member_map_ else "Error"
        error = ApiError(message or phrase)
        error.code, error.reason = code, phrase.replace(" ", "")
        payload = _status_bytes(error)
        self.close_connection = True
        self.send_response(code, message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _serve(self) -> None:
        content_type = self.headers.get("Content-Type", "")
        try:
            body = decode(self._read_body(), content_type, self.command)
        except ApiError as error:
            self._send(Response(error.code, failure(error)))
            return
        result = self.server.handler.handle(
            self.command,
            parse(self.path),
            body,
            content_type=content_type,
            accept=self.headers.get("Accept", ""),
        )
        if isinstance(result, Stream):
            self._stream(result)
        else:
            self._send(result)

    def _read_body(self) -> bytes:
        """The raw body; on a refusal the connection is closed if its framing is unknown."""
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise LengthRequired("a request body must be sent with a Content-Length")
        declared = (self.headers.get("Content-Length") or "0").strip()
        if not declared.isdigit():
            self.close_connection = True
            raise BadRequest(f"invalid Content-Length {declared[:20]!r}")
        length = int(declared)
        if length > MAX_BODY_BYTES:
            self._discard(length)
            raise RequestEntityTooLarge(
                f"the request body is {length} bytes; the limit is {MAX_BODY_BYTES}"
            )
        try:
            raw = self.rfile.read(length)
        except TimeoutError:
            self.close_connection = True
            raise RequestTimeout("the request body did not arrive in time") from None
        if len(raw) < length:
            self.close_connection = True
            raise BadRequest(f"the request body ended after {len(raw)} of {length} bytes")
        return raw

    def _discard(self, length: int) -> None:
        """Read and drop a refused body (up to twice the limit), so the client gets the answer.

        Bigger bodies are not read: the connection is closed after the answer.
        """
        self.close_connection = True
        left = min(length, 2 * MAX_BODY_BYTES)
        try:
            while left > 0:
                chunk = self.rfile.read(min(left, 1 << 16))
                if not chunk:
                    break
                left -= len(chunk)
        except TimeoutError:
            pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def _send(self, response: Response) -> None:
        payload = jsoncodec.dumps(response.body)
        self.send_response(response.code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        if response.code == TooManyRequests.code:
            self.send_header("Retry-After", "1")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)

    def _stream(self, stream: Stream) -> None:
        slots = self.server.watch_slots
        if not slots.acquire(blocking=False):
            error = TooManyRequests(
                f"too many watches: at most {self.server.limits.max_watches} at once"
            )
            self._send(Response(error.code, failure(error)))
            return
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for event in stream.events:
                if event is None:
                    if self._client_gone():
                        break
                    continue
                line = jsoncodec.dumps(event) + b"\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                self.wfile.flush()
            else:
                self.wfile.write(b"0\r\n\r\n")
                return
            self.close_connection = True
        except (StreamAborted, OSError):
            self.close_connection = True
        finally:
            slots.release()

    def _client_gone(self) -> bool:
        """Whether the client closed its end (a readable socket with nothing to read)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, address: tuple[str, int], handler: Api | FaultInjector, limits: Limits
    ) -> None:
        self.handler = handler
        self.limits = limits
        self.watch_slots = threading.BoundedSemaphore(limits.max_watches)
        self._connection_slots = threading.BoundedSemaphore(limits.max_connections)
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve the connection in a thread, or refuse it at once when all slots are taken."""
        if not self._connection_slots.acquire(blocking=False):
            self._refuse(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._connection_slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connection_slots.release()

    def _refuse(self, request: socket.socket) -> None:
        body = _status_bytes(
            TooManyRequests(f"too many connections: at most {self.limits.max_connections}")
        )
        head = (
            "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nRetry-After: 1\r\nConnection: close\r\n\r\n"
        )
        try:
            request.settimeout(1.0)
            request.sendall(head.encode() + body)
        except OSError:
            pass
        self.shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up (a watch closed early) are routine, not errors."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ApiServer:
    """The embedded API server: start it, use ``url``, stop it.

    ``faults`` makes it misbehave on purpose (``kingress.apiserver.faults``).
    """

    def __init__(
        self,
        store: MemoryCluster | None = None,
        scheme: Scheme | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        limits: Limits = Limits(),
        faults: FaultPlan | None = None,
    ) -> None:
        self.store = store or MemoryCluster()
        self.api = Api(self.store, scheme or default_scheme())
        self.faults = FaultInjector(self.api, faults) if faults is not None else None
        self._http = _Server((host, port), self.faults or self.api, limits)
        self.host: str = host
        self.port: int = self._http.server_address[1]
        self.api.server_address = f"{self.host}:{self.port}"
        self._thread: threading.Thread | None = None
        if not is_loopback(host):
            log.warning(
                "listening on %s: not loopback, and there is no authentication: anyone who "
                "can reach this address can read and change everything",
                host,
            )

    @property
    def url(self) -> str:
        """``http://host:port``."""
        return f"http://{self.host}:{self.port}"

    def start(self) -> ApiServer:
        """Serve in a background thread."""
        self._thread = threading.Thread(
            target=self._http.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="kingress-apiserver",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until ``stop`` (or an interrupt)."""
        self._http.serve_forever()

    def stop(self) -> None:
        """Stop serving: end watches, close the socket."""
        self.api.stopping.set()
        self._http.shutdown()
        self._http.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> ApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
