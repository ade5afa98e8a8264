"""Echo upstreams shared by every real-Envoy test module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.plugins.envoy.harness import EchoServer


@pytest.fixture(scope="module")
def upstreams() -> Iterator[dict[str, EchoServer]]:
    servers = {name: EchoServer(name).start() for name in ("a", "b", "c", "d")}
    yield servers
    for server in servers.values():
        server.stop()
