"""Benchmark: Routes changing their splits while traffic flows through a real Envoy.

Everything real except the cluster: a ``LocalStack`` (every controller, one
helloworld process per Revision, Envoy as the gateway with its runner), over
the embedded store, driven by ``settle``. ``services`` Knative Services each
get two Revisions (``TARGET=<name> v1`` and ``v2``) and a traffic block
splitting between them. Then, ``changes`` times, ``per_change`` Services chosen
at random (seeded) get a new split and the controllers settle — translating
the new ClusterIngresses and reprogramming Envoy — while ``clients`` threads
send GETs round-robin to every Service's host on keep-alive connections.

A request fails if it gets no answer (a connection error other than an idle
keep-alive connection closed before the request was sent, which is retried as
any HTTP client does), a status other than 200, or an answer from neither of
its Service's two Revisions (misrouted). Prints requests sent, failures by
kind, p50/p99 latency, and the reconfigurations the runner applied.

    .venv/bin/python -m benchmarks.churn --services 10 --changes 40 --clients 4

Latency includes the driver's own work: the controllers, the load and the
revision servers' parents share one Python process (Envoy and the revision
processes are separate).
"""

from __future__ import annotations

import argparse
import http.client
import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from kingress.api.kinds import default_scheme
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, Object
from kingress.controller.clock import SystemClock
from kingress.controller.settle import settle
from kingress.dataplane import GatewayListener
from kingress.manifests import apply_object
from kingress.stack.local import LocalStack, StackSettings
from kingress_envoy.dataplane import EnvoyDataPlane

SERVICE = Kind("serving.knative.dev", "Service")
NAMESPACE = "default"
#: The first Revision's share after a change; 0 and 100 drop the other Revision from the
#: ClusterIngress, so its Envoy cluster is removed and added back as the churn goes on.
SPLITS = (0, 10, 50, 90, 100)


@dataclass(frozen=True, slots=True)
class ChurnOptions:
    """The scenario's size."""

    services: int = 10
    changes: int = 40
    per_change: int = 3
    clients: int = 4
    seed: int = 1


@dataclass(slots=True)
class ChurnResult:
    """What the run measured."""

    requests: int = 0
    #: Failed requests by kind (``status 503``, ``misrouted``, ``ConnectionResetError``…).
    failures: Counter[str] = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    #: Snapshots the gateway runner applied to Envoy during the churn.
    reconfigurations: int = 0
    changes: int = 0
    seconds: float = 0.0

    def percentile(self, fraction: float) -> float:
        """A latency percentile in milliseconds."""
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else 0.0
        return statistics.quantiles(self.latencies, n=100)[round(fraction * 100) - 1] * 1000

    def report(self) -> str:
        """The figures, one per line."""
        failed = sum(self.failures.values())
        kinds = ", ".join(f"{k}: {n}" for k, n in self.failures.most_common()) or "none"
        return "\n".join(
            [
                f"requests sent        {self.requests}",
                f"failed               {failed} ({kinds})",
                f"latency p50 / p99    {self.percentile(0.5):.1f} ms / "
                f"{self.percentile(0.99):.1f} ms",
                f"reconfigurations     {self.reconfigurations} applied for "
                f"{self.changes} changes in {self.seconds:.1f} s",
            ]
        )


def _name(number: int) -> str:
    return f"churn-{number:02d}"


def _service(name: str, version: str, traffic: list[Object] | None = None) -> Object:
    container = {"image": "helloworld", "env": [{"name": "TARGET", "value": f"{name} {version}"}]}
    spec: Object = {"template": {"spec": {"containers": [container]}}}
    if traffic is not None:
        spec["traffic"] = traffic
    obj = {
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": NAMESPACE},
        "spec": spec,
    }
    return default_scheme().admit(obj)


def _split(name: str, first_percent: int) -> list[Object]:
    return [
        {"revisionName": f"{name}-00001", "percent": first_percent},
        {"latestRevision": True, "percent": 100 - first_percent},
    ]


