"""Envoy's configuration: the bootstrap file, and a snapshot as xDS resources for the server.

The bootstrap (``<workdir>/bootstrap.json``, the only file) has an admin
endpoint, a static cluster to kingress's delta ADS server (HTTP/2 on
loopback) and ``ads_config`` (``DELTA_GRPC``); listeners and clusters come
over ADS. Every listener's connection manager routes through **scoped
routes**: a routing scope per (listener, host) picked by the request's
listener and ``:authority`` host (port stripped), each scope naming a route
configuration (RDS) that holds the virtual hosts of that host only. So one
Service's change re-sends its hosts' few route configurations, and Envoy
builds only those, not every virtual host of the listener.

Scoped route configurations arrive over one wildcard subscription that every
connection manager shares, so a scope's key carries its listener: each
connection manager sets ``x-kingress-listener`` (overwriting any value a
client sent) as an early header mutation, and the route configurations remove
it before the request goes upstream.

``XdsEncoder`` turns a snapshot into resources (``XdsResource``: name,
version, bytes), encoding each once per object: the unchanged ingresses'
clusters and virtual hosts are the same objects from one snapshot to the
next, so a change encodes what changed.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import tempfile
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kingress_envoy.names import LISTENERS, ListenerName
from kingress_envoy.snapshot import EnvoySnapshot, ListenerPlan, TLSChain
from kingress_envoy.xds_server import (
    TYPE_CLUSTER,
    TYPE_LISTENER,
    TYPE_ROUTE,
    TYPE_SCOPED_ROUTE,
    XdsResource,
)

Object = dict[str, Any]

_API = "type.googleapis.com/envoy.extensions"
_HCM = f"{_API}.filters.network.http_connection_manager.v3.HttpConnectionManager"
_ROUTER = f"{_API}.filters.http.router.v3.Router"
_TLS_CONTEXT = f"{_API}.transport_sockets.tls.v3.DownstreamTlsContext"
_TLS_INSPECTOR = (
    "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector"
)
_HTTP_OPTIONS = f"{_API}.upstreams.http.v3.HttpProtocolOptions"
#: The static cluster of the bootstrap that reaches kingress's ADS server.
XDS_CLUSTER = "kingress_xds"
#: The request header that tells the scope key which listener a request came in on.
LISTENER_HEADER = "x-kingress-listener"
_ADS: Object = {"ads": {}, "resource_api_version": "V3"}
#: Route configuration names longer than this are shortened with a digest.
_MAX_NAME = 200
_HEADER_MUTATION = f"{_API}.http.early_header_mutation.header_mutation.v3.HeaderMutation"


def _strip_and_mark(listener: ListenerName) -> Object:
    """Removes every ``x-envoy-*`` header a client sends before routing (so no client can turn
    on retries or timeouts), then sets the listener header the scope key reads."""
    return {
        "name": "envoy.http.early_header_mutation.header_mutation",
        "typed_config": {
            "@type": _HEADER_MUTATION,
            "mutations": [
                {"remove_on_match": {"key_matcher": {"prefix": "x-envoy-"}}},
                {
                    "append": {
                        "header": {"key": LISTENER_HEADER, "value": listener.value},
                        "append_action": "OVERWRITE_IF_EXISTS_OR_ADD",
                    }
                },
            ],
        },
    }


@dataclass(frozen=True, slots=True)
class XdsLayout:
    """Where the gateway's files live under a work directory."""

    root: Path

    @property
    def bootstrap(self) -> Path:
        return self.root / "bootstrap.json"

    def prepare(self) -> None:
        """Create the directory."""
        self.root.mkdir(parents=True, exist_ok=True)


def render_bootstrap(
    *, node_id: str, admin_address: str, admin_port: int, xds_address: str, xds_port: int
) -> Object:
    """The Envoy bootstrap: an admin endpoint and everything else over delta ADS."""
    return {
        "node": {"id": node_id, "cluster": "kingress"},
        "admin": {
            "address": {"socket_address": {"address": admin_address, "port_value": admin_port}}
        },
        "static_resources": {
            "clusters": [
                {
                    "name": XDS_CLUSTER,
                    "type": "STATIC",
                    "connect_timeout": "1s",
                    "load_assignment": {
                        "cluster_name": XDS_CLUSTER,
                        "endpoints": [
                            {
                                "lb_endpoints": [
                                    {
                                        "endpoint": {
                                            "address": {
                                                "socket_address": {
                                                    "address": xds_address,
                                                    "port_value": xds_port,
                                                }
                                            }
                                        }
                                    }
                                ]
                            }
                        ],
                    },
                    "typed_extension_protocol_options": {
                        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
                            "@type": _HTTP_OPTIONS,
                            "explicit_http_config": {"http2_protocol_options": {}},
                        }
                    },
                }
            ]
        },
        "dynamic_resources": {
            "ads_config": {
                "api_type": "DELTA_GRPC",
                "transport_api_version": "V3",
                "grpc_services": [{"envoy_grpc": {"cluster_name": XDS_CLUSTER}}],
                "set_node_on_first_message_only": True,
            },
            "lds_config": _ADS,
            "cds_config": _ADS,
        },
    }


