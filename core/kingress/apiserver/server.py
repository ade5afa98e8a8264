"""The HTTP side: a threading HTTP/1.1 server on loopback that feeds ``Api.handle``.

Bodies are JSON (YAML is accepted for ``application/yaml``); a body that does
not parse is ``400 BadRequest`` and one over ``MAX_BODY_BYTES`` is ``413``.
Watches are sent with chunked transfer encoding, one JSON event per line.
The server binds 127.0.0.1 unless told otherwise: it has no authentication,
so anyone who can reach the port can do anything.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import yaml

from kingress.api.kinds import default_scheme
from kingress.api.scheme import Scheme
from kingress.apiserver.handlers import Api, Response, Stream
from kingress.apiserver.routing import parse
from kingress.apiserver.status import RequestEntityTooLarge, failure
from kingress.cluster.errors import ApiError, BadRequest
from kingress.cluster.memory import MemoryCluster

#: Kubernetes' own request limit (3 MiB).
MAX_BODY_BYTES = 3 * 1024 * 1024

log = logging.getLogger("kingress.apiserver")


def _decode(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    try:
        if "yaml" in content_type:
            return yaml.safe_load(raw)
        return json.loads(raw)
    except (ValueError, yaml.YAMLError) as error:
        raise BadRequest(f"the request body could not be decoded: {error}") from None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def _serve(self) -> None:
        content_type = self.headers.get("Content-Type", "")
        try:
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._discard(length)
                raise RequestEntityTooLarge(
                    f"the request body is {length} bytes; the limit is {MAX_BODY_BYTES}"
                )
            body = _decode(self.rfile.read(length), content_type)
        except ApiError as error:
            self._send(Response(error.code, failure(error)))
            return
        result = self.server.api.handle(
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

    def _discard(self, length: int) -> None:
        """Read and drop a refused body, so the client gets the answer, not a reset."""
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 16))
            if not chunk:
                break
            length -= len(chunk)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def _send(self, response: Response) -> None:
        payload = json.dumps(response.body).encode()
        self.send_response(response.code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _stream(self, stream: Stream) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            for event in stream.events:
                line = json.dumps(event).encode() + b"\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    api: Api

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients hanging up (a watch closed early) are routine, not errors."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class ApiServer:
    """The embedded API server: start it, use ``url``, stop it."""

    def __init__(
        self,
        store: MemoryCluster | None = None,
        scheme: Scheme | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.store = store or MemoryCluster()
        self._http = _Server((host, port), _Handler)
        self.host: str = host
        self.port: int = self._http.server_address[1]
        self.api = Api(self.store, scheme or default_scheme(), f"{self.host}:{self.port}")
        self._http.api = self.api
        self._thread: threading.Thread | None = None

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
