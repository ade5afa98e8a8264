"""What a model of a gateway answers: the routing ``Decision`` for one request.

A model is a pure function ``(objects, request, env) -> Decision`` written from
the target's documentation, separate from the translator it judges. The
decision says what the gateway would do: the status it answers with itself
(404 when no route matches, 301 for a redirect, 0 when nothing listens for the
request, e.g. no TLS listener for the host) or 200 with the weighted
``Forward``s it proxies to, each carrying the request exactly as that upstream
would see it (headers after every set/add/remove, the Host, the protocol);
and the route's retry, timeout and websocket properties.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from kingress import BackendService
from kingress_conformance.models.headers import header_value
from kingress_conformance.requests import Request

Object = dict[str, Any]

#: Status meaning "the gateway does not answer this request at all" (no listener).
NO_LISTENER = 0


class UpstreamProtocol(StrEnum):
    """How the gateway talks to an upstream."""

    HTTP1 = "http/1.1"
    H2C = "h2c"


@dataclass(frozen=True, slots=True, kw_only=True)
class Forward:
    """One weighted upstream of a decision and the request it receives."""

    namespace: str
    service: str
    port: int
    weight: int
    #: Request headers as the upstream receives them (names lower-cased, in order).
    headers: tuple[tuple[str, str], ...] = ()
    #: The Host / authority the upstream receives.
    host: str = ""
    protocol: UpstreamProtocol = UpstreamProtocol.HTTP1

    def header(self, name: str) -> str | None:
        """The value the upstream sees for ``name``: repeated headers joined by ``, ``."""
        return header_value(self.headers, name)


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """Which upstream answers the gateway retries, and how often."""

    attempts: int = 0
    #: Status codes retried (5xx, gateway-error and explicit codes expanded).
    statuses: frozenset[int] = frozenset()

    def retries(self, status: int) -> bool:
        """Whether an upstream answer with ``status`` is retried."""
        return self.attempts > 0 and status in self.statuses


NO_RETRY = RetryPolicy()
ALL_5XX = frozenset(range(500, 600))
GATEWAY_ERRORS = frozenset({502, 503, 504})


@dataclass(frozen=True, slots=True, kw_only=True)
class Decision:
    """What the gateway does with one request."""

    status: int
    forwards: tuple[Forward, ...] = ()
    #: ``Location`` of a redirect.
    location: str = ""
    retry: RetryPolicy = NO_RETRY
    #: Whole-request timeout in seconds; ``None`` when there is none.
    timeout: float | None = None
    #: Stream idle timeout in seconds; ``None`` when there is none.
    idle_timeout: float | None = None
    #: Whether websocket upgrades are passed through.
    websocket: bool = False
    #: Why, when the model wants to say (e.g. which listener was missing).
    note: str = ""

    @property
    def positive(self) -> tuple[Forward, ...]:
        """The forwards that get traffic."""
        return tuple(f for f in self.forwards if f.weight > 0)

    def shares(self) -> dict[str, float]:
        """Percent of traffic per upstream Service name (0..100)."""
        total = sum(f.weight for f in self.positive)
        shares: dict[str, float] = {}
        for forward in self.positive:
            shares[forward.service] = (
                shares.get(forward.service, 0.0) + 100.0 * forward.weight / total
            )
        return shares


def not_found(note: str = "") -> Decision:
    """No route matches."""
    return Decision(status=404, note=note)


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelEnv:
    """What a model may know besides the objects: the Services and the cluster domain."""

    services: Mapping[tuple[str, str], BackendService] = field(default_factory=dict)
    cluster_domain: str = "cluster.local"

    def service_for_host(self, host: str) -> BackendService | None:
        """The Service a cluster DNS name (``svc.ns.svc.<domain>``, ``svc.ns``) names."""
        trimmed = host.removesuffix(f".svc.{self.cluster_domain}").removesuffix(".svc")
        name, _, namespace = trimmed.partition(".")
        return self.services.get((namespace, name))


class ModelError(ValueError):
    """The objects use something the model does not describe; the message says what."""


class Model(Protocol):
    """A documented model of one target's routing rules."""

    #: Short name (``istio``).
    name: str
    #: Where its rules come from (documentation pages).
    sources: tuple[str, ...]

    def recognizes(self, objects: Sequence[Object]) -> bool:
        """Whether these objects are this target's (by apiVersion group and kind)."""
        ...

    def decide(self, objects: Sequence[Object], request: Request, env: ModelEnv) -> Decision:
        """What the target does with ``request`` given every applied object. Pure."""
        ...
