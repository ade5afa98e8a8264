"""Scenario ``scale``: N Services through the whole pipeline, and one change among N.

Service → Configuration → Revision → Route → ClusterIngress → the backend's
objects, run offline by ``settle`` over the embedded store, for one backend
and one N. Reported:

- wall and CPU time for the whole pipeline (both generations of every
  Service; the second settled from where the first ended, as a running
  controller carries on, see ``pipeline``), objects in the store and
  objects per second, Services Ready;
- the floor: serialising every object the run produced to JSON, timed in the
  same process — the least any control plane could spend producing them;
- translation alone (every ClusterIngress through the backend's ``translate``,
  outside the controllers) against serialising what it returned;
- incremental: one Route's split changed with N present, then settled from
  that change on; how many translations and writes (by kind) it cost;
- the peak resident set size of each of those phases (``PhasePeaks``), so the
  process's peak can be told to be the pipeline's, not the checks'.

For the Envoy backend a ``GatewayRunner`` without an Envoy process assembles
the snapshot and writes the configs' status (the control plane's part).
"""

from __future__ import annotations

import json
import resource
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from benchmarks import envoy_update
from benchmarks.envoy_runner import GatewayRunner
from benchmarks.world import World, service
from kingress.api.ingress import ClusterIngress
from kingress.backends import TranslationError
from kingress.cluster.port import Object
from kingress.controller.ingress.context import IngressSettings, read_context
from kingress.ingress.pipeline import prepare
from kingress.route.reconciler import CLUSTER_INGRESS

#: Bytes per page, what ``/proc/self/statm`` counts in.
PAGE_SIZE = resource.getpagesize()


def rss_bytes() -> int:
    """This process's resident set size now (Linux; 0 where ``/proc`` is missing)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * PAGE_SIZE
    except OSError:
        return 0


class PhasePeaks:
    """The peak resident set size of each phase of a run, sampled every ``interval`` s.

    The worker reports the process's peak (``ru_maxrss``) over the whole run;
    this says in which phase it was reached: the pipeline, or one of the
    checks measuring it afterwards (which must not set it). Used as a context
    manager around the run, with ``phase(name)`` around each part.
    """

    def __init__(self, interval: float = 0.05) -> None:
        self.peaks: dict[str, int] = {}
        self._phase = ""
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)

    def __enter__(self) -> PhasePeaks:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Attribute the samples taken while the block runs to ``name``."""
        self._phase = name
        try:
            yield
        finally:
            self._record()
            self._phase = ""

    def _record(self) -> None:
        phase, rss = self._phase, rss_bytes()
        if phase and rss > self.peaks.get(phase, 0):
            self.peaks[phase] = rss

    def _sample(self) -> None:
        while not self._stop.wait(self._interval):
            self._record()


def _serialise_seconds(objects: list[Any], clock: Callable[[], float] = time.perf_counter) -> float:
    """How long serialising ``objects`` to JSON takes on ``clock`` (the floor)."""
    started = clock()
    for obj in objects:
        json.dumps(obj)
    return clock() - started


#: Ingresses translated, then serialised, at a time: their outputs are let go
#: after each chunk, so the measurement's own memory stays bounded at any N.
#: An Istio ingress's output is about 90 KiB of dicts: at 500 a chunk held
#: about 45 MiB on top of the store, and the check, not the pipeline, set the
#: process's peak RSS; at 25 it holds about 2 MiB.
TRANSLATION_CHUNK = 25

#: Each chunk's translation and its floor are timed this many times, on the
#: thread's CPU clock, and the least of each is kept: both sides then measure
#: the work itself rather than what else the machine ran meanwhile.
TRANSLATION_REPEATS = 3