def host_key(domain: str) -> str:
    """The scope key of a virtual host domain: its host without the port (``a:*`` → ``a``).

    It is what the scope key builder takes from ``:authority`` (the part
    before the first ``:``).
    """
    return domain.split(":", 1)[0]


def _http_connection_manager(listener: ListenerName) -> Object:
    return {
        "name": "envoy.filters.network.http_connection_manager",
        "typed_config": {
            "@type": _HCM,
            "stat_prefix": listener.value,
            "codec_type": "AUTO",
            "scoped_routes": {
                "name": listener.value,
                "scope_key_builder": {
                    "fragments": [
                        {"header_value_extractor": {"name": LISTENER_HEADER, "index": 0}},
                        {
                            "header_value_extractor": {
                                "name": ":authority",
                                "element_separator": ":",
                                "index": 0,
                            }
                        },
                    ]
                },
                "rds_config_source": _ADS,
                "scoped_rds": {"scoped_rds_config_source": _ADS},
            },
            "http_filters": [
                {
                    "name": "envoy.filters.http.router",
                    "typed_config": {"@type": _ROUTER, "suppress_envoy_headers": True},
                }
            ],
            "upgrade_configs": [{"upgrade_type": "websocket"}],
            # An edge proxy: the peer address is the client; x-envoy-* request
            # headers from clients are not trusted (so no client-driven retries).
            "use_remote_address": True,
            "internal_address_config": {"unix_sockets": False, "cidr_ranges": []},
            "early_header_mutation_extensions": [_strip_and_mark(listener)],
            # No timeouts on streams (the contract: no route timeout).
            "stream_idle_timeout": "0s",
        },
    }


def _tls_chain(index: int, chain: TLSChain, listener: ListenerName) -> Object:
    rendered: Object = {
        "name": f"{listener.value}/{index}",
        "filters": [_http_connection_manager(listener)],
        "transport_socket": {
            "name": "envoy.transport_sockets.tls",
            "typed_config": {
                "@type": _TLS_CONTEXT,
                "common_tls_context": {
                    "tls_certificates": [
                        {
                            "certificate_chain": {"inline_string": chain.tls.cert_chain},
                            "private_key": {"inline_string": chain.tls.private_key},
                        }
                    ],
                    "alpn_protocols": ["h2", "http/1.1"],
                },
            },
        },
    }
    if chain.server_names:
        rendered["filter_chain_match"] = {"server_names": list(chain.server_names)}
    return rendered


def render_listener(plan: ListenerPlan, address: str, port: int) -> Object:
    """One Envoy listener for a plan, bound to ``address:port``."""
    listener: Object = {
        "name": plan.name.value,
        "address": {"socket_address": {"address": address, "port_value": port}},
    }
    if plan.name.is_tls:
        listener["listener_filters"] = [
            {
                "name": "envoy.filters.listener.tls_inspector",
                "typed_config": {"@type": _TLS_INSPECTOR},
            }
        ]
        listener["filter_chains"] = [
            _tls_chain(i, chain, plan.name) for i, chain in enumerate(plan.chains)
        ]
    else:
        listener["filter_chains"] = [{"filters": [_http_connection_manager(plan.name)]}]
    return listener


def render_listeners(
    plans: Iterable[ListenerPlan], address: str, ports: Mapping[ListenerName, int]
) -> list[Object]:
    """Every listener of a snapshot."""
    return [render_listener(plan, address, ports[plan.name]) for plan in plans]


def route_config_name(listener: ListenerName, vhosts: Iterable[Mapping[str, Any]]) -> str:
    """The route configuration of a scope: its listener and the virtual hosts it holds."""
    name = f"{listener.value}/{'|'.join(str(v.get('name', '')) for v in vhosts)}"
    if len(name) > _MAX_NAME:
        digest = hashlib.sha256(name.encode()).hexdigest()[:16]
        name = f"{name[: _MAX_NAME - 17]}~{digest}"
    return name


