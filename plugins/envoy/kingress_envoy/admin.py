"""A small client for Envoy's admin endpoint (loopback only): stats, listeners, readiness.

The gateway manager learns from here whether Envoy is still warming clusters
or listeners it sent (Envoy acknowledges an update before they are warm);
acceptance itself comes over the xDS stream.
"""

from __future__ import annotations

import http.client
import json
from typing import Any
from urllib.parse import quote

StatValue = int | str


class AdminError(ConnectionError):
    """The admin endpoint did not answer."""


class AdminClient:
    """Keeps one HTTP/1.1 connection to the admin endpoint and reconnects as needed."""

    def __init__(self, host: str, port: int, *, timeout: float = 2.0) -> None:
        self.host = host
        self.port = port
        self._timeout = timeout
        self._conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        """Drop the connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def get(self, path: str) -> tuple[int, bytes]:
        """GET ``path``; one reconnect on a dropped keep-alive connection."""
        for attempt in range(2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(self.host, self.port, timeout=self._timeout)
            try:
                self._conn.request("GET", path)
                response = self._conn.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException) as error:
                self.close()
                if attempt:
                    raise AdminError(
                        f"Envoy admin {self.host}:{self.port}{path}: {error}"
                    ) from error
        raise AssertionError("unreachable")

    def stats(self, pattern: str, *, kind: str = "") -> dict[str, StatValue]:
        """Counters, gauges and text readouts whose names match the regex ``pattern``.

        ``kind`` (``Counters``, ``Gauges``, ``TextReadouts``) reads only that
        type: Envoy then scans only those, which for text readouts (the
        subscriptions' versions) is a handful among many thousand statistics.
        """
        query = f"/stats?filter={_quote(pattern)}" + (f"&type={kind}" if kind else "")
        status, body = self.get(query)
        if status != 200:
            raise AdminError(f"Envoy admin /stats answered {status}: {body[:200]!r}")
        values: dict[str, StatValue] = {}
        for line in body.decode(errors="replace").splitlines():
            name, sep, raw = line.partition(": ")
            if not sep:
                continue
            if raw.startswith('"') and raw.endswith('"'):
                values[name] = raw[1:-1]
            elif raw.lstrip("-").isdigit():
                values[name] = int(raw)
        return values

    def listener_ports(self) -> dict[str, int]:
        """The port each active listener is bound to (resolves port 0)."""
        status, body = self.get("/listeners?format=json")
        if status != 200:
            raise AdminError(f"Envoy admin /listeners answered {status}")
        document: Any = json.loads(body or b"{}")
        ports = {}
        for entry in document.get("listener_statuses", []):
            socket = (entry.get("local_address") or {}).get("socket_address") or {}
            if "port_value" in socket:
                ports[str(entry["name"])] = int(socket["port_value"])
        return ports

    def is_live(self) -> bool:
        """Whether ``/ready`` answers 200 (server state LIVE)."""
        try:
            status, _ = self.get("/ready")
        except AdminError:
            return False
        return status == 200


def _quote(pattern: str) -> str:
    return quote(pattern, safe="")
