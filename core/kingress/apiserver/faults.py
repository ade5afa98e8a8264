"""Fault injection: the embedded API misbehaving the ways a real one does, on purpose.

Controllers must survive what a Kubernetes API does under load or during an
upgrade. ``FaultInjector`` wraps ``Api.handle`` and, drawing from one seeded
random generator, makes a fraction of requests fail:

- ``conflicts``: a write is refused with ``409 Conflict`` (as when another
  writer got there first) and nothing is stored;
- ``errors``: a write is refused with ``500 InternalError``, nothing stored;
- ``lost_responses``: a write *is* stored but answered ``500`` — the response
  was lost, so the client cannot know its create or update happened (the case
  that finds non-idempotent create paths);
- ``watch_drops``: at each event or idle poll, a watch is cut with this
  probability: half of the cuts end the stream cleanly (as a server-side
  timeout does; the client resumes from its last resourceVersion), half abort
  the connection mid-stream (the client sees a broken response and relists).

Reads other than watches are never failed. ``kingress apiserver --faults
seed=7,conflicts=0.05,...`` turns it on from the command line.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any

from kingress.apiserver.handlers import Api, Response, Stream
from kingress.apiserver.routing import Request, ResourcePath
from kingress.apiserver.status import failure
from kingress.cluster.errors import ApiError, Conflict

log = logging.getLogger("kingress.apiserver.faults")

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class StreamAborted(Exception):
    """Raised from a watch stream to drop its connection without ending the response."""


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """What to break and how often (each a fraction from 0 to 1), from which seed."""

    seed: int = 0
    conflicts: float = 0.0
    errors: float = 0.0
    lost_responses: float = 0.0
    watch_drops: float = 0.0

    def __post_init__(self) -> None:
        rates = (self.conflicts, self.errors, self.lost_responses, self.watch_drops)
        if any(not 0.0 <= rate <= 1.0 for rate in rates):
            raise ValueError("fault rates are fractions between 0 and 1")
        if self.conflicts + self.errors + self.lost_responses > 1.0:
            raise ValueError("conflicts + errors + lost-responses must not exceed 1")

    @classmethod
    def parse(cls, text: str) -> FaultPlan:
        """``seed=7,conflicts=0.1,errors=0.05,lost-responses=0.05,watch-drops=0.02``."""
        names = {f.name.replace("_", "-"): f.name for f in fields(cls)}
        values: dict[str, Any] = {}
        for item in filter(None, (part.strip() for part in text.split(","))):
            key, sep, value = item.partition("=")
            if not sep or key.strip() not in names:
                raise ValueError(f"unknown fault {key.strip()!r}: expected one of {sorted(names)}")
            name = names[key.strip()]
            values[name] = int(value) if name == "seed" else float(value)
        return cls(**values)


class FaultInjector:
    """``Api.handle`` with the faults of a ``FaultPlan``; counts what it injected."""

    def __init__(self, api: Api, plan: FaultPlan) -> None:
        self.api = api
        self.plan = plan
        self.injected: dict[str, int] = {
            "conflicts": 0,
            "errors": 0,
            "lost_responses": 0,
            "watch_drops": 0,
        }
        self._random = random.Random(plan.seed)
        self._lock = threading.Lock()

    def _draw(self) -> float:
        with self._lock:
            return self._random.random()

    def _count(self, fault: str) -> None:
        with self._lock:
            self.injected[fault] += 1

    def handle(
        self, method: str, request: Request, body: Any, *, content_type: str = "", accept: str = ""
    ) -> Response | Stream:
        """Serve one request, or fail it as the plan says."""
        if method in WRITE_METHODS and isinstance(request.path, ResourcePath):
            fault = self._write_fault()
            if fault == "conflicts":
                return _injected(Conflict("injected fault: the object has been modified"))
            if fault == "errors":
                return _injected(ApiError("injected fault: the write was not made"))
        else:
            fault = None
        result = self.api.handle(method, request, body, content_type=content_type, accept=accept)
        if fault == "lost_responses" and isinstance(result, Response) and result.code < 300:
            return _injected(ApiError("injected fault: the write was made, the answer lost"))
        if isinstance(result, Stream) and self.plan.watch_drops > 0:
            return Stream(self._cut(result.events))
        return result

    def _write_fault(self) -> str | None:
        draw, plan = self._draw(), self.plan
        for fault, rate in (
            ("conflicts", plan.conflicts),
            ("errors", plan.errors),
            ("lost_responses", plan.lost_responses),
        ):
            if draw < rate:
                self._count(fault)
                log.debug("injecting a fault", extra={"fault": fault})
                return fault
            draw -= rate
        return None

    def _cut(self, events: Iterator[dict[str, Any] | None]) -> Iterator[dict[str, Any] | None]:
        for event in events:
            yield event
            if self._draw() < self.plan.watch_drops:
                self._count("watch_drops")
                if self._draw() < 0.5:
                    return
                raise StreamAborted("injected fault: watch connection dropped")


def _injected(error: ApiError) -> Response:
    return Response(error.code, failure(error))
