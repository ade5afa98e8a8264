"""The vocabulary of checks: what a case asserts, as data every depth evaluates.

A check says *what* must hold, never *how* to observe it. The offline depth
asks a model of the target gateway for its routing decision; the local and
cluster depths send real requests to real test servers. Backends are named by
their test Service's name (``Seen.backend``), which the test servers echo and
the models resolve from the destination.

Knative's numbers are the defaults: 1000 samples and ±10 points for
distributions, 100 round trips for websockets and gRPC, 10 s before and after
the response headers for the timeout check.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kingress import ClusterIngress
from kingress_conformance.requests import Request


@dataclass(frozen=True, slots=True, kw_only=True)
class Seen:
    """What one backend must receive: its name and, optionally, headers, host, HTTP/2."""

    backend: str
    #: Headers the backend must see with exactly these values (names case-insensitive).
    headers: Mapping[str, str] = field(default_factory=dict)
    #: The Host / authority the backend must see (a rewritten host, say).
    host: str | None = None
    #: Whether the backend must see HTTP/2 (``True``) or HTTP/1 (``False``).
    http2: bool | None = None


def seen(
    backend: str,
    headers: Mapping[str, str] | None = None,
    *,
    host: str | None = None,
    http2: bool | None = None,
) -> Seen:
    """Build a ``Seen``."""
    return Seen(backend=backend, headers=dict(headers or {}), host=host, http2=http2)


@dataclass(frozen=True, slots=True, kw_only=True)
class Routes:
    """The request reaches exactly ``to``: every listed backend gets some, no other any.

    With one backend the request is routed there every time (the local depth
    wants three consecutive matches). With several, all must be seen within
    ``max_requests`` requests (Knative's ``headers/post-split`` uses 100).
    """

    request: Request
    to: tuple[Seen, ...]
    max_requests: int = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class NotFound:
    """No route answers: 404 (a refused connection also counts at the real depths)."""

    request: Request


@dataclass(frozen=True, slots=True, kw_only=True)
class Redirects:
    """Plain HTTP is answered with a redirect to https on the same host (not followed)."""

    request: Request
    status: int = 301


@dataclass(frozen=True, slots=True, kw_only=True)
class Distribution:
    """Traffic is split by ``weights`` (backend → percent): within ±tolerance, 0% gets none.

    Every backend with a positive weight must get some traffic too (Gateway
    API's rule; with 1000 samples a 1% backend goes unseen with p ≈ 4e-5).
    """

    request: Request
    weights: Mapping[str, int]
    samples: int = 1000
    #: Percentage points either side of each weight.
    tolerance: float = 10.0
    concurrency: int = 8


@dataclass(frozen=True, slots=True, kw_only=True)
class NoRetry:
    """A 503 from the backend reaches the client: the gateway does not retry it.

    ``backend`` is a retry server: its first request gets 503, later ones 200.
    """

    request: Request
    backend: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NoTimeout:
    """Slow responses are not cut: ``before_ms`` until the headers, ``after_ms`` until the body."""

    request: Request
    backend: str
    before_ms: int = 10_000
    after_ms: int = 10_000


@dataclass(frozen=True, slots=True, kw_only=True)
class WebsocketEcho:
    """Websocket upgrades work; each of ``backends`` is reached and echoes ``round_trips`` times.

    With several backends (a split), new connections are opened until each
    backend's echo suffix was seen, at most ``max_connections`` (Knative: 100).
    """

    request: Request
    backends: tuple[str, ...]
    round_trips: int = 100
    max_connections: int = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class GrpcPing:
    """A bidirectional gRPC stream works end to end (h2c); each backend is reached."""

    request: Request
    backends: tuple[str, ...]
    round_trips: int = 100
    max_streams: int = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class ProbeHash:
    """The probe contract: ``K-Network-Hash: override`` gets the ingress hash back.

    With ``explicit`` the client sends that hash instead, and it must come back
    unchanged (the probe route only matches ``override``).
    """

    request: Request
    ingress: str
    backend: str
    explicit: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Unchanged:
    """An ingress of a class the backend does not claim is left exactly as it was."""

    ingress: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassChange:
    """Moving ``ingress`` to ``to_class`` removes everything the backend made for it.

    Before the move ``request`` reaches ``backend``; after it, nothing answers.
    """

    request: Request
    ingress: str
    backend: str
    to_class: str = "other.ingress.networking.knative.dev"


@dataclass(frozen=True, slots=True, kw_only=True)
class Version:
    """One version of an ingress in an ``Update`` and what the request must then reach."""

    ingress: ClusterIngress
    expect: Seen


@dataclass(frozen=True, slots=True, kw_only=True)
class Update:
    """Each version replaces the ingress in turn; no request fails in between.

    After each version is ready, the first request sees that version's
    ``expect``; a background prober meanwhile must only ever get answers from
    a backend of the version before or after.
    """

    request: Request
    versions: tuple[Version, ...]


#: Every kind of check.
Check = (
    Routes
    | NotFound
    | Redirects
    | Distribution
    | NoRetry
    | NoTimeout
    | WebsocketEcho
    | GrpcPing
    | ProbeHash
    | Unchanged
    | ClassChange
    | Update
)


def describe(check: Check) -> str:
    """A short human form of a check, for failure messages."""
    name = type(check).__name__
    target = getattr(check, "request", None)
    if isinstance(target, Request):
        return f"{name} {target.describe()}"
    return f"{name} {getattr(check, 'ingress', '')}".rstrip()