def scope_name(listener: ListenerName, host: str) -> str:
    """A routing scope: its listener and host."""
    return f"{listener.value}/{host}"


def scopes(snapshot: EnvoySnapshot) -> dict[tuple[ListenerName, str], list[Object]]:
    """Each (listener, host) of the snapshot and its virtual hosts, in the snapshot's order.

    A host is a domain without its port; a virtual host with several hosts
    (``x.ns``, ``x.ns.svc``, ...) serves each of them.
    """
    grouped: dict[tuple[ListenerName, str], list[Object]] = {}
    for listener in LISTENERS:
        for vhost in snapshot.route_config(listener)["virtual_hosts"]:
            for host in dict.fromkeys(host_key(str(d)) for d in vhost.get("domains", ())):
                grouped.setdefault((listener, host), []).append(vhost)
    return grouped


def route_configuration(name: str, vhosts: list[Object]) -> Object:
    """The route configuration of one scope."""
    return {
        "name": name,
        "virtual_hosts": vhosts,
        "validate_clusters": False,
        "request_headers_to_remove": [LISTENER_HEADER],
    }


def scoped_route(listener: ListenerName, host: str, route_name: str) -> Object:
    """The scope of ``host`` on ``listener``, routed by ``route_name``."""
    return {
        "name": scope_name(listener, host),
        "route_configuration_name": route_name,
        "key": {"fragments": [{"string_key": listener.value}, {"string_key": host}]},
    }


#: Per type: the resources added or changed, and the names removed.
Delta = Mapping[str, tuple[list[XdsResource], list[str]]]


@dataclass(frozen=True, slots=True, eq=False, weakref_slot=True)
class XdsState:
    """A snapshot as xDS resources, by type and name."""

    clusters: Mapping[str, XdsResource]
    listeners: Mapping[str, XdsResource]
    scopes: Mapping[str, XdsResource]
    routes: Mapping[str, XdsResource]
    #: What differs from the state this one was rendered from.
    delta: Delta = field(default_factory=dict)
    #: That state, held weakly: the gateway holds the state Envoy has, and only that one
    #: matters; a strong link would keep every state ever rendered alive, one after another.
    origin: weakref.ref[XdsState] | None = None

    @property
    def base(self) -> XdsState | None:
        """The state this one was rendered from, while something else holds it (else ``None``)."""
        return self.origin() if self.origin is not None else None

    def of(self, type_url: str) -> Mapping[str, XdsResource]:
        """The resources of one type."""
        return {
            TYPE_CLUSTER: self.clusters,
            TYPE_LISTENER: self.listeners,
            TYPE_SCOPED_ROUTE: self.scopes,
            TYPE_ROUTE: self.routes,
        }[type_url]


def empty_state() -> XdsState:
    """No resources at all."""
    return XdsState({}, {}, {}, {})


@dataclass(slots=True)
class _Listing:
    """What was rendered of one listener: its virtual hosts and how they were grouped."""

    #: The virtual hosts in order, and by identity (held, so their identities are not
    #: reused while remembered).
    vhosts: list[Object]
    by_id: dict[int, Object]
    #: host → its virtual hosts, in the snapshot's order.
    groups: dict[str, tuple[Object, ...]]
    #: host → the name of its route configuration.
    routes: dict[str, str]
    #: The hosts with several virtual hosts.
    shared: set[str]


def _hosts(vhost: Mapping[str, Any]) -> list[str]:
    return list(dict.fromkeys(host_key(str(d)) for d in vhost.get("domains", ())))


def _same(one: tuple[Object, ...], other: tuple[Object, ...]) -> bool:
    """The same objects, in the same order."""
    return len(one) == len(other) and all(a is b for a, b in zip(one, other, strict=True))


