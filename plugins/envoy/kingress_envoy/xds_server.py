"""A delta ADS server: Envoy's configuration over one gRPC stream, only what changed.

Envoy opens ``AggregatedDiscoveryService/DeltaAggregatedResources`` (the
bootstrap's ``ads_config``, ``DELTA_GRPC``) and subscribes per type: wildcard
for listeners, clusters and scoped route configurations, by name for route
configurations (one per routing scope, subscribed as the scopes arrive). The
server holds the current resources of each type (``XdsResource``: a name, a
version and the resource's bytes, encoded once by ``kingress_envoy.wire``)
and, for every stream, what Envoy was sent and acknowledged. ``update``
changes some resources and sends each stream just those it subscribes to
(``removed_resources`` for removals); ``wait_synced`` blocks until the stream
acknowledged everything (ACK: a request carrying the response's nonce and no
``error_detail``) or returns Envoy's refusal (NACK: its ``error_detail``), in
which case the refused resources count as not sent.

A stream that starts (Envoy started or reconnected) gets the full current
state of what it subscribes to, minus what its ``initial_resource_versions``
say it already has. Requests are decoded with envoy-data-plane's
``DeltaDiscoveryRequest``; responses are framed here from the cached resource
bytes (a response is the concatenation of its fields, so nothing already
encoded is encoded again).
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import queue
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import grpc
from envoy_data_plane.envoy.service.discovery.v3 import DeltaDiscoveryRequest

from kingress_envoy import wire

_PREFIX = "type.googleapis.com/"
TYPE_LISTENER = _PREFIX + "envoy.config.listener.v3.Listener"
TYPE_CLUSTER = _PREFIX + "envoy.config.cluster.v3.Cluster"
TYPE_SCOPED_ROUTE = _PREFIX + "envoy.config.route.v3.ScopedRouteConfiguration"
TYPE_ROUTE = _PREFIX + "envoy.config.route.v3.RouteConfiguration"
#: Types Envoy subscribes to as a whole (the others by resource name).
WILDCARD_TYPES = frozenset({TYPE_LISTENER, TYPE_CLUSTER, TYPE_SCOPED_ROUTE})
#: A short label per type, for results and logs.
LABELS = {TYPE_LISTENER: "lds", TYPE_CLUSTER: "cds", TYPE_SCOPED_ROUTE: "srds", TYPE_ROUTE: "rds"}

_SERVICE = "envoy.service.discovery.v3.AggregatedDiscoveryService"

log = logging.getLogger("kingress.envoy.xds")


@dataclass(frozen=True, slots=True, eq=False)
class XdsResource:
    """One named resource of one type, encoded: what a delta response carries."""

    type_url: str
    name: str
    version: str
    #: The ``Resource`` message framed as field 2 of a ``DeltaDiscoveryResponse``.
    framed: bytes

    @classmethod
    def encode(cls, type_url: str, name: str, value: Mapping[str, Any]) -> XdsResource:
        """Encode ``value`` (a proto3-JSON dict of ``type_url``); the version is its digest."""
        data = wire.encode(type_url, value)
        version = hashlib.blake2b(data, digest_size=10).hexdigest()
        any_ = wire.field(1, type_url.encode()) + wire.field(2, data)
        message = (
            wire.field(3, name.encode()) + wire.field(1, version.encode()) + wire.field(2, any_)
        )
        return cls(type_url, name, version, wire.field(2, message))


def response_bytes(
    type_url: str, nonce: str, resources: Iterable[XdsResource], removed: Iterable[str]
) -> bytes:
    """A ``DeltaDiscoveryResponse``: the resources' cached bytes plus the envelope fields."""
    parts = [wire.field(4, type_url.encode()), wire.field(5, nonce.encode())]
    parts.extend(resource.framed for resource in resources)
    parts.extend(wire.field(6, name.encode()) for name in removed)
    return b"".join(parts)


@dataclass(frozen=True, slots=True)
class Nack:
    """Envoy refused a response: of which type, and its message."""

    type_url: str
    message: str

    @property
    def label(self) -> str:
        return LABELS.get(self.type_url, self.type_url)


@dataclass(slots=True)
class _Subscription:
    """One type on one stream: what Envoy subscribes to and what it has."""

    wildcard: bool = False
    names: set[str] = field(default_factory=set)
    #: name → version Envoy has (or was sent, while the response is not yet acknowledged).
    known: dict[str, str] = field(default_factory=dict)
    #: nonce → what the response replaced (name → previous version, "" if none), for a NACK.
    pending: dict[str, dict[str, str]] = field(default_factory=dict)

    def wants(self, name: str) -> bool:
        return self.wildcard or name in self.names


