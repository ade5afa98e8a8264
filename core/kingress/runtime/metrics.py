"""Prometheus metrics in the text exposition format (version 0.0.4), written here.

Three metric types (counter, gauge, histogram) with labels, a registry and
``render``. Written rather than taken from ``prometheus-client`` because the
controller needs a handful of metrics per ``Manager`` — several managers run in
one test process, which the client's global default registry makes awkward —
and the format is small and stable.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

Labels = tuple[str, ...]

#: Latency buckets (seconds) for reconciles and probes.
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(names: Sequence[str], values: Sequence[str], extra: str = "") -> str:
    pairs = [f'{n}="{_escape(v)}"' for n, v in zip(names, values, strict=True)]
    if extra:
        pairs.append(extra)
    return "{" + ",".join(pairs) + "}" if pairs else ""


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


class _Metric:
    type = ""

    def __init__(self, name: str, help: str, labels: Sequence[str] = ()) -> None:
        self.name = name
        self.help = help
        self.label_names = tuple(labels)
        self._lock = threading.Lock()

    def header(self) -> list[str]:
        return [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {self.type}"]

    def samples(self) -> list[str]:
        raise NotImplementedError


M = TypeVar("M", bound=_Metric)


class Counter(_Metric):
    """A value that only goes up."""

    type = "counter"

    def __init__(self, name: str, help: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, help, labels)
        self._values: dict[Labels, float] = {}

    def inc(self, *labels: str, amount: float = 1.0) -> None:
        """Add ``amount`` to the series named by ``labels``."""
        with self._lock:
            self._values[labels] = self._values.get(labels, 0.0) + amount

    def value(self, *labels: str) -> float:
        """The current value of one series."""
        with self._lock:
            return self._values.get(labels, 0.0)

    def samples(self) -> list[str]:
        with self._lock:
            return [
                f"{self.name}{_labels(self.label_names, k)} {_number(v)}"
                for k, v in sorted(self._values.items())
            ]


class Gauge(_Metric):
    """A value read when scraped (from a function per series)."""

    type = "gauge"

    def __init__(self, name: str, help: str, labels: Sequence[str] = ()) -> None:
        super().__init__(name, help, labels)
        self._functions: dict[Labels, Callable[[], float]] = {}

    def set_function(self, function: Callable[[], float], *labels: str) -> None:
        """Read the series named by ``labels`` from ``function`` at scrape time."""
        with self._lock:
            self._functions[labels] = function

    def samples(self) -> list[str]:
        with self._lock:
            functions = sorted(self._functions.items())
        return [f"{self.name}{_labels(self.label_names, k)} {_number(f())}" for k, f in functions]


class Histogram(_Metric):
    """Observations counted into cumulative buckets, with their sum and count."""

    type = "histogram"

    def __init__(
        self,
        name: str,
        help: str,
        labels: Sequence[str] = (),
        buckets: Sequence[float] = DEFAULT_BUCKETS,
    ) -> None:
        super().__init__(name, help, labels)
        self.buckets = (*sorted(buckets), math.inf)
        self._series: dict[Labels, tuple[list[int], float]] = {}

    def observe(self, value: float, *labels: str) -> None:
        """Record one observation."""
        with self._lock:
            counts, total = self._series.get(labels, ([0] * len(self.buckets), 0.0))
            for index, bound in enumerate(self.buckets):
                if value <= bound:
                    counts[index] += 1
            self._series[labels] = (counts, total + value)

    def count(self, *labels: str) -> int:
        """How many observations one series has."""
        with self._lock:
            counts, _ = self._series.get(labels, ([0], 0.0))
            return counts[-1]

    def samples(self) -> list[str]:
        lines = []
        with self._lock:
            for key, (counts, total) in sorted(self._series.items()):
                for bound, count in zip(self.buckets, counts, strict=True):
                    le = f'le="{_number(bound)}"'
                    lines.append(f"{self.name}_bucket{_labels(self.label_names, key, le)} {count}")
                labels = _labels(self.label_names, key)
                lines.append(f"{self.name}_sum{labels} {_number(total)}")
                lines.append(f"{self.name}_count{labels} {counts[-1]}")
        return lines


class Registry:
    """The metrics one process (or one manager) exposes."""

    def __init__(self) -> None:
        self._metrics: list[_Metric] = []

    def counter(self, name: str, help: str, labels: Sequence[str] = ()) -> Counter:
        """Create and register a counter."""
        return self._add(Counter(name, help, labels))

    def gauge(self, name: str, help: str, labels: Sequence[str] = ()) -> Gauge:
        """Create and register a gauge."""
        return self._add(Gauge(name, help, labels))

    def histogram(self, name: str, help: str, labels: Sequence[str] = ()) -> Histogram:
        """Create and register a histogram."""
        return self._add(Histogram(name, help, labels))

    def _add(self, metric: M) -> M:
        self._metrics.append(metric)
        return metric

    def render(self) -> str:
        """The exposition text of every metric."""
        lines: list[str] = []
        for metric in self._metrics:
            lines.extend(metric.header())
            lines.extend(metric.samples())
        return "\n".join(lines) + "\n"
