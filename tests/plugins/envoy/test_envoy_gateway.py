"""The gateway manager with a real Envoy: real HTTP on 127.0.0.1 only, through real upstreams.

The upstreams and the harness are in ``harness``. Every loop here is bounded;
nothing asserts a duration.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from h2.config import H2Configuration
from h2.connection import H2Connection
from h2.events import ConnectionTerminated, RequestReceived
from h2.exceptions import ProtocolError
from tests.plugins.envoy.harness import (
    PRIVATE,
    PUBLIC,
    SERVER_LIFETIME,
    EchoServer,
    Harness,
    KeepAlive,
    envoy_or_skip,
    simple,
)

from kingress import (
    HASH_HEADER,
    BackendService,
    ClusterIngress,
    EndpointAddress,
    ServicePort,
    Visibility,
)
from kingress.testing import ingress, path, rule, split, tls
from kingress_envoy.gateway import ApplyResult, EnvoyGateway, GatewayPorts
from kingress_envoy.names import ListenerName
from kingress_envoy.snapshot import TLSSecret, assemble

# -- an HTTP/2 upstream ---------------------------------------------------------------------


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class _H2cServer:
    """A cleartext HTTP/2 (prior knowledge) upstream: an HTTP/1 request gets nothing back."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self._stop = threading.Event()
        self._deadline = time.monotonic() + SERVER_LIFETIME
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop.is_set() and time.monotonic() < self._deadline:
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()
        self.sock.close()

    def _serve(self, conn: socket.socket) -> None:
        h2 = H2Connection(H2Configuration(client_side=False, header_encoding="utf-8"))
        h2.initiate_connection()
        conn.settimeout(5)
        try:
            conn.sendall(h2.data_to_send())
            for _ in range(10_000):  # bounded
                data = conn.recv(65536)
                if not data:
                    break
                for event in h2.receive_data(data):
                    if isinstance(event, RequestReceived):
                        headers = {_text(k): _text(v) for k, v in event.headers or ()}
                        body = json.dumps(
                            {
                                "name": self.name,
                                "proto": "HTTP/2",
                                "host": headers.get(":authority", ""),
                                "path": headers.get(":path", ""),
                            }
                        ).encode()
                        h2.send_headers(
                            event.stream_id,
                            [
                                (":status", "200"),
                                ("content-type", "application/json"),
                                ("content-length", str(len(body))),
                            ],
                        )
                        h2.send_data(event.stream_id, body, end_stream=True)
                    elif isinstance(event, ConnectionTerminated):
                        return
                conn.sendall(h2.data_to_send())
        except (OSError, ProtocolError):
            pass
        finally:
            conn.close()

    def stop(self) -> None:
        self._stop.set()


# -- the harness ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gateway() -> Iterator[EnvoyGateway]:
    binary = envoy_or_skip()
    with EnvoyGateway(ports=GatewayPorts.ephemeral(), binary=binary, concurrency=1) as gw:
        yield gw


@pytest.fixture
def harness(gateway: EnvoyGateway, upstreams: dict[str, EchoServer]) -> Harness:
    for server in upstreams.values():
        server.statuses.clear()
    return Harness(gateway, upstreams)


# -- routing -------------------------------------------------------------------------------


def test_nothing_configured_is_404(harness: Harness) -> None:
    harness.apply()
    assert harness.get("nobody.example.com")[0] == 404


def test_basics_and_probe(harness: Harness) -> None:
    (hash_,) = harness.apply(simple("hello", "hello.example.com"))
    status, echo = harness.get("hello.example.com", "/some/path")
    assert status == 200
    assert (echo["name"], echo["host"], echo["path"]) == ("a", "hello.example.com", "/some/path")
    assert harness.gateway.serves(hash_, "hello.example.com")
    assert not harness.gateway.serves("not-the-hash", "hello.example.com")
    # The probe path only applies with K-Network-Hash: override; a plain request is untouched.
    assert HASH_HEADER.lower() not in echo["headers"]


