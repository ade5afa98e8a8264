"""Requests through the local gateway, as ``curl -H "Host: ..."`` would send them.

``curl_command`` is the command a person would type; ``get`` does that
request in Python; ``distribution`` sends many on one keep-alive connection
and counts the answers (a split is decided per request, so one connection
shows it as well as many).
"""

from __future__ import annotations

import http.client
from collections import Counter
from dataclasses import dataclass

from kingress.dataplane import GatewayListener


@dataclass(frozen=True, slots=True)
class Reply:
    """An HTTP answer: status and body text (whitespace stripped)."""

    status: int
    body: str

    @property
    def text(self) -> str:
        """The body for a 200, else ``HTTP <status>: <body>``."""
        return self.body if self.status == 200 else f"HTTP {self.status}: {self.body}".strip()


def curl_command(listener: GatewayListener, host: str, path: str = "/") -> str:
    """The curl command for this request."""
    return f'curl -H "Host: {host}" {listener.url}{path}'


def _exchange(connection: http.client.HTTPConnection, host: str, path: str) -> Reply:
    connection.request("GET", path, headers={"Host": host})
    response = connection.getresponse()
    return Reply(response.status, response.read().decode(errors="replace").strip())


def get(listener: GatewayListener, host: str, path: str = "/", *, timeout: float = 5.0) -> Reply:
    """One GET to ``host`` through the listener."""
    connection = http.client.HTTPConnection(listener.address, listener.port, timeout=timeout)
    try:
        return _exchange(connection, host, path)
    finally:
        connection.close()


def distribution(
    listener: GatewayListener, host: str, count: int, *, timeout: float = 5.0
) -> Counter[str]:
    """How many of ``count`` GETs to ``host`` got each answer."""
    connection = http.client.HTTPConnection(listener.address, listener.port, timeout=timeout)
    try:
        return Counter(_exchange(connection, host, "/").text for _ in range(count))
    finally:
        connection.close()
