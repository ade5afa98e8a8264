"""The gateway prober against real HTTP servers on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kingress.cluster.port import Kind, ObjectRef
from kingress.runtime.prober import Prober, ProbeTarget
from kingress.runtime.testing import wait_until

INGRESS = ObjectRef(Kind("networking.internal.knative.dev", "ClusterIngress"), "default", "hello")


class Gateway:
    """A fake gateway pod: fails ``failures`` probes (503), then echoes ``hash_``."""

    def __init__(self, hash_: str | None, failures: int = 0, status: int = 200) -> None:
        self.hash_ = hash_
        self.failures = failures
        self.status = status
        self.requests: list[dict[str, str]] = []
        self.lock = threading.Lock()


@contextmanager
def serving(gateway: Gateway) -> Iterator[int]:
    class Handler(BaseHTTPRequestHandler):
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            with gateway.lock:
                gateway.requests.append({"path": self.path, **dict(self.headers.items())})
                failing = len(gateway.requests) <= gateway.failures
            self.send_response(503 if failing else gateway.status)
            if not failing and gateway.hash_ is not None:
                self.send_header("K-Network-Hash", gateway.hash_)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextmanager
def prober(**options: Any) -> Iterator[tuple[Prober, list[ObjectRef]]]:
    ready: list[ObjectRef] = []
    instance = Prober(ready.append, backoff=(0.01, 0.05), **options)
    try:
        yield instance, ready
    finally:
        instance.stop()


def test_ready_once_every_pod_echoes_the_hash_after_failures() -> None:
    first, second = Gateway("abc", failures=3), Gateway("abc", failures=1)
    with serving(first) as port_a, serving(second) as port_b, prober(workers=2) as (p, ready):
        targets = [
            ProbeTarget(("127.0.0.1",), port_a, ("hello.example.com", "hello.default")),
            ProbeTarget(("127.0.0.1",), port_b, ("hello.example.com",)),
        ]
        assert not p.is_ready(INGRESS, "abc", targets)
        wait_until(lambda: ready == [INGRESS], what="the ready callback")
        assert p.is_ready(INGRESS, "abc", targets)
    probe = first.requests[-1]
    assert probe["path"] == "/healthz"
    assert probe["K-Network-Probe"] == "probe"
    assert probe["K-Network-Hash"] == "override"
    assert probe["User-Agent"] == "Knative-Ingress-Probe"
    assert {r["Host"] for r in first.requests} == {"hello.example.com", "hello.default"}


def test_a_ready_version_is_never_probed_again() -> None:
    gateway = Gateway("abc")
    with serving(gateway) as port, prober() as (p, ready):
        targets = [ProbeTarget(("127.0.0.1",), port, ("hello.example.com",))]
        p.is_ready(INGRESS, "abc", targets)
        wait_until(lambda: ready == [INGRESS], what="readiness")
        sent = p.sent
        for _ in range(50):
            assert p.is_ready(INGRESS, "abc", targets)
        assert p.sent == sent
        # A new version is probed afresh, and stays not-ready while the old hash is echoed.
        assert not p.is_ready(INGRESS, "def", targets)
        wait_until(lambda: p.sent > sent + 2, what="probes of the new version")
        assert not p.is_ready(INGRESS, "def", targets)
        gateway.hash_ = "def"
        wait_until(lambda: ready == [INGRESS, INGRESS], what="the new version")


def test_knatives_verdicts_for_other_answers() -> None:
    silent, odd = Gateway(None), Gateway(None, status=500)
    with serving(silent) as port_a, serving(odd) as port_b, prober() as (p, ready):
        p.is_ready(INGRESS, "h", [ProbeTarget(("127.0.0.1",), port_a, ("a",))])
        wait_until(lambda: ready == [INGRESS], what="200 without a hash to count")
        other = ObjectRef(INGRESS.kind, "default", "other")
        p.is_ready(other, "h", [ProbeTarget(("127.0.0.1",), port_b, ("b",))])
        wait_until(lambda: ready == [INGRESS, other], what="other codes to count")
        assert p.is_ready(ObjectRef(INGRESS.kind, "default", "none"), "h", [])


def test_forget_cancels_probing() -> None:
    stuck, healthy = Gateway("abc", failures=10**6), Gateway("xyz")
    with serving(stuck) as port_a, serving(healthy) as port_b, prober(workers=1) as (p, ready):
        p.is_ready(INGRESS, "abc", [ProbeTarget(("127.0.0.1",), port_a, ("a",))])
        wait_until(lambda: len(stuck.requests) >= 2, what="some probes")
        p.forget(INGRESS)
        settled = len(stuck.requests)
        # Once the single worker has finished another ingress, the cancelled probes are gone.
        other = ObjectRef(INGRESS.kind, "default", "other")
        p.is_ready(other, "xyz", [ProbeTarget(("127.0.0.1",), port_b, ("b",))])
        wait_until(lambda: ready == [other], what="the other ingress")
        assert len(stuck.requests) <= settled + 1