def test_weighted_split_over_1000_requests(harness: Harness) -> None:
    harness.apply(
        ingress(
            "split",
            rules=[
                rule(
                    ["split.example.com"],
                    paths=[path(splits=[split("a", 80), split("b", 20), split("c", 0)])],
                )
            ],
        )
    )
    client = KeepAlive(harness.gateway.port(PUBLIC))
    seen: Counter[str] = Counter()
    try:
        for _ in range(1000):
            status, echo = client.get("split.example.com")
            assert status == 200
            seen[echo["name"]] += 1
    finally:
        client.close()
    assert 750 <= seen["a"] <= 850, seen
    assert 150 <= seen["b"] <= 250, seen
    assert seen["c"] == 0, seen


def test_path_and_header_match_routing(harness: Harness) -> None:
    harness.apply(
        ingress(
            "dispatch",
            rules=[
                rule(
                    ["dispatch.example.com"],
                    paths=[
                        path(splits=[split("a")]),
                        path("/foo", splits=[split("b")]),
                        path("/foo", match={"X-Tag": "t", "X-Env": "prod"}, splits=[split("c")]),
                        path(match={"Knative-Serving-Tag": "candidate"}, splits=[split("d")]),
                    ],
                )
            ],
        )
    )

    def who(path_: str, headers: dict[str, str] | None = None) -> str:
        status, echo = harness.get("dispatch.example.com", path_, headers)
        assert status == 200
        return str(echo["name"])

    assert who("/") == "a"
    assert who("/asdf") == "a"
    assert who("/foo/bar") == "b"
    assert who("/foo", {"X-Tag": "t"}) == "b"  # both headers are required
    assert who("/foo", {"X-Tag": "t", "X-Env": "prod"}) == "c"
    assert who("/", {"Knative-Serving-Tag": "candidate"}) == "d"
    assert who("/", {"Knative-Serving-Tag": "other"}) == "a"


def test_pre_and_post_split_headers_overwrite(harness: Harness) -> None:
    harness.apply(
        ingress(
            "headers",
            rules=[
                rule(
                    ["headers.example.com"],
                    paths=[
                        path(
                            headers={"Foo-Bar-Baz": "pre"},
                            splits=[
                                split("a", 50, headers={"Who": "split-a"}),
                                split("b", 50, headers={"Who": "split-b"}),
                            ],
                        )
                    ],
                )
            ],
        )
    )
    seen = set()
    for _ in range(100):
        status, echo = harness.get(
            "headers.example.com", headers={"Foo-Bar-Baz": "bogus", "Who": "bogus"}
        )
        assert status == 200
        assert echo["headers"]["foo-bar-baz"] == "pre"
        assert echo["headers"]["who"] == f"split-{echo['name']}"
        seen.add(echo["name"])
        if seen == {"a", "b"}:
            break
    assert seen == {"a", "b"}


def test_host_rewrite(harness: Harness) -> None:
    harness.apply(simple("rewrite", "vanity.example.com", rewrite_host="app.internal.example"))
    status, echo = harness.get("vanity.example.com")
    assert status == 200
    assert echo["host"] == "app.internal.example"


def test_cluster_local_only_on_the_private_listener(harness: Harness) -> None:
    local = "private.default.svc.cluster.local"
    harness.apply(
        ingress(
            "private",
            rules=[
                rule(
                    [local], paths=[path(splits=[split("b")])], visibility=Visibility.CLUSTER_LOCAL
                )
            ],
        ),
        simple("public", "public.example.com", "a"),
    )
    for host in (local, "private.default.svc", "private.default"):
        assert harness.get(host, listener=PUBLIC)[0] == 404
        status, echo = harness.get(host, listener=PRIVATE)
        assert (status, echo["name"]) == (200, "b")
    # ExternalIP rules answer on both (as Kourier).
    assert harness.get("public.example.com", listener=PUBLIC)[0] == 200
    assert harness.get("public.example.com", listener=PRIVATE)[0] == 200


