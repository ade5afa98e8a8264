"""Knative's ``helloworld`` sample, in Python: ``Hello {TARGET}!`` on ``$PORT``.

The contract of the Knative samples (``helloworld-go``, ``helloworld-python``):

- listen on ``$PORT`` (default 8080) — here on 127.0.0.1 only, since nothing
  but the local gateway should reach it;
- answer every ``GET`` with ``Hello {TARGET}!\\n`` (``$TARGET``, default ``World``);
- and, as Knative's queue-proxy does for every revision, answer the network
  probe: a request with ``K-Network-Probe: probe`` gets 200 with its
  ``K-Network-Hash`` echoed (400 when that hash is empty), so gateway probers
  can tell the request reached a revision.

It speaks HTTP/1.1 with keep-alive, one thread per connection, with Nagle's
algorithm off (a proxy keeps connections open and sends small requests).
Run it with ``python -m kingress.samples.helloworld``.
"""

from __future__ import annotations

import contextlib
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from kingress.headers import HASH_HEADER, PROBE_HEADER, PROBE_VALUE

#: Where the sample listens: loopback only.
HOST = "127.0.0.1"
DEFAULT_PORT = 8080
DEFAULT_TARGET = "World"


class HelloServer(ThreadingHTTPServer):
    """A threaded HTTP server that greets ``target``."""

    daemon_threads = True

    def __init__(self, port: int, target: str) -> None:
        super().__init__((HOST, port), HelloHandler)
        self.target = target

    @property
    def port(self) -> int:
        """The bound port (the one chosen by the system when asked for 0)."""
        return int(self.server_address[1])


class HelloHandler(BaseHTTPRequestHandler):
    """Greets on every GET; answers the Knative network probe."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: HelloServer

    def do_GET(self) -> None:
        """The probe answer for a probe, the greeting otherwise."""
        if self.headers.get(PROBE_HEADER) == PROBE_VALUE:
            self._probe()
            return
        self._reply(200, f"Hello {self.server.target}!\n")

    def _probe(self) -> None:
        hash_ = self.headers.get(HASH_HEADER) or ""
        if not hash_:
            message = f"a probe request must contain a non-empty {HASH_HEADER!r} header\n"
            self._reply(400, message)
            return
        self._reply(200, "", {HASH_HEADER: hash_})

    def _reply(self, code: int, body: str, headers: dict[str, str] | None = None) -> None:
        data = body.encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def main() -> None:
    """Serve until interrupted, configured by ``$PORT`` and ``$TARGET``."""
    port = int(os.environ.get("PORT") or DEFAULT_PORT)
    target = os.environ.get("TARGET") or DEFAULT_TARGET
    with HelloServer(port, target) as server:
        print(f"helloworld: listening on {HOST}:{server.port}", file=sys.stderr, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


if __name__ == "__main__":
    main()