class XdsEncoder:
    """A snapshot's resources, each encoded once per content, each render O(changed).

    Successive snapshots share the virtual-host and cluster objects of every
    ingress that did not change (they come from the same stored configs), and
    an assembly that only swapped some ingresses' routes keeps everything else
    in place. So a render compares the clusters and each listener's virtual
    hosts with the last render's by identity, position by position, and
    regroups, encodes and replaces only the scopes whose hosts gained or lost
    a virtual host and the clusters that changed; the other scopes, route
    configurations and clusters are the last render's resources. Listeners (a
    handful) are remembered by their plan and port. The objects must not be
    changed in place once rendered (snapshots are values; stored objects are
    frozen). Its results equal those of rendering everything afresh
    (``scopes``).
    """

    def __init__(self) -> None:
        #: The last render's clusters in order, and each one's resource by name.
        self._cluster_list: tuple[Object, ...] = ()
        self._clusters: dict[str, XdsResource] = {}
        self._listeners: dict[tuple[ListenerPlan, str, int], XdsResource] = {}
        self._listings: dict[ListenerName, _Listing] = {}
        self._routes: dict[str, XdsResource] = {}
        #: route configuration name → how many scopes use it, and its virtual hosts.
        self._users: dict[str, int] = {}
        self._members: dict[str, tuple[Object, ...]] = {}
        self._scopes: dict[str, XdsResource] = {}
        #: The last render, and the scopes, route configurations and clusters set since.
        self._last: XdsState | None = None
        self._touched: dict[str, set[str]] = {
            TYPE_SCOPED_ROUTE: set(),
            TYPE_ROUTE: set(),
            TYPE_CLUSTER: set(),
        }

    def _render_clusters(self, clusters: tuple[Object, ...]) -> dict[str, XdsResource]:
        """Each cluster's resource by name; encodes only clusters not rendered last time.

        When the clusters are the last render's with some swapped for a
        cluster of the same name at the same place, only those are encoded
        and marked touched; otherwise every cluster is looked at (those that
        are the very objects rendered last keep their resource).
        """
        last, rendered = self._cluster_list, self._clusters
        self._cluster_list = clusters
        if len(clusters) == len(last):
            swapped = [
                (new, old) for new, old in zip(clusters, last, strict=True) if new is not old
            ]
            if all(new["name"] == old["name"] for new, old in swapped):
                result = dict(rendered) if swapped else rendered
                for new, _ in swapped:
                    name = str(new["name"])
                    result[name] = XdsResource.encode(TYPE_CLUSTER, name, new)
                    self._touched[TYPE_CLUSTER].add(name)
                self._clusters = result
                return result
        kept = {id(old): rendered[str(old["name"])] for old in last}
        result = {}
        for cluster in clusters:
            name = str(cluster["name"])
            resource = kept.get(id(cluster))
            result[name] = resource or XdsResource.encode(TYPE_CLUSTER, name, cluster)
        self._touched[TYPE_CLUSTER].update(result.keys() | rendered.keys())
        self._clusters = result
        return result

    def _listener(
        self,
        plan: ListenerPlan,
        address: str,
        port: int,
        previous: Mapping[tuple[ListenerPlan, str, int], XdsResource],
    ) -> XdsResource:
        key = (plan, address, port)
        resource = previous.get(key)
        if resource is None:
            listener = render_listener(plan, address, port)
            resource = XdsResource.encode(TYPE_LISTENER, plan.name.value, listener)
        self._listeners[key] = resource
        return resource

    def _regroup(self, listener: ListenerName, vhosts: list[Object]) -> None:
        """Bring one listener's scopes and route configurations up to ``vhosts``."""
        listing = self._listings.get(listener) or _Listing([], {}, {}, {}, set())
        before = listing.vhosts
        if len(vhosts) == len(before):
            # Compared place by place: what moved is all that can differ.
            moved = [(new, old) for new, old in zip(vhosts, before, strict=True) if new is not old]
            if not moved:
                return
            arriving = {id(new): new for new, _ in moved}
            leaving = {id(old): old for _, old in moved}
            by_id = dict(listing.by_id)
            gone = leaving.keys() - arriving.keys()
            new = arriving.keys() - leaving.keys()
            for key in gone:
                del by_id[key]
            by_id.update((key, arriving[key]) for key in new)
        else:
            by_id = dict(zip(map(id, vhosts), vhosts, strict=True))
            gone = listing.by_id.keys() - by_id.keys()
            new = by_id.keys() - listing.by_id.keys()
        # The same virtual hosts in another order: only hosts with several can change.
        affected = set(listing.shared)
        for key in gone:
            affected.update(_hosts(listing.by_id[key]))
        joining: dict[str, list[Object]] = {}
        for key in new:
            vhost = by_id[key]
            for host in _hosts(vhost):
                joining.setdefault(host, []).append(vhost)
        affected.update(joining)
        position: dict[int, int] = {}
        groups = listing.groups
        for host in affected:
            members = [v for v in groups.get(host, ()) if id(v) in by_id]
            members += joining.get(host, ())
            if len(members) > 1:
                position = position or {id(v): index for index, v in enumerate(vhosts)}
                members.sort(key=lambda v: position[id(v)])
            self._set(listener, listing, host, tuple(members))
        listing.vhosts, listing.by_id = vhosts, by_id
        self._listings[listener] = listing

    def _set(
        self, listener: ListenerName, listing: _Listing, host: str, members: tuple[Object, ...]
    ) -> None:
        """Make ``host``'s scope route ``members`` (none: no scope)."""
        before = listing.groups.get(host, ())
        if _same(before, members):
            return
        old = listing.routes.pop(host, "")
        listing.groups.pop(host, None)
        listing.shared.discard(host)
        if len(members) > 1:
            listing.shared.add(host)
        scope = scope_name(listener, host)
        self._touched[TYPE_SCOPED_ROUTE].add(scope)
        if old:
            self._touched[TYPE_ROUTE].add(old)
        if members:
            name = route_config_name(listener, members)
            self._touched[TYPE_ROUTE].add(name)
            if not _same(self._members.get(name, ()), members):
                body = route_configuration(name, list(members))
                self._routes[name] = XdsResource.encode(TYPE_ROUTE, name, body)
                self._members[name] = members
            self._users[name] = self._users.get(name, 0) + 1
            listing.groups[host], listing.routes[host] = members, name
            if old != name or scope not in self._scopes:
                body = scoped_route(listener, host, name)
                self._scopes[scope] = XdsResource.encode(TYPE_SCOPED_ROUTE, scope, body)
        else:
            self._scopes.pop(scope, None)
        if old:
            self._users[old] -= 1
            if not self._users[old]:
                del self._users[old], self._routes[old], self._members[old]

    def state(
        self, snapshot: EnvoySnapshot, address: str, ports: Mapping[ListenerName, int]
    ) -> XdsState:
        """The resources of ``snapshot`` with listeners on ``address`` and ``ports``."""
        clusters = self._render_clusters(snapshot.clusters)
        previous_listeners, self._listeners = self._listeners, {}
        listeners = {
            plan.name.value: self._listener(plan, address, ports[plan.name], previous_listeners)
            for plan in snapshot.listeners
        }
        for listener in LISTENERS:
            self._regroup(listener, list(snapshot.route_config(listener)["virtual_hosts"]))
        base = self._last
        scopes, routes = dict(self._scopes), dict(self._routes)
        delta: Delta = {}
        if base is not None:
            delta = {
                TYPE_CLUSTER: _difference(base.clusters, clusters, self._touched[TYPE_CLUSTER]),
                TYPE_LISTENER: _difference(base.listeners, listeners, listeners),
                TYPE_SCOPED_ROUTE: _difference(
                    base.scopes, scopes, self._touched[TYPE_SCOPED_ROUTE]
                ),
                TYPE_ROUTE: _difference(base.routes, routes, self._touched[TYPE_ROUTE]),
            }
        for touched in self._touched.values():
            touched.clear()
        origin = weakref.ref(base) if base is not None else None
        self._last = XdsState(clusters, listeners, scopes, routes, delta, origin)
        return self._last