def test_no_retry_even_when_the_client_asks(harness: Harness) -> None:
    harness.apply(simple("retry", "retry.example.com", "c"))
    upstream = harness.upstreams["c"]
    for headers in ({}, {"X-Envoy-Retry-On": "5xx", "X-Envoy-Max-Retries": "3"}):
        upstream.requests = 0
        upstream.statuses[:] = [503, 503]
        assert harness.get("retry.example.com", headers=headers)[0] == 503
        assert upstream.requests == 1
    upstream.statuses.clear()
    assert harness.get("retry.example.com")[0] == 200


def test_websocket_upgrade(harness: Harness) -> None:
    harness.apply(simple("ws", "ws.example.com", "d"))
    with socket.create_connection(("127.0.0.1", harness.gateway.port(PUBLIC)), timeout=5) as sock:
        sock.sendall(
            b"GET /ws HTTP/1.1\r\nHost: ws.example.com\r\nUpgrade: websocket\r\n"
            b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            b"Sec-WebSocket-Version: 13\r\n\r\n"
        )
        head = b""
        while b"\r\n\r\n" not in head and len(head) < 65536:
            chunk = sock.recv(4096)
            if not chunk:
                break
            head += chunk
        assert head.startswith(b"HTTP/1.1 101"), head
        for i in range(5):
            sock.sendall(f"ping {i}".encode())
            assert sock.recv(4096) == f"d:ping {i}".encode()


def test_h2c_upstream(harness: Harness) -> None:
    server = _H2cServer("grpcish")
    try:
        harness.services[("default", "h2")] = BackendService(
            namespace="default",
            name="h2",
            ports=(ServicePort(name="http2", port=81, app_protocol="kubernetes.io/h2c"),),
            endpoints=(EndpointAddress(ip="127.0.0.1", port=server.port),),
        )
        harness.apply(
            ingress(
                "h2", rules=[rule(["h2.example.com"], paths=[path(splits=[split("h2", port=81)])])]
            )
        )
        status, echo = harness.get("h2.example.com", "/ping")
        assert (status, echo["proto"], echo["path"]) == (200, "HTTP/2", "/ping")
    finally:
        server.stop()


def test_external_name_service_with_host_rewrite(harness: Harness) -> None:
    """The DomainMapping pattern: a vanity host → ExternalName Service, Host rewritten."""
    target = harness.upstreams["b"]
    harness.services[("default", "ext")] = BackendService(
        namespace="default",
        name="ext",
        type="ExternalName",
        external_name="127.0.0.1",
        ports=(ServicePort(port=target.port),),
    )
    harness.apply(
        ingress(
            "mapping",
            rules=[
                rule(
                    ["vanity.example.org"],
                    paths=[
                        path(
                            rewrite_host="hello.default.svc.cluster.local",
                            splits=[split("ext", port=target.port)],
                        )
                    ],
                )
            ],
        )
    )
    status, echo = harness.get("vanity.example.org")
    assert (status, echo["name"], echo["host"]) == (200, "b", "hello.default.svc.cluster.local")


def test_stats_of_one_kind(harness: Harness) -> None:
    harness.apply(simple("one", "one.example.com"))
    process = harness.gateway.process
    assert process is not None and process.admin is not None
    pattern = r"^cluster_manager\.cds\.(version_text|update_rejected)$"
    texts = process.admin.stats(pattern, kind="TextReadouts")
    assert list(texts) == ["cluster_manager.cds.version_text"]
    assert isinstance(texts["cluster_manager.cds.version_text"], str)
    counters = process.admin.stats(pattern, kind="Counters")
    assert counters == {"cluster_manager.cds.update_rejected": 0}


def test_apply_without_start_reports_at_once() -> None:
    gw = EnvoyGateway(ports=GatewayPorts.ephemeral())
    result = gw.apply(assemble([]))
    assert (result.accepted, result.reason) == (False, "GatewayNotRunning")
    gw.stop()


# -- updates --------------------------------------------------------------------------------