class _Load:
    """Client threads sending GETs round-robin over the hosts until stopped."""

    def __init__(self, listener: GatewayListener, answers: dict[str, set[str]], clients: int):
        self.listener = listener
        self.answers = answers
        self.result = ChurnResult()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(clients)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> ChurnResult:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=30)
        return self.result

    def _connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.listener.address, self.listener.port, timeout=10)

    def _client(self, number: int) -> None:
        hosts = sorted(self.answers)
        conn = self._connect()
        step = number
        while not self._stop.is_set():
            host = hosts[step % len(hosts)]
            step += 1
            started = time.perf_counter()
            failure = self._request(conn, host)
            if failure == "reconnect":
                conn.close()
                conn = self._connect()
                failure = self._request(conn, host)
            elapsed = time.perf_counter() - started
            with self._lock:
                self.result.requests += 1
                self.result.latencies.append(elapsed)
                if failure:
                    self.result.failures[failure] += 1
            if failure:
                conn.close()
                conn = self._connect()
        conn.close()

    def _request(self, conn: http.client.HTTPConnection, host: str) -> str:
        """``""`` for a good answer, ``"reconnect"`` for a closed idle connection, else why."""
        try:
            conn.request("GET", "/", headers={"Host": host})
        except (ConnectionError, http.client.CannotSendRequest):
            return "reconnect"
        try:
            response = conn.getresponse()
            body = response.read().decode(errors="replace").strip()
        except http.client.RemoteDisconnected:
            return "reconnect"
        except (OSError, http.client.HTTPException) as error:
            return type(error).__name__
        if response.status != 200:
            return f"status {response.status}"
        return "" if body in self.answers[host] else "misrouted"


def _settle(store: MemoryCluster, stack: LocalStack) -> None:
    settle(store, stack.reconcilers(), SystemClock())


def run(options: ChurnOptions) -> ChurnResult:
    """Set the Services up, then churn their splits under load; the figures."""
    rng = random.Random(options.seed)
    names = [_name(n) for n in range(options.services)]
    with LocalStack(StackSettings(ingress_class="envoy")) as stack:
        data_plane = stack.data_plane
        assert isinstance(data_plane, EnvoyDataPlane), "the churn benchmark runs Envoy"
        store = MemoryCluster()
        stack.configure(store)
        for name in names:
            apply_object(store, _service(name, "v1"))
        _settle(store, stack)
        for name in names:
            apply_object(store, _service(name, "v2", _split(name, 50)))
        _settle(store, stack)
        answers = {
            f"{name}.{NAMESPACE}.example.com": {f"Hello {name} v1!", f"Hello {name} v2!"}
            for name in names
        }
        load = _Load(stack.public, answers, options.clients)
        applies = data_plane.reconciler.applies
        started = time.monotonic()
        load.start()
        try:
            for _ in range(options.changes):
                for name in rng.sample(names, min(options.per_change, len(names))):
                    traffic = _split(name, rng.choice(SPLITS))
                    apply_object(store, _service(name, "v2", traffic))
                _settle(store, stack)
        finally:
            result = load.stop()
        result.seconds = time.monotonic() - started
        result.changes = options.changes
        result.reconfigurations = data_plane.reconciler.applies - applies
    return result


def main(argv: Sequence[str] | None = None) -> int:
    """Run with the command-line sizes and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.churn", description=__doc__)
    defaults: dict[str, Any] = {f: getattr(ChurnOptions(), f) for f in ChurnOptions.__slots__}
    for option, value in defaults.items():
        parser.add_argument(f"--{option.replace('_', '-')}", type=int, default=value)
    args = parser.parse_args(argv)
    result = run(ChurnOptions(**vars(args)))
    print(result.report())
    return 0 if not result.failures else 1


if __name__ == "__main__":
    raise SystemExit(main())
