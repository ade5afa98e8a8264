"""Scenario ``cold-start``: controllers (re)starting against N existing Routes until all are Ready.

The world is ``scale``'s (N Services on the Istio backend, settled), made by
settling one Service through the pipeline and stamping out renamed copies of
its objects (``benchmarks.world.stamp``: building 10,000 through the pipeline
would take minutes, and is what ``scale`` measures). Then
fresh controllers — empty trackers and indexes, as after a restart — are
started against it, two ways:

- ``offline``: ``settle`` with new reconcilers over the embedded store: every
  primary object reconciled once, from the first to the last;
- ``manager``: the controller runtime (``Manager``) against ``kingress
  apiserver``'s server, through the real Kubernetes client. The server runs
  in a process of its own (``benchmarks.served_world``), serving the same
  world stamped there, as kube-apiserver runs beside a restarted controller
  on a cluster. Informers list every kind over HTTP, every primary key is
  queued and reconciled by the workers. The backend's children
  (VirtualServices) are cached too (``ManagerOptions.cached_kinds``), as
  Knative's net-istio keeps an informer on them. Done when every key was
  reconciled and the queue is empty.

``offline=False`` measures the ``Manager`` alone: the full run does so at
10,000, where building and settling the offline world as well would take
minutes its budget does not have. The keys the ``Manager`` must reconcile
are counted from what the server process reports it serves, not by listing
every kind over HTTP before the start.

Both end by checking every Route is Ready. Each reports its wall time and
the controller process's CPU time (``cpu_seconds``: every thread), since
wall time on a shared machine says little on its own; the Manager's also
reports the server process's CPU over the same span (``server_cpu_seconds``)
and its peak RSS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from benchmarks.world import World, counting_registry, is_ready, stamp
from kingress.backends import resource_kinds
from kingress.cluster.kube import KubeCluster, load_api_client
from kingress.cluster.port import Kind, ObjectRef
from kingress.controller.reconciler import Context, Reconciler, Result, Watch
from kingress.controller.registry import Options, all_reconcilers, offline_reconcilers
from kingress.controller.settle import settle
from kingress.runtime.manager import Manager, ManagerOptions
from kingress.serving import access


class Counted:
    """A reconciler that counts its reconciles (thread-safe), for knowing when a start is done."""

    def __init__(self, inner: Reconciler) -> None:
        self.inner = inner
        self.name = inner.name
        self.kind = inner.kind
        self.count = 0
        self.lock = threading.Lock()

    def watches(self) -> Sequence[Watch]:
        """The wrapped reconciler's watches."""
        return self.inner.watches()

    def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
        """Reconcile, then count."""
        try:
            return self.inner.reconcile(ctx, ref)
        finally:
            with self.lock:
                self.count += 1


NAMESPACE = Kind("", "Namespace")


def ready_routes(world: World) -> int:
    """How many Routes are Ready."""
    return sum(is_ready(obj) for obj in world.store.list(access.ROUTE))


def settle_offline(world: World) -> dict[str, Any]:
    """Fresh reconcilers settling the whole world once."""
    registry, _ = counting_registry()
    reconcilers = offline_reconcilers(backends=registry)
    before = world.store.resource_version
    started, cpu = time.perf_counter(), time.process_time()
    report = settle(world.store, reconcilers, world.clock)
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "reconciles": report.reconciles,
        "writes": world.store.resource_version - before,
        "ready_routes": ready_routes(world),
    }


class Served:
    """The API server's process (``benchmarks.served_world``): its world, kubeconfig and CPU."""

    def __init__(self, n: int, backend: str, directory: Path) -> None:
        self.backend = backend
        self.kubeconfig = directory / "kubeconfig"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.served_world", str(n), backend, str(directory)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )

    def wait_ready(self) -> dict[str, int]:
        """Block until the server serves its world: how many objects of each kind it holds.

        ``RuntimeError`` if the process ended instead.
        """
        assert self.process.stdout is not None
        word, _, counts = self.process.stdout.readline().partition(" ")
        if word != "ready":
            status = self.process.wait()
            raise RuntimeError(f"the API server process ended before serving (exit {status})")
        served: dict[str, int] = json.loads(counts)
        return served

    def cpu_seconds(self) -> float:
        """The server process's CPU time so far (user and system, every thread)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_rss_bytes(self) -> int:
        """The server process's peak resident set size."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
        return 0

    def stop(self) -> None:
        """Close its input (it exits) and wait for it."""
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)


@contextmanager
def served(n: int, backend: str) -> Iterator[Served]:
    """A server process building and serving the world of ``n`` Services; stopped on exit."""
    with tempfile.TemporaryDirectory() as directory:
        server = Served(n, backend, Path(directory))
        try:
            yield server
        finally:
            server.stop()


def managed(server: Served, timeout: float) -> dict[str, Any]:
    """The runtime Manager against the served world until every key was reconciled."""
    counts = server.wait_ready()
    registry, counters = counting_registry()
    reconcilers = [Counted(r) for r in all_reconcilers(Options(backends=registry))]
    # As ``kingress controller`` connects (its request timeout, not the tests' short one).
    api = KubeCluster(load_api_client(str(server.kubeconfig)))
    keys = sum(counts.get(str(r.kind), 0) for r in reconcilers)
    options = ManagerOptions(
        leader_election=False,
        health_port=None,
        workers=2,
        cached_kinds=frozenset(k.group_kind for k in resource_kinds(counters[server.backend])),
    )
    # After the server's own writes (its CRDs and namespaces): only the controllers' count.
    before = _version(api)
    server_cpu = server.cpu_seconds()
    started, cpu = time.perf_counter(), time.process_time()
    with Manager(api, reconcilers, options) as manager:
        deadline = started + timeout
        while not manager.synced() and time.perf_counter() < deadline:
            time.sleep(0.05)
        synced = time.perf_counter() - started
        while time.perf_counter() < deadline and (
            sum(r.count for r in reconcilers) < keys or len(manager.queue) > 0
        ):
            time.sleep(0.05)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu
    routes, _ = api.list_kind(access.ROUTE)
    return {
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "server_cpu_seconds": server.cpu_seconds() - server_cpu,
        "server_peak_rss_bytes": server.peak_rss_bytes(),
        "caches_synced_seconds": synced,
        "keys": keys,
        "routes": counts.get(str(access.ROUTE), 0),
        "reconciles": sum(r.count for r in reconcilers),
        "writes": _version(api) - before,
        "ready_routes": sum(is_ready(route) for route in routes),
        "timed_out": seconds >= timeout,
    }


def _version(api: KubeCluster) -> int:
    """The API server's latest resourceVersion (a list's), for counting writes."""
    return int(api.list_kind(NAMESPACE)[1])


def run(n: int, manager: bool, timeout: float = 300.0, offline: bool = True) -> dict[str, Any]:
    """Cold start against ``n`` Routes: offline unless told not to, and with the runtime
    Manager if asked.

    With both, the server process builds its world while this one builds the
    offline world (two cores, two processes).
    """
    if not (offline or manager):
        raise ValueError("cold-start needs offline, manager or both")
    result: dict[str, Any] = {"n": n}
    with served(n, "istio") if manager else nullcontext() as server:
        if offline:
            started = time.perf_counter()
            world = stamp(n, "istio")
            result["routes"] = len(world.store.list(access.ROUTE))
            result["world_seconds"] = time.perf_counter() - started
            result["offline"] = settle_offline(world)
            del world  # the offline world is not the server's: let it go first
        if server is not None:
            result["manager"] = managed(server, timeout)
            result.setdefault("routes", result["manager"]["routes"])
    return result