def test_no_failed_request_while_the_config_changes(harness: Harness) -> None:
    host = "update.example.com"

    def version(i: int) -> ClusterIngress:
        # Even steps change a header sentinel only; odd steps move to another Service.
        service = "abcd"[(i // 2) % 4]
        return ingress(
            "update",
            rules=[
                rule(
                    [host],
                    paths=[path(headers={"Sentinel": str(i)}, splits=[split(service)])],
                )
            ],
        )

    harness.apply(version(0))
    stop = threading.Event()
    results: Counter[int] = Counter()
    errors: list[str] = []

    def load() -> None:
        client = KeepAlive(harness.gateway.port(PUBLIC))
        try:
            for _ in range(200_000):  # bounded; normally ended by ``stop``
                if stop.is_set():
                    break
                try:
                    status, _ = client.get(host)
                except (OSError, http.client.HTTPException) as error:
                    errors.append(repr(error))
                    continue
                results[status] += 1
        finally:
            client.close()

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    try:
        for i in range(1, 21):
            harness.apply(version(i))
            # Served as soon as apply returns: the first request sees the new version.
            status, echo = harness.get(host)
            assert status == 200
            assert echo["headers"]["sentinel"] == str(i)
            assert echo["name"] == "abcd"[(i // 2) % 4]
            # Let the background client run a few requests against this version too.
            target, deadline = sum(results.values()) + 5, time.monotonic() + 10
            while sum(results.values()) < target and time.monotonic() < deadline:
                time.sleep(0.001)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert errors == []
    assert set(results) == {200}, results
    assert results[200] >= 100, results


# -- failures ---------------------------------------------------------------------------------


def test_recovers_after_envoy_is_killed(upstreams: dict[str, EchoServer]) -> None:
    binary = envoy_or_skip()
    with EnvoyGateway(ports=GatewayPorts.ephemeral(), binary=binary, concurrency=1) as gw:
        harness = Harness(gw, upstreams)
        (hash_,) = harness.apply(simple("crash", "crash.example.com", "b"))
        process = gw.process
        assert process is not None and process.pid is not None
        old_pid = process.pid
        process.signal(signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            current = gw.process
            if gw.running and current is not None and current.pid not in (None, old_pid):
                break
            time.sleep(0.02)
        assert gw.restarts == 1
        current = gw.process
        assert current is not None and current.pid != old_pid
        # Serving the last good config again, on the same port.
        assert gw.wait_serving(hash_, "crash.example.com", timeout=10)
        status, echo = harness.get("crash.example.com")
        assert (status, echo["name"]) == (200, "b")
        # And it takes new configs.
        harness.apply(simple("crash", "crash.example.com", "c"))
        assert harness.get("crash.example.com")[1]["name"] == "c"
    with pytest.raises(ProcessLookupError):
        os.kill(current.pid or 0, 0)


def _garbage_secret() -> TLSSecret:
    return TLSSecret(
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
        "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n",
    )


def _broken_tls(harness: Harness) -> ClusterIngress:
    """``bad.example.com`` with a certificate Envoy cannot load (``default/broken``)."""
    harness.secrets["default/broken"] = _garbage_secret()
    return ingress(
        "bad",
        rules=[rule(["bad.example.com"], paths=[path(splits=[split("b")])])],
        tls_entries=[tls(["bad.example.com"], "broken")],
    )


def test_rejected_config_keeps_the_last_good_one(harness: Harness) -> None:
    (good_hash,) = harness.apply(simple("good", "good.example.com", "a"))
    bad = _broken_tls(harness)
    changed_good = simple("good", "good.example.com", "c")
    snapshot, (new_good_hash, bad_hash) = harness.snapshot([changed_good, bad])
    result: ApplyResult = harness.gateway.apply(snapshot)
    assert not result.accepted
    assert result.reason == "EnvoyRejected"
    assert result.stage == "lds"
    assert "certificate" in result.message.lower()
    # The last good config keeps serving: the old version of "good", and no "bad".
    status, echo = harness.get("good.example.com")
    assert (status, echo["name"]) == (200, "a")
    assert harness.gateway.serves(good_hash, "good.example.com")
    assert harness.get("bad.example.com")[0] == 404
    assert result.served == {"default/good": good_hash}
    assert result.status_for("default/bad", bad_hash)["rejectedHash"] == bad_hash
    assert result.status_for("default/good", new_good_hash)["servedHash"] == good_hash
    # And the gateway still takes good configs afterwards.
    harness.apply(changed_good)
    assert harness.get("good.example.com")[1]["name"] == "c"


def test_a_rejection_envoy_does_not_log_is_still_seen(upstreams: dict[str, EchoServer]) -> None:
    binary = envoy_or_skip()
    with EnvoyGateway(
        ports=GatewayPorts.ephemeral(), binary=binary, concurrency=1, log_level="critical"
    ) as gateway:
        harness = Harness(gateway, upstreams)
        (good_hash,) = harness.apply(simple("good", "good.example.com", "a"))
        bad = _broken_tls(harness)
        snapshot, _ = harness.snapshot([simple("good", "good.example.com", "a"), bad])
        result = gateway.apply(snapshot, timeout=8.0)
        # Envoy's NACK carries its message (not a timeout), though nothing was logged.
        assert (result.accepted, result.reason, result.stage) == (False, "EnvoyRejected", "lds")
        assert "Failed to load certificate chain" in result.message
        assert gateway.serves(good_hash, "good.example.com")


def _self_signed(tmp_path: Path, host: str) -> TLSSecret:
    cert, key = tmp_path / "tls.crt", tmp_path / "tls.key"
    done = subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "1", "-subj", f"/CN={host}", "-keyout", str(key), "-out", str(cert),
        ],
        capture_output=True,
        check=False,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"openssl could not make a test certificate: {done.stderr.decode()[:200]}")
    return TLSSecret(cert.read_text(), key.read_text())


def test_tls_and_http_option(harness: Harness, tmp_path: Path) -> None:
    harness.secrets["default/cert"] = _self_signed(tmp_path, "secure.example.com")
    harness.secrets["default/cert2"] = harness.secrets["default/cert"]
    redirected = ingress(
        "redirected",
        rules=[rule(["secure.example.com"], paths=[path(splits=[split("a")])])],
        tls_entries=[tls(["secure.example.com"], "cert")],
        http_option="Redirected",
    )
    enabled = ingress(
        "enabled",
        rules=[rule(["open.example.com"], paths=[path(splits=[split("b")])])],
        tls_entries=[tls(["open.example.com"], "cert2")],
        http_option="Enabled",
    )
    harness.apply(redirected, enabled)
    https = ListenerName.PUBLIC_HTTPS
    status, echo = harness.get("secure.example.com", listener=https)
    assert (status, echo["name"]) == (200, "a")
    status, echo = harness.get("open.example.com", listener=https)
    assert (status, echo["name"]) == (200, "b")
    status, headers, _ = harness.gateway.probe("secure.example.com", "/x")
    assert status == 301
    assert headers["location"].startswith("https://secure.example.com")
    assert harness.get("open.example.com")[0] == 200
    # The private gateway does not redirect.
    assert harness.get("secure.example.com", listener=PRIVATE)[0] == 200


def test_stop_leaves_no_process(upstreams: dict[str, EchoServer]) -> None:
    binary = envoy_or_skip()
    gw = EnvoyGateway(ports=GatewayPorts.ephemeral(), binary=binary, concurrency=1).start()
    process = gw.process
    assert process is not None and process.pid is not None
    workdir = gw.workdir
    gw.stop()
    with pytest.raises(ProcessLookupError):
        os.kill(process.pid, 0)
    assert not workdir.exists()


def test_restart_after_stop_serves_the_last_config(upstreams: dict[str, EchoServer]) -> None:
    binary = envoy_or_skip()
    gw = EnvoyGateway(ports=GatewayPorts.ephemeral(), binary=binary, concurrency=1)
    try:
        harness = Harness(gw.start(), upstreams)
        (hash_,) = harness.apply(simple("again", "again.example.com", "d"))
        gw.stop()
        assert not gw.running
        gw.start()
        assert gw.serves(hash_, "again.example.com")
        assert gw.snapshot.served == {"default/again": hash_}
    finally:
        gw.stop()