class _Stream:
    """One Envoy connection: its subscriptions, its outgoing responses, a NACK if any."""

    def __init__(self, ordinal: int) -> None:
        self.ordinal = ordinal
        self.subscriptions: dict[str, _Subscription] = {}
        self.outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.nack: Nack | None = None
        self.closed = False
        #: Resources sent per response (tests and benchmarks read it).
        self.sent: list[tuple[str, int, int]] = []

    def busy(self) -> bool:
        return any(sub.pending for sub in self.subscriptions.values())


class XdsServer:
    """The delta ADS server on ``address`` (an ephemeral port), holding the resources."""

    def __init__(self, address: str = "127.0.0.1") -> None:
        self.address = address
        self.port = 0
        self._cond = threading.Condition()
        self._resources: dict[str, dict[str, XdsResource]] = {t: {} for t in LABELS}
        self._streams: list[_Stream] = []
        self._ordinals = itertools.count(1)
        self._nonces = itertools.count(1)
        self._server: grpc.Server | None = None
        self.opened = 0

    # -- lifecycle -------------------------------------------------------------

    def start(self) -> int:
        """Serve on ``address`` and an ephemeral port; the port."""
        if self._server is not None:
            return self.port
        handler = grpc.method_handlers_generic_handler(
            _SERVICE,
            {
                "DeltaAggregatedResources": grpc.stream_stream_rpc_method_handler(
                    self._serve,
                    request_deserializer=DeltaDiscoveryRequest.parse,
                    response_serializer=bytes,
                )
            },
        )
        server = grpc.server(ThreadPoolExecutor(max_workers=8, thread_name_prefix="kingress-xds"))
        server.add_generic_rpc_handlers((handler,))
        host = f"[{self.address}]" if ":" in self.address else self.address
        self.port = server.add_insecure_port(f"{host}:0")
        server.start()
        self._server = server
        return self.port

    def stop(self) -> None:
        """End every stream and stop serving."""
        with self._cond:
            for stream in self._streams:
                stream.outbox.put(None)
            self._cond.notify_all()
        if self._server is not None:
            self._server.stop(grace=None).wait(5)
            self._server = None

    # -- the stream --------------------------------------------------------------

    def _serve(self, requests: Iterator[DeltaDiscoveryRequest], context: Any) -> Iterator[bytes]:
        with self._cond:
            stream = _Stream(next(self._ordinals))
            # A closed stream is kept until the next one opens: a wait for it sees it closed.
            self._streams = [s for s in self._streams if not s.closed]
            self._streams.append(stream)
            self.opened = stream.ordinal
            self._cond.notify_all()
        context.add_callback(lambda: stream.outbox.put(None))
        reader = threading.Thread(
            target=self._read, args=(stream, requests), name="kingress-xds-read", daemon=True
        )
        reader.start()
        try:
            while True:
                item = stream.outbox.get()
                if item is None:
                    return
                yield item
        finally:
            with self._cond:
                stream.closed = True
                self._cond.notify_all()

    def _read(self, stream: _Stream, requests: Iterator[DeltaDiscoveryRequest]) -> None:
        try:
            for request in requests:
                with self._cond:
                    self._on_request(stream, request)
                    self._cond.notify_all()
        except grpc.RpcError:
            pass
        except Exception:  # a bug here must not hang Envoy's stream silently
            log.exception("xDS stream %d failed", stream.ordinal)
        finally:
            with self._cond:
                stream.closed = True
                self._cond.notify_all()
            stream.outbox.put(None)

    def _on_request(self, stream: _Stream, request: DeltaDiscoveryRequest) -> None:
        type_url = request.type_url
        if type_url not in self._resources:
            return
        sub = stream.subscriptions.get(type_url)
        first = sub is None
        if sub is None:
            sub = stream.subscriptions[type_url] = _Subscription()
            sub.known.update(request.initial_resource_versions)
        if request.response_nonce in sub.pending:
            replaced = sub.pending.pop(request.response_nonce)
            detail = request.error_detail
            if detail is not None and (detail.code or detail.message):
                for name, version in replaced.items():
                    if version:
                        sub.known[name] = version
                    else:
                        sub.known.pop(name, None)
                stream.nack = Nack(type_url, detail.message or f"code {detail.code}")
        subscribe = list(request.resource_names_subscribe)
        unsubscribe = list(request.resource_names_unsubscribe)
        added: list[str] = []
        if (first and not subscribe and type_url in WILDCARD_TYPES) or "*" in subscribe:
            sub.wildcard = True
            added = list(self._resources[type_url])
        if "*" in unsubscribe:
            sub.wildcard = False
        for name in subscribe:
            if name != "*" and name not in sub.names:
                sub.names.add(name)
                added.append(name)
        for name in unsubscribe:
            sub.names.discard(name)
            if not sub.wants(name):
                sub.known.pop(name, None)
        current = self._resources[type_url]
        upserts = [
            current[name]
            for name in dict.fromkeys(added)
            if name in current and sub.known.get(name) != current[name].version
        ]
        # What a new stream says it has and the server no longer holds is removed.
        removed = [name for name in sub.known if name not in current] if first else []
        if first or upserts or removed:
            self._send(stream, type_url, sub, upserts, removed)

    def _send(
        self,
        stream: _Stream,
        type_url: str,
        sub: _Subscription,
        upserts: list[XdsResource],
        removed: list[str],
    ) -> None:
        nonce = str(next(self._nonces))
        replaced = {r.name: sub.known.get(r.name, "") for r in upserts}
        replaced.update({name: sub.known.get(name, "") for name in removed})
        sub.pending[nonce] = replaced
        for resource in upserts:
            sub.known[resource.name] = resource.version
        for name in removed:
            sub.known.pop(name, None)
        stream.sent.append((type_url, len(upserts), len(removed)))
        stream.outbox.put(response_bytes(type_url, nonce, upserts, removed))

    # -- what the gateway calls ------------------------------------------------------

    def resources(self, type_url: str) -> Mapping[str, XdsResource]:
        """The current resources of a type (a view; do not change)."""
        return self._resources[type_url]

    def update(
        self,
        type_url: str,
        upserts: Iterable[XdsResource] = (),
        removals: Iterable[str] = (),
    ) -> None:
        """Add or change ``upserts`` and remove ``removals``; send each stream its part."""
        upserts, removals = list(upserts), list(removals)
        with self._cond:
            current = self._resources[type_url]
            for resource in upserts:
                current[resource.name] = resource
            for name in removals:
                current.pop(name, None)
            for stream in self._streams:
                sub = stream.subscriptions.get(type_url)
                if sub is None or stream.closed:
                    continue  # its first request will get everything
                send = [
                    r for r in upserts if sub.wants(r.name) and sub.known.get(r.name) != r.version
                ]
                gone = [name for name in removals if name in sub.known]
                if send or gone:
                    self._send(stream, type_url, sub, send, gone)

    def stream_after(self, ordinal: int) -> int:
        """The ordinal of the newest stream opened after ``ordinal`` (0: none yet)."""
        with self._cond:
            newest = max((s.ordinal for s in self._streams if not s.closed), default=0)
            return newest if newest > ordinal else 0

    def wait_synced(
        self,
        floor: int,
        deadline: float,
        *,
        types: Iterable[str] = (),
        names: Mapping[str, Iterable[str]] | None = None,
    ) -> Nack | str | None:
        """Wait until the newest stream opened after ``floor`` acknowledged everything sent.

        It must also subscribe to each of ``types`` and hold each of
        ``names`` (by type) at its current version. Returns ``None`` when so,
        Envoy's ``Nack`` when it refused a response (the refused resources
        count as not sent), ``"closed"`` when the stream ended and
        ``"timeout"`` at ``deadline``.
        """
        wanted = {t: list(n) for t, n in (names or {}).items()}
        required = set(types) | set(wanted)
        with self._cond:
            while True:
                stream = next((s for s in reversed(self._streams) if s.ordinal > floor), None)
                if stream is not None:
                    if stream.nack is not None:
                        nack, stream.nack = stream.nack, None
                        return nack
                    if stream.closed:
                        return "closed"
                    if not stream.busy() and self._holds(stream, required, wanted):
                        return None
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return "timeout"
                self._cond.wait(min(remaining, 0.5))

    def _holds(self, stream: _Stream, required: set[str], wanted: Mapping[str, list[str]]) -> bool:
        for type_url in required:
            sub = stream.subscriptions.get(type_url)
            if sub is None:
                return False
            current = self._resources[type_url]
            for name in wanted.get(type_url, ()):
                resource = current.get(name)
                if resource is not None and sub.known.get(name) != resource.version:
                    return False
        return True

    def sent(self, floor: int = 0) -> list[tuple[str, int, int]]:
        """(type, resources, removals) of each response sent on the newest stream after
        ``floor``."""
        with self._cond:
            stream = next((s for s in reversed(self._streams) if s.ordinal > floor), None)
            return list(stream.sent) if stream is not None else []
