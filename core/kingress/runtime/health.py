"""The controller's HTTP endpoints: ``/healthz``, ``/readyz`` and ``/metrics``.

``/healthz`` answers 200 while the process serves; ``/readyz`` answers 200 once
the manager is ready (caches synced, leadership known) and 503 with the reason
otherwise; ``/metrics`` is the Prometheus text exposition.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kingress.runtime.metrics import Registry

#: Returns ``None`` when ready, else why not.
ReadyCheck = Callable[[], str | None]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: probes and scrapes are frequent."""

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path == "/healthz":
            self._reply(200, "ok\n")
        elif path == "/readyz":
            problem = self.server.ready()
            self._reply(503 if problem else 200, f"{problem or 'ok'}\n")
        elif path == "/metrics":
            self._reply(200, self.server.registry.render(), "text/plain; version=0.0.4")
        else:
            self._reply(404, "not found\n")

    def _reply(self, code: int, text: str, content_type: str = "text/plain") -> None:
        payload = text.encode()
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    ready: ReadyCheck
    registry: Registry


class HealthServer:
    """Serves the three endpoints in a background thread."""

    def __init__(self, host: str, port: int, registry: Registry, ready: ReadyCheck) -> None:
        self._http = _Server((host, port), _Handler)
        self._http.ready = ready
        self._http.registry = registry
        self.port: int = self._http.server_address[1]
        self._thread = threading.Thread(
            target=self._http.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="kingress-health",
            daemon=True,
        )

    def start(self) -> None:
        """Start serving."""
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._http.shutdown()
        self._http.server_close()
