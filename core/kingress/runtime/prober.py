"""The gateway readiness prober: has every gateway pod taken this version of an ingress?

For backends whose data plane kingress does not run (Istio, Contour, NGINX),
readiness is decided as Knative does (``knative/networking`` ``pkg/status``):
each gateway pod is sent ``GET http://<pod-ip>:<port>/healthz`` with ``Host``
set to each of the ingress's hosts and the headers ``K-Network-Probe: probe``,
``K-Network-Hash: override``, ``User-Agent: Knative-Ingress-Probe``. The
probe path the core inserted into every rule answers with
``K-Network-Hash: <hash>`` once the gateway serves that version.

Verdicts (Knative's): 200 with the expected hash → ready; 200 with another
hash → not yet (old configuration), retry; 200 without the header → ready
(a gateway that does not echo is not waited for); 404 and 503 → retry; any
other status → ready ("best effort"); connection errors → retry.

Against probe storms (reference §5): a bounded worker pool (default 15), a
global token bucket (50 probes/s, burst 100), per-target exponential backoff
(50 ms → 30 s), and no re-probing of a version already found ready: results
are cached by (ingress, hash), so reconciling a ready ingress again costs
nothing. A new hash for an ingress cancels the old one's probes. Ingresses are
named by their ``ObjectRef``; the ``on_ready`` callback gets it back, and the
controller manager requeues that object.
"""

from __future__ import annotations

import http.client
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kingress.cluster.port import ObjectRef
from kingress.headers import (
    HASH_HEADER,
    HASH_OVERRIDE,
    PROBE_HEADER,
    PROBE_PATH,
    PROBE_USER_AGENT,
    PROBE_VALUE,
)
from kingress.runtime.ratelimit import ExponentialBackoff, MaxOf, TokenBucket
from kingress.runtime.workqueue import WorkQueue

log = logging.getLogger("kingress.runtime.prober")

_RETRY_CODES = frozenset({404, 503})


@dataclass(frozen=True, slots=True)
class ProbeTarget:
    """Gateway pods to probe: their IPs, the port, and the hosts to send as ``Host``."""

    pod_ips: tuple[str, ...]
    port: int
    hosts: tuple[str, ...]


class PodProber(Protocol):
    """What an ingress reconciler asks of a prober."""

    def is_ready(self, key: ObjectRef, hash_: str, targets: Sequence[ProbeTarget]) -> bool:
        """Whether every target serves version ``hash_`` of ingress ``key``.

        Returns at once: ``False`` starts (or continues) probing in the
        background, and the prober's callback is called with ``key`` (the
        ingress's reference) when the answer becomes ``True``.
        """
        ...

    def forget(self, key: ObjectRef) -> None:
        """The ingress is gone: cancel its probes and drop its results."""
        ...


@dataclass(frozen=True, slots=True)
class _Probe:
    key: ObjectRef
    hash_: str
    ip: str
    port: int
    host: str


@dataclass(slots=True)
class _ProbeSet:
    hash_: str
    pending: set[_Probe] = field(default_factory=set)


class Prober:
    """Probes gateway pods with a worker pool; reports readiness through ``on_ready``."""

    def __init__(
        self,
        on_ready: Callable[[ObjectRef], None],
        *,
        workers: int = 15,
        qps: float = 50.0,
        burst: int = 100,
        backoff: tuple[float, float] = (0.05, 30.0),
        timeout: float = 1.0,
    ) -> None:
        self._on_ready = on_ready
        self._timeout = timeout
        self._queue: WorkQueue[_Probe] = WorkQueue(
            MaxOf(ExponentialBackoff(*backoff), TokenBucket(qps, burst))
        )
        self._lock = threading.Lock()
        self._ready: dict[ObjectRef, str] = {}
        self._sets: dict[ObjectRef, _ProbeSet] = {}
        self._workers = [
            threading.Thread(target=self._work, name=f"prober-{n}", daemon=True)
            for n in range(workers)
        ]
        for worker in self._workers:
            worker.start()
        #: Probes sent, for tests and metrics.
        self.sent = 0

    def is_ready(self, key: ObjectRef, hash_: str, targets: Sequence[ProbeTarget]) -> bool:
        """See ``PodProber.is_ready``."""
        probes = {
            _Probe(key, hash_, ip, target.port, host)
            for target in targets
            for ip in target.pod_ips
            for host in target.hosts
        }
        with self._lock:
            if self._ready.get(key) == hash_:
                return True
            current = self._sets.get(key)
            if current is not None and current.hash_ == hash_:
                return False
            if not probes:
                self._ready[key] = hash_
                self._sets.pop(key, None)
                return True
            self._sets[key] = _ProbeSet(hash_, set(probes))
        for probe in probes:
            # Rate-limited from the first attempt, so the global rate holds for every probe.
            self._queue.add_rate_limited(probe)
        return False

    def forget(self, key: ObjectRef) -> None:
        """See ``PodProber.forget``."""
        with self._lock:
            self._ready.pop(key, None)
            self._sets.pop(key, None)

    def stop(self) -> None:
        """Stop the workers (probes in flight finish)."""
        self._queue.shutdown()
        for worker in self._workers:
            worker.join()

    def _wanted(self, probe: _Probe) -> bool:
        with self._lock:
            current = self._sets.get(probe.key)
            return current is not None and probe in current.pending

    def _work(self) -> None:
        while (probe := self._queue.get()) is not None:
            try:
                if not self._wanted(probe):
                    self._queue.forget(probe)
                elif self._probe(probe):
                    self._queue.forget(probe)
                    self._succeeded(probe)
                else:
                    self._queue.add_rate_limited(probe)
            finally:
                self._queue.done(probe)

    def _succeeded(self, probe: _Probe) -> None:
        with self._lock:
            current = self._sets.get(probe.key)
            if current is None or current.hash_ != probe.hash_:
                return
            current.pending.discard(probe)
            if current.pending:
                return
            del self._sets[probe.key]
            self._ready[probe.key] = probe.hash_
        log.info("ingress ready on every gateway pod", extra={"key": str(probe.key)})
        self._on_ready(probe.key)

    def _probe(self, probe: _Probe) -> bool:
        """One request; whether it counts as success."""
        with self._lock:
            self.sent += 1
        connection = http.client.HTTPConnection(probe.ip, probe.port, timeout=self._timeout)
        try:
            connection.request(
                "GET",
                PROBE_PATH,
                headers={
                    "Host": probe.host,
                    PROBE_HEADER: PROBE_VALUE,
                    HASH_HEADER: HASH_OVERRIDE,
                    "User-Agent": PROBE_USER_AGENT,
                },
            )
            response = connection.getresponse()
            response.read()
        except OSError as error:
            log.debug(
                "probe failed",
                extra={
                    "target": f"{probe.ip}:{probe.port}",
                    "host": probe.host,
                    "error": str(error),
                },
            )
            return False
        finally:
            connection.close()
        if response.status in _RETRY_CODES:
            return False
        if response.status != 200:
            return True
        echoed = response.getheader(HASH_HEADER)
        return echoed is None or echoed == probe.hash_