def _difference(
    base: Mapping[str, XdsResource], now: Mapping[str, XdsResource], names: Iterable[str]
) -> tuple[list[XdsResource], list[str]]:
    """What of ``names`` differs between ``base`` and ``now``: (added or changed, removed)."""
    upserts, removals = [], []
    for name in names:
        resource = now.get(name)
        if resource is None:
            if name in base:
                removals.append(name)
        elif base.get(name) is not resource:
            upserts.append(resource)
    if names is now:  # every name of ``now``: the removed ones are the rest of ``base``
        removals = list(base.keys() - now.keys())
    return upserts, removals


class BootstrapWriteError(OSError):
    """The bootstrap could not be written (disk full, read-only, too large): which, and why."""

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(error.errno, error.strerror or str(error), str(path))
        self.path = path

    def __str__(self) -> str:
        code = errno.errorcode.get(self.errno or 0, "unknown")
        return f"cannot write {self.path}: {self.strerror} (errno {self.errno}, {code})"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` beside ``path`` and rename it over ``path``.

    A failure (``BootstrapWriteError``, naming the file and the errno) leaves
    ``path`` as it was.
    """
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    except OSError as error:
        raise BootstrapWriteError(path, error) from error
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException as error:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise BootstrapWriteError(path, error) from error
        raise


def encode_json(document: Object) -> bytes:
    """Canonical JSON bytes (sorted keys) for the bootstrap file."""
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
