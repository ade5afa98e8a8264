"""The embedded API under abuse: clear 4xx Status errors, the store untouched, bounded resources.

Every malformed or hostile request here must be answered with a Kubernetes
``Status`` carrying a 4xx code (never a 500, never a hung or dropped
connection), and leave the store byte-for-byte as it was. Then: concurrent
writers with conflicts lose no update, a flood of large writes keeps memory
bounded, the caps on connections and watches hold, and the server listens on
loopback unless told otherwise.
"""

from __future__ import annotations

import collections
import gc
import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kingress.apiserver.server import MAX_BODY_BYTES, ApiServer, Limits
from kingress.cluster.memory import MemoryCluster

CM = "/api/v1/namespaces/default/configmaps"
DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments"
KSVC = "/apis/serving.knative.dev/v1/namespaces/default/services"
CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
JSON = "application/json"
YAML = "application/yaml"
MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"


def send(
    server: ApiServer,
    method: str,
    path: str,
    body: bytes | None = None,
    content_type: str = JSON,
) -> tuple[int, Any]:
    """One request on a fresh connection: the code and the decoded JSON answer."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers={"Content-Type": content_type})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def exchange(server: ApiServer, data: bytes) -> bytes:
    """Raw bytes in, everything the server sends until it closes (bounded by a timeout)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def snapshot(store: MemoryCluster) -> bytes:
    """Every object and the resourceVersion, as canonical bytes."""
    objects = [obj for kind in store.kinds() for obj in store.list(kind)]
    return json.dumps([store.resource_version, objects], sort_keys=True).encode()


@pytest.fixture(scope="module")
def seeded() -> Iterator[ApiServer]:
    """A server holding a ConfigMap, a Deployment and a Knative Service; short timeouts.

    Shared by the module: every request sent to it is refused (the store is
    compared before and after) or touches only objects of its own.
    """
    with ApiServer(limits=Limits(request_timeout=1.0)) as server:
        deployment = {
            "metadata": {"name": "d"},
            "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}},
        }
        ksvc = {
            "metadata": {"name": "hello"},
            "spec": {"template": {"spec": {"containers": [{"image": "example.com/hello"}]}}},
        }
        for path, obj in (
            (CM, {"metadata": {"name": "cm"}, "data": {"a": "1"}}),
            (DEPLOYMENTS, deployment),
            (KSVC, ksvc),
        ):
            assert send(server, "POST", path, json.dumps(obj).encode())[0] == 201
        yield server


