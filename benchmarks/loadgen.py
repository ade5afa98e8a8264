"""A small HTTP/1.1 load generator: keep-alive connections on several threads, fixed duration.

Each thread holds one persistent connection and sends GETs back to back,
timing each; a failed request reopens the connection and is counted as an
error. The same generator measures every target of a run, so differences
between targets are the targets'.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass, field

from benchmarks.envoy_update import summary


@dataclass
class Load:
    """What one run of the generator measured."""

    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: int = 0

    def report(self) -> dict[str, float]:
        """Requests per second, errors and latency percentiles (ms)."""
        result = {
            "requests": float(len(self.latencies)),
            "requests_per_second": len(self.latencies) / self.seconds if self.seconds else 0.0,
            "errors": float(self.errors),
        }
        if self.latencies:
            result.update(summary(self.latencies))
        return result


def _worker(port: int, host: str, until: float, load: Load, lock: threading.Lock) -> None:
    latencies: list[float] = []
    errors = 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while (started := time.perf_counter()) < until:
        try:
            conn.request("GET", "/", headers={"Host": host})
            response = conn.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            ok = False
        if ok:
            latencies.append(time.perf_counter() - started)
        else:
            errors += 1
    conn.close()
    with lock:
        load.latencies.extend(latencies)
        load.errors += errors


def generate(port: int, host: str, *, threads: int, duration: float) -> Load:
    """Load 127.0.0.1:``port`` (``Host: host``) from ``threads`` connections for ``duration`` s."""
    load = Load()
    lock = threading.Lock()
    until = time.perf_counter() + duration
    workers = [
        threading.Thread(target=_worker, args=(port, host, until, load, lock))
        for _ in range(threads)
    ]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    load.seconds = time.perf_counter() - started
    return load