def translation(world: World) -> dict[str, Any]:
    """Every ClusterIngress through the backend's ``translate``, against serialising the output.

    Done in chunks of ``TRANSLATION_CHUNK`` ingresses: each chunk's
    translations are timed, then its output is serialised (the floor), each
    ``TRANSLATION_REPEATS`` times keeping the least (a collection of the
    pipeline's garbage, or another process, lands in one repeat, not in
    all), and the output is dropped, so the peak RSS reported is the pipeline's, not this check's
    (the whole output of 10,000 Istio ingresses is about 900 MiB of dicts).
    Ingresses the backend refuses (``NotSupported``: ingress-nginx cannot add
    headers after a split) are counted, not timed.
    """
    backend = world.counter.inner
    stored = world.store.list(CLUSTER_INGRESS)
    refused = objects = 0
    seconds = floor = 0.0
    for first in range(0, len(stored), TRANSLATION_CHUNK):
        work = []
        for obj in stored[first : first + TRANSLATION_CHUNK]:
            prepared = prepare(ClusterIngress.from_dict({**obj, "status": {}}))
            context, _ = read_context(
                world.store, backend.name, prepared.ingress, IngressSettings()
            )
            work.append((prepared.probed, context))
        best = best_floor = float("inf")
        for _ in range(TRANSLATION_REPEATS):
            outputs: list[Object] = []
            failed = 0
            started = time.thread_time()
            for ingress, context in work:
                try:
                    outputs.extend(backend.translate(ingress, context).objects)
                except TranslationError:
                    failed += 1
            best = min(best, time.thread_time() - started)
            best_floor = min(best_floor, _serialise_seconds(outputs, time.thread_time))
        seconds += best
        floor += best_floor
        refused += failed
        objects += len(outputs)
    return {
        "ingresses": len(stored),
        "refused": refused,
        "objects": objects,
        "seconds": seconds,
        "floor_seconds": floor,
        "ratio": seconds / floor if floor else 0.0,
    }


def incremental(world: World, runner: GatewayRunner | None, index: int) -> dict[str, Any]:
    """Change Service ``index``'s split and settle from there: translations and writes."""
    calls, since = world.counter.calls, world.store.resource_version
    started = time.perf_counter()
    world.apply(service(index, split=50))
    report = world.settle_since(since)
    if runner is not None:
        position = world.store.resource_version
        runner.sync()
        report.reconciles += world.settle_since(position).reconciles
    seconds = time.perf_counter() - started
    writes = Counter(
        f"{event.type.value.lower()} {event.object['kind']}"
        for event in world.store.events_since(since)
    )
    return {
        "translations": world.counter.calls - calls,
        "writes": sum(writes.values()),
        "writes_by_kind": dict(sorted(writes.items())),
        "reconciles": report.reconciles,
        "seconds": seconds,
    }


def pipeline(world: World, runner: GatewayRunner | None, n: int) -> int:
    """Both generations of ``n`` Services, settled as a running controller would; reconciles.

    The first generation is settled from scratch (every primary object
    queued, as a controller starting on a store). The second, and the
    runner's status writes, are settled from the resourceVersion the previous
    settle ended at: the same controllers carry on from where they were and
    see exactly the changes made since, as informers deliver them, instead
    of relisting every object as if they had restarted.
    """
    for index in range(n):
        world.apply(service(index))
    reconciles = world.settle().reconciles
    since = world.store.resource_version
    for index in range(n):
        world.apply(service(index, split=80))
    reconciles += world.settle_since(since).reconciles
    if runner is not None:
        since = world.store.resource_version
        runner.sync()
        reconciles += world.settle_since(since).reconciles
    return reconciles


def run(backend: str, n: int, envoy_changes: int = 0) -> dict[str, Any]:
    """The whole pipeline for ``n`` Services on ``backend``, then one change.

    With ``envoy_changes`` (Envoy backend only), the same world then goes on
    to ``envoy_update.measure`` (saving the full run building it twice).
    """
    world = World(backend)
    runner = GatewayRunner(world.store) if backend == "envoy" else None
    with PhasePeaks() as memory:
        with memory.phase("pipeline"):
            wall, cpu = time.perf_counter(), time.process_time()
            reconciles = pipeline(world, runner, n)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        with memory.phase("floor"):
            objects = world.objects()
            floor = _serialise_seconds(objects)
        with memory.phase("translation"):
            translated = translation(world)
        with memory.phase("incremental"):
            changed = incremental(world, runner, n // 2)
        result = {
            "backend": backend,
            "n": n,
            "seconds": wall,
            "cpu_seconds": cpu,
            "objects": len(objects),
            "objects_by_kind": world.count_by_kind(),
            "objects_per_second": len(objects) / wall if wall else 0.0,
            "reconciles": reconciles,
            "translations": world.counter.calls,
            "ready_services": world.ready_services(),
            "floor_seconds": floor,
            "floor_ratio": wall / floor if floor else 0.0,
            "translation": translated,
            "incremental": changed,
        }
        if envoy_changes:
            with memory.phase("envoy-update"):
                result["envoy_update"] = envoy_update.measure(world, n, envoy_changes)
    result["peak_rss_by_phase"] = memory.peaks
    return result