def _laughs() -> bytes:
    """A YAML "billion laughs": a few hundred bytes expanding to 9**10 values."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return ("\n".join(lines) + "\nmetadata: {name: lol}\n").encode()


def _crd(spec: Any) -> bytes:
    return json.dumps({"metadata": {"name": "widgets.example.com"}, "spec": spec}).encode()


def _nested(depth: int) -> bytes:
    return b'{"metadata":{"name":"deep"},"data":{"x":' + b"[" * depth + b"]" * depth + b"}}"


#: (method, path, body, content type, expected code)
REFUSED = [
    pytest.param("POST", CM, b"{not json", JSON, 400, id="malformed-json"),
    pytest.param("POST", CM, b"metadata: [", YAML, 400, id="malformed-yaml"),
    pytest.param("POST", CM, b'{"metadata":{"name":"\xff"}}', JSON, 400, id="not-utf8"),
    pytest.param("POST", CM, b"[1, 2]", JSON, 400, id="not-an-object"),
    pytest.param("POST", CM, b'{"metadata":{"name":"n"},"data":{"a":NaN}}', JSON, 400, id="nan"),
    pytest.param("POST", CM, _nested(150), JSON, 400, id="nested-150"),
    pytest.param("POST", CM, _nested(200_000), JSON, 400, id="nested-200000"),
    pytest.param("POST", CM, b"metadata: {name: y}\nx: " + b"[" * 5000, YAML, 400, id="yaml-deep"),
    pytest.param("POST", CM, _laughs(), YAML, 400, id="yaml-billion-laughs"),
    pytest.param("POST", CM, b"metadata: {name: d}\ndata: {a: 2024-01-01}", YAML, 400, id="date"),
    pytest.param("POST", CM, b"metadata: {name: k}\ndata: {1: a}", YAML, 400, id="int-key"),
    pytest.param("POST", CM, b"!!python/object/apply:os.system [id]", YAML, 400, id="yaml-tag"),
    pytest.param("POST", CM, b'{"metadata":{"name":"t"}}', "text/plain", 415, id="text-plain"),
    pytest.param(
        "POST", CM, b"name=x", "application/x-www-form-urlencoded", 415, id="form-encoded"
    ),
    pytest.param("POST", CM, b"\x0a\x02", "application/vnd.kubernetes.protobuf", 415, id="pb"),
    pytest.param("POST", CM, b'{"metadata":{"name":"Upper"}}', JSON, 422, id="name-upper"),
    pytest.param("POST", CM, b'{"metadata":{"name":"a_b"}}', JSON, 422, id="name-underscore"),
    pytest.param("POST", CM, b'{"metadata":{"name":""}}', JSON, 422, id="name-empty"),
    pytest.param(
        "POST", CM, json.dumps({"metadata": {"name": "a" * 254}}).encode(), JSON, 422, id="long"
    ),
    pytest.param("POST", CM, b'{"metadata":{"name":5}}', JSON, 422, id="name-not-a-string"),
    pytest.param("POST", CM, b'{"metadata":"x"}', JSON, 422, id="metadata-not-an-object"),
    pytest.param(
        "POST", CM, b'{"metadata":{"name":"l","labels":{"a":1}}}', JSON, 422, id="label-number"
    ),
    pytest.param(
        "POST", CM, b'{"metadata":{"name":"l","labels":{"a b":"c"}}}', JSON, 422, id="label-key"
    ),
    pytest.param(
        "POST",
        CM,
        json.dumps({"metadata": {"name": "a", "annotations": {"a": "x" * 300_000}}}).encode(),
        JSON,
        422,
        id="annotations-too-big",
    ),
    pytest.param(
        "POST", CM, b'{"metadata":{"name":"o","ownerReferences":5}}', JSON, 422, id="owners-5"
    ),
    pytest.param(
        "POST",
        CM,
        json.dumps(
            {
                "metadata": {
                    "name": "o",
                    "ownerReferences": [
                        {"apiVersion": "v1", "kind": "X", "name": n, "uid": n, "controller": True}
                        for n in ("a", "b")
                    ],
                }
            }
        ).encode(),
        JSON,
        422,
        id="two-controllers",
    ),
    pytest.param("POST", CM, b'{"kind":"Secret","metadata":{"name":"s"}}', JSON, 400, id="kind"),
    pytest.param("POST", CM, b'{"apiVersion":"v2","metadata":{"name":"s"}}', JSON, 400, id="api"),
    pytest.param(
        "POST", "/apis/example.com/v1/namespaces/default/widgets", b"{}", JSON, 404, id="unknown"
    ),
    pytest.param(
        "POST",
        "/api/v1/namespaces/nowhere/configmaps",
        b'{"metadata":{"name":"x"}}',
        JSON,
        404,
        id="unknown-namespace",
    ),
    pytest.param("POST", CM, b'{"metadata":{"name":"cm"}}', JSON, 409, id="already-exists"),
    pytest.param(
        "PUT",
        f"{CM}/cm",
        b'{"metadata":{"name":"cm","resourceVersion":"1"}}',
        JSON,
        409,
        id="stale-resource-version",
    ),
    pytest.param("PUT", f"{CM}/cm", b'{"metadata":{"name":"other"}}', JSON, 400, id="renamed"),
    pytest.param(
        "PUT",
        f"{CM}/cm",
        b'{"metadata":{"name":"cm","resourceVersion":7}}',
        JSON,
        422,
        id="resource-version-number",
    ),
    pytest.param("PATCH", f"{CM}/cm", b'{"a":1}', JSON_PATCH, 400, id="json-patch-not-a-list"),
    pytest.param("PATCH", f"{CM}/cm", b'[{"op":"add"}]', JSON_PATCH, 400, id="json-patch-no-path"),
    pytest.param(
        "PATCH", f"{CM}/cm", b'[{"op":"add","path":5,"value":1}]', JSON_PATCH, 400, id="path-5"
    ),
    pytest.param(
        "PATCH", f"{CM}/cm", b'[{"op":"add","path":"/data/b"}]', JSON_PATCH, 400, id="no-value"
    ),
    pytest.param(
        "PATCH", f"{CM}/cm", b'[{"op":"remove","path":"/nope"}]', JSON_PATCH, 422, id="no-such-path"
    ),
    pytest.param(
        "PATCH",
        f"{CM}/cm",
        b'[{"op":"test","path":"/data/a","value":"2"}]',
        JSON_PATCH,
        422,
        id="failed-test",
    ),
    pytest.param(
        "PATCH",
        f"{CM}/cm",
        b'[{"op":"replace","path":"/metadata","value":"x"}]',
        JSON_PATCH,
        422,
        id="metadata-replaced-by-a-string",
    ),
    pytest.param("PATCH", f"{CM}/cm", b"5", MERGE, 400, id="merge-patch-not-an-object"),
    pytest.param(
        "PATCH", f"{CM}/cm", b'{"metadata":{"namespace":"other"}}', MERGE, 400, id="moved"
    ),
    pytest.param("PATCH", f"{CM}/cm", b'{"metadata":{"labels":{"a":1}}}', MERGE, 422, id="label"),
    pytest.param("PATCH", f"{CM}/cm", b"{}", JSON, 415, id="patch-as-json"),
    pytest.param(
        "PATCH", f"{CM}/cm", b"{}", "application/apply-patch+yaml", 415, id="server-side-apply"
    ),
    pytest.param(
        "PATCH",
        f"{DEPLOYMENTS}/d",
        b'{"spec":{"template":{"spec":{"$setElementOrder/containers":5}}}}',
        STRATEGIC,
        400,
        id="set-element-order-not-a-list",
    ),
    pytest.param(
        "PATCH", f"{KSVC}/hello", b'{"spec":{"template":5}}', MERGE, 422, id="knative-invalid"
    ),
    pytest.param("DELETE", f"{CM}/cm", b'{"preconditions":5}', JSON, 400, id="preconditions-5"),
    pytest.param("DELETE", f"{CM}/cm", b'{"preconditions":{"uid":"x"}}', JSON, 409, id="wrong-uid"),
    pytest.param("DELETE", f"{CM}/cm", b"[1]", JSON, 400, id="delete-options-list"),
    pytest.param(
        "DELETE", f"{CM}/cm", b'{"propagationPolicy":"Sideways"}', JSON, 400, id="propagation"
    ),
    pytest.param("DELETE", f"{CM}/nope", None, JSON, 404, id="delete-missing"),
    pytest.param("GET", f"{CM}?watch=1&timeoutSeconds=abc", None, JSON, 400, id="timeout-abc"),
    pytest.param("GET", f"{CM}?labelSelector=a%20in%20(", None, JSON, 400, id="label-selector"),
    pytest.param("GET", f"{CM}?fieldSelector=spec.x=1", None, JSON, 400, id="field-selector"),
    pytest.param("POST", CRDS, _crd({"names": 5}), JSON, 422, id="crd-names-5"),
    pytest.param(
        "POST",
        CRDS,
        _crd({"group": "example.com", "names": {"kind": "Widget", "plural": "widgets"}}),
        JSON,
        422,
        id="crd-without-versions",
    ),
    pytest.param(
        "POST",
        CRDS,
        _crd(
            {
                "group": "example.com",
                "names": {"kind": "Widget", "plural": "widgets"},
                "versions": [
                    {"name": "v1", "storage": True, "additionalPrinterColumns": [{"x": 1}]}
                ],
            }
        ),
        JSON,
        422,
        id="crd-bad-printer-column",
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "content_type", "code"), REFUSED)
def test_refused_with_a_status_and_nothing_stored(
    seeded: ApiServer, method: str, path: str, body: bytes | None, content_type: str, code: int
) -> None:
    before = snapshot(seeded.store)
    got, status = send(seeded, method, path, body, content_type)
    assert (got, status["kind"], status["code"]) == (code, "Status", code), status
    assert status["message"]
    assert snapshot(seeded.store) == before
    # The server still works for everyone else.
    assert send(seeded, "GET", f"{CM}/cm")[0] == 200


HEAD = b"POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\n"

#: Requests whose framing is wrong: (raw bytes, expected code).
MALFORMED = [
    pytest.param(HEAD + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 411, id="chunk"),
    pytest.param(HEAD + b"Content-Length: -1\r\n\r\n{}", 400, id="negative-length"),
    pytest.param(HEAD + b"Content-Length: abc\r\n\r\n{}", 400, id="length-not-a-number"),
    pytest.param(HEAD + b"Content-Length: 99999999999\r\n\r\n{}", 413, id="length-huge"),
    pytest.param(HEAD + b"Content-Length: 100\r\n\r\n{}", 408, id="body-never-ends"),
    pytest.param(b"\x16\x03\x01 not http\r\n\r\n", 400, id="not-http"),
    pytest.param(b"BREW /version HTTP/1.1\r\nHost: x\r\n\r\n", 501, id="unknown-method"),
]


@pytest.mark.parametrize(("data", "code"), MALFORMED)
def test_malformed_requests_get_a_status_and_a_closed_connection(
    seeded: ApiServer, data: bytes, code: int
) -> None:
    before = snapshot(seeded.store)
    answer = exchange(seeded, data)  # returns only once the server closes the connection
    body = json.loads(answer.partition(b"\r\n\r\n")[2] or answer)
    assert (body["kind"], body["code"]) == ("Status", code), answer[:300]
    assert snapshot(seeded.store) == before


def test_an_oversized_body_is_refused_before_it_is_read(seeded: ApiServer) -> None:
    big = json.dumps({"metadata": {"name": "big"}, "data": {"x": "y" * MAX_BODY_BYTES}})
    before = snapshot(seeded.store)
    assert send(seeded, "POST", CM, big.encode())[0] == 413
    assert snapshot(seeded.store) == before


def test_concurrent_writers_with_conflicts_lose_no_update(seeded: ApiServer) -> None:
    # 32 writers, 100 updates each, on 4 ConfigMaps: most meet a 409 and re-read.
    # Every update that was answered 200 must be in the final count.
    names = [f"counter-{n}" for n in range(4)]
    for name in names:
        send(
            seeded,
            "POST",
            CM,
            json.dumps({"metadata": {"name": name}, "data": {"n": "0"}}).encode(),
        )
    codes: collections.Counter[int] = collections.Counter()
    won: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()

    def writer(number: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", seeded.port, timeout=10)
        latest: dict[str, Any] = {}
        for step in range(100):
            name = names[(number + step) % len(names)]
            if name not in latest:
                conn.request("GET", f"{CM}/{name}")
                latest[name] = json.loads(conn.getresponse().read())
            obj = latest.pop(name)
            obj["data"]["n"] = str(int(obj["data"]["n"]) + 1)
            conn.request("PUT", f"{CM}/{name}", json.dumps(obj), {"Content-Type": JSON})
            response = conn.getresponse()
            answer = json.loads(response.read())
            with lock:
                codes[response.status] += 1
                if response.status == 200:
                    won[name] += 1
                    latest[name] = answer
        conn.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert set(codes) <= {200, 409} and codes[409] > 0, codes
    assert sum(codes.values()) == 32 * 100
    for name in names:
        assert send(seeded, "GET", f"{CM}/{name}")[1]["data"]["n"] == str(won[name])


def _rss_bytes() -> int:
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    pytest.skip("no /proc/self/status to read the resident set size from")


def test_a_flood_of_large_writes_keeps_memory_bounded() -> None:
    # 64 updates of 1 MiB each: the store keeps the latest object and a watch
    # history bounded by size (16 MiB here; 64 MiB by default), not every
    # version ever written.
    mib = 1024 * 1024
    with ApiServer(MemoryCluster(history_bytes=16 * mib)) as server:
        obj = {"metadata": {"name": "big"}, "data": {"x": ""}}
        send(server, "POST", CM, json.dumps(obj).encode())
        before = _rss_bytes()
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        for number in range(64):
            obj["data"]["x"] = f"{number:08d}" * (mib // 8)
            conn.request("PUT", f"{CM}/big", json.dumps(obj), {"Content-Type": JSON})
            response = conn.getresponse()
            response.read()
            assert response.status == 200
        conn.close()
        grown = _rss_bytes() - before
    assert grown < 40 * mib, f"resident memory grew by {grown // mib} MiB"


def _watch(server: ApiServer) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    sock.sendall(f"GET {CM}?watch=1&resourceVersion=1 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    return sock


def _status_line(sock: socket.socket) -> bytes:
    received = b""
    while b"\r\n" not in received:
        chunk = sock.recv(4096)
        if not chunk:
            break
        received += chunk
    return received.partition(b"\r\n")[0]


def test_watches_are_capped_and_a_departed_watcher_frees_its_slot() -> None:
    with ApiServer(limits=Limits(max_watches=2)) as server:
        first, second = _watch(server), _watch(server)
        assert _status_line(first).endswith(b"200 OK")
        assert _status_line(second).endswith(b"200 OK")
        code, status = send(server, "GET", f"{CM}?watch=1")
        assert (code, status["reason"]) == (429, "TooManyRequests")
        first.close()
        # The server notices the closed connection at the watch's next heartbeat.
        deadline = time.monotonic() + 10
        while (third := _watch(server)) and not _status_line(third).endswith(b"200 OK"):
            third.close()
            assert time.monotonic() < deadline, "the closed watch never freed its slot"
            time.sleep(0.1)
        third.close()
        second.close()


def test_connections_are_capped_and_idle_ones_are_closed() -> None:
    with ApiServer(limits=Limits(max_connections=4, request_timeout=1.0)) as server:
        idle = [socket.create_connection(("127.0.0.1", server.port), timeout=10) for _ in range(4)]
        time.sleep(0.2)  # let the server accept them all
        refused = exchange(server, b"GET /version HTTP/1.1\r\nHost: x\r\n\r\n")
        assert refused.startswith(b"HTTP/1.1 429"), refused[:100]
        # Idle connections are closed after the request timeout, freeing their slots.
        for sock in idle:
            assert sock.recv(1) == b""
            sock.close()
        assert send(server, "GET", "/version")[0] == 200


def test_listens_on_loopback_unless_an_address_is_given(tmp_path: Path) -> None:
    with ApiServer() as server:
        assert server.host == "127.0.0.1"
    command = [sys.executable, "-m", "kingress.cli.main", "apiserver", "--port", "0"]
    for extra, warned in (([], False), (["--address", "0.0.0.0"], True)):
        process = subprocess.Popen(
            command + extra, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip().rpartition(" ")[2]
            assert url.startswith("http://0.0.0.0:" if warned else "http://127.0.0.1:")
        finally:
            process.terminate()
            _, stderr = process.communicate(timeout=10)
        assert ("not loopback" in stderr) is warned, stderr
