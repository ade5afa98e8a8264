"""Benchmark: ClusterIngress change → new routing served through a real Envoy (not a test).

For each change, the clock starts when the changed ClusterIngress is handed to
the backend and stops when a request through Envoy (127.0.0.1 only) first
shows the new version (a pre-split header sentinel, and every other change a
different upstream Service, so clusters are added and removed too). Other
ingresses stay in the snapshot so assembly works at a realistic size. Prints
p50 / p99 / max of: translate + assemble, apply (until Envoy reports the new
version), and end to end (until a request is served by the new version).

    .venv/bin/python benchmarks/envoy_update_latency.py --changes 50 --ingresses 200
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from kingress import (
    BackendService,
    ClusterIngress,
    EndpointAddress,
    ServicePort,
    TranslateContext,
    insert_probe,
)
from kingress.testing import ingress, path, rule, split
from kingress_envoy.backend import EnvoyBackend
from kingress_envoy.gateway import EnvoyGateway, GatewayPorts
from kingress_envoy.names import ListenerName
from kingress_envoy.snapshot import assemble

HOST = "bench.example.com"


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self) -> None:
        body = json.dumps(
            {"name": self.server.name, "sentinel": self.headers.get("Sentinel", "")}  # type: ignore[attr-defined]
        ).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _upstream(name: str) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    server.daemon_threads = True
    server.name = name  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _report(label: str, seconds: list[float]) -> None:
    ms = [s * 1000 for s in seconds]
    print(
        f"{label:<24} p50 {statistics.median(ms):7.2f} ms   p99 {_percentile(ms, 0.99):7.2f} ms"
        f"   max {max(ms):7.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument(
        "--ingresses", type=int, default=100, help="other ingresses in the snapshot"
    )
    parser.add_argument("--concurrency", type=int, default=1, help="Envoy worker threads")
    args = parser.parse_args()

    servers = {name: _upstream(name) for name in ("a", "b")}
    context = TranslateContext(
        services={
            ("default", name): BackendService(
                namespace="default",
                name=name,
                ports=(ServicePort(port=80),),
                endpoints=(EndpointAddress(ip="127.0.0.1", port=int(s.server_address[1])),),
            )
            for name, s in servers.items()
        }
    )
    backend = EnvoyBackend()

    def translated(ing: ClusterIngress) -> dict[str, Any]:
        return dict(backend.translate(insert_probe(ing)[0], context).objects[0])

    others = [
        translated(
            ingress(
                f"other-{i}",
                rules=[rule([f"other-{i}.example.com"], paths=[path(splits=[split("a")])])],
            )
        )
        for i in range(args.ingresses)
    ]

    def version(i: int) -> ClusterIngress:
        service = "ab"[(i // 2) % 2]
        return ingress(
            "bench",
            rules=[
                rule([HOST], paths=[path(headers={"Sentinel": str(i)}, splits=[split(service)])])
            ],
        )

    build, apply, served = [], [], []
    with EnvoyGateway(ports=GatewayPorts.ephemeral(), concurrency=args.concurrency) as gateway:
        gateway.apply(assemble([*others, translated(version(0))]))
        conn = http.client.HTTPConnection("127.0.0.1", gateway.port(ListenerName.PUBLIC_HTTP))
        for i in range(1, args.changes + 1):
            started = time.perf_counter()
            snapshot = assemble([*others, translated(version(i))])
            built = time.perf_counter()
            result = gateway.apply(snapshot)
            applied = time.perf_counter()
            if not result.accepted:
                raise SystemExit(f"change {i} rejected: {result.message}")
            for _ in range(10_000):  # bounded
                conn.request("GET", "/", headers={"Host": HOST})
                body = json.loads(conn.getresponse().read())
                if body["sentinel"] == str(i):
                    break
            else:
                raise SystemExit(f"change {i} was never served")
            done = time.perf_counter()
            build.append(built - started)
            apply.append(applied - built)
            served.append(done - started)
        conn.close()
    for server in servers.values():
        server.shutdown()
    print(f"{args.changes} changes, {args.ingresses + 1} ingresses in the snapshot")
    _report("translate + assemble", build)
    _report("apply (Envoy accepted)", apply)
    _report("change → served", served)


if __name__ == "__main__":
    main()
