"""File-based xDS: the bootstrap, the rendered resources, and atomic writes.

Layout under the gateway's work directory (one directory per subscription, so
a rename triggers exactly the subscription it is meant for)::

    bootstrap.json
    xds/cds/cds.json                 clusters (CDS)
    xds/lds/lds.json                 listeners (LDS)
    xds/rds-<listener>/rds.json      one route configuration per listener (RDS)

Each subscription is a ``path_config_source`` with a ``watched_directory``:
Envoy re-reads the file as soon as a file is moved into that directory, so
writing is "write a temporary file beside it, then rename" — atomic, and
applied within milliseconds. Routes come through RDS so a route change never
drains a listener's connections.
"""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kingress_envoy.names import ListenerName
from kingress_envoy.snapshot import ListenerPlan, TLSChain

Object = dict[str, Any]

TYPE_LISTENER = "type.googleapis.com/envoy.config.listener.v3.Listener"
TYPE_CLUSTER = "type.googleapis.com/envoy.config.cluster.v3.Cluster"
TYPE_ROUTE = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"
_API = "type.googleapis.com/envoy.extensions"
_HCM = f"{_API}.filters.network.http_connection_manager.v3.HttpConnectionManager"
_ROUTER = f"{_API}.filters.http.router.v3.Router"
_TLS_CONTEXT = f"{_API}.transport_sockets.tls.v3.DownstreamTlsContext"
_TLS_INSPECTOR = (
    "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector"
)


#: Removes every ``x-envoy-*`` header a client sends before routing, so no client
#: can turn on retries (``x-envoy-retry-on``) or timeouts (``x-envoy-upstream-rq-timeout-ms``).
_STRIP_ENVOY_CONTROL_HEADERS: Object = {
    "name": "envoy.http.early_header_mutation.header_mutation",
    "typed_config": {
        "@type": f"{_API}.http.early_header_mutation.header_mutation.v3.HeaderMutation",
        "mutations": [{"remove_on_match": {"key_matcher": {"prefix": "x-envoy-"}}}],
    },
}


@dataclass(frozen=True, slots=True)
class XdsLayout:
    """Where each xDS file lives under a work directory."""

    root: Path

    @property
    def bootstrap(self) -> Path:
        return self.root / "bootstrap.json"

    @property
    def cds(self) -> Path:
        return self.root / "xds" / "cds" / "cds.json"

    @property
    def lds(self) -> Path:
        return self.root / "xds" / "lds" / "lds.json"

    def rds(self, listener: ListenerName) -> Path:
        return self.root / "xds" / f"rds-{listener.value}" / "rds.json"

    def all_paths(self) -> list[Path]:
        """Every xDS file, in the order they must first exist."""
        return [*(self.rds(ln) for ln in ListenerName), self.cds, self.lds]

    def prepare(self) -> None:
        """Create the directories."""
        for path in [self.bootstrap, *self.all_paths()]:
            path.parent.mkdir(parents=True, exist_ok=True)


def config_source(path: Path) -> Object:
    """A file subscription reloaded when anything is moved into the file's directory."""
    return {
        "resource_api_version": "V3",
        "path_config_source": {"path": str(path), "watched_directory": {"path": str(path.parent)}},
    }


def discovery_response(version: str, type_url: str, resources: Iterable[Object]) -> Object:
    """A DiscoveryResponse, the format of a file subscription."""
    return {
        "version_info": version,
        "resources": [{"@type": type_url, **resource} for resource in resources],
    }


def render_bootstrap(
    layout: XdsLayout, *, node_id: str, admin_address: str, admin_port: int
) -> Object:
    """The Envoy bootstrap: an admin endpoint and file-based LDS and CDS."""
    return {
        "node": {"id": node_id, "cluster": "kingress"},
        "admin": {
            "address": {"socket_address": {"address": admin_address, "port_value": admin_port}}
        },
        "dynamic_resources": {
            "lds_config": config_source(layout.lds),
            "cds_config": config_source(layout.cds),
        },
    }


def _http_connection_manager(listener: ListenerName, layout: XdsLayout) -> Object:
    return {
        "name": "envoy.filters.network.http_connection_manager",
        "typed_config": {
            "@type": _HCM,
            "stat_prefix": listener.value,
            "codec_type": "AUTO",
            "rds": {
                "route_config_name": listener.value,
                "config_source": config_source(layout.rds(listener)),
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
            "early_header_mutation_extensions": [_STRIP_ENVOY_CONTROL_HEADERS],
            # No timeouts on streams (the contract: no route timeout).
            "stream_idle_timeout": "0s",
        },
    }


def _tls_chain(index: int, chain: TLSChain, listener: ListenerName, layout: XdsLayout) -> Object:
    rendered: Object = {
        "name": f"{listener.value}/{index}",
        "filters": [_http_connection_manager(listener, layout)],
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


def render_listener(plan: ListenerPlan, address: str, port: int, layout: XdsLayout) -> Object:
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
            _tls_chain(i, chain, plan.name, layout) for i, chain in enumerate(plan.chains)
        ]
    else:
        listener["filter_chains"] = [{"filters": [_http_connection_manager(plan.name, layout)]}]
    return listener


def render_listeners(
    plans: Iterable[ListenerPlan],
    address: str,
    ports: Mapping[ListenerName, int],
    layout: XdsLayout,
) -> list[Object]:
    """Every listener of a snapshot."""
    return [render_listener(plan, address, ports[plan.name], layout) for plan in plans]


def encode(document: Object) -> bytes:
    """Canonical JSON bytes (sorted keys) for a file."""
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


class XdsEncoder:
    """Encodes the CDS and RDS files, each cluster and virtual host once per object.

    The bytes are exactly ``encode(discovery_response(...))``'s. A new snapshot
    shares the cluster and virtual-host objects of every ingress that did not
    change (they come from the same stored configs), so a file is mostly a
    join of bytes already encoded: a change costs encoding what changed, not
    every ingress's routes. Parts are remembered by object identity (holding
    the object, so an identity is never reused while remembered), so the
    objects must not be changed in place once written (snapshots are values;
    stored objects are frozen); ``retain`` forgets the parts of objects no
    longer in use.
    """

    def __init__(self) -> None:
        self._parts: dict[int, tuple[Object, bytes]] = {}

    def _part(self, obj: Object, extra: Object | None = None) -> bytes:
        cached = self._parts.get(id(obj))
        if cached is not None and cached[0] is obj:
            return cached[1]
        data = encode({**extra, **obj} if extra else obj)
        self._parts[id(obj)] = (obj, data)
        return data

    def clusters(self, version: str, clusters: Iterable[Object]) -> bytes:
        """The CDS file: ``clusters`` at ``version``."""
        typed = {"@type": TYPE_CLUSTER}
        resources = b",".join(self._part(cluster, typed) for cluster in clusters)
        return b'{"resources":[%b],"version_info":%b}' % (resources, _json(version))

    def route(self, version: str, route_config: Object) -> bytes:
        """An RDS file: one route configuration at ``version``."""
        shell = encode(
            discovery_response(version, TYPE_ROUTE, [{**route_config, "virtual_hosts": []}])
        )
        vhosts = b",".join(self._part(vhost) for vhost in route_config["virtual_hosts"])
        return shell.replace(b'"virtual_hosts":[]', b'"virtual_hosts":[%b]' % vhosts, 1)

    def retain(self, objects: Iterable[Object]) -> None:
        """Forget every part but those of ``objects``."""
        keep = {id(obj) for obj in objects}
        self._parts = {key: part for key, part in self._parts.items() if key in keep}


def _json(value: str) -> bytes:
    return json.dumps(value).encode()


class XdsWriteError(OSError):
    """An xDS file could not be written (disk full, read-only, too large): which, and why."""

    def __init__(self, path: Path, error: OSError) -> None:
        super().__init__(error.errno, error.strerror or str(error), str(path))
        self.path = path

    def __str__(self) -> str:
        code = errno.errorcode.get(self.errno or 0, "unknown")
        return f"cannot write {self.path}: {self.strerror} (errno {self.errno}, {code})"


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` beside ``path`` and rename it over ``path`` (one move event).

    A failure (``XdsWriteError``, naming the file and the errno) leaves ``path``
    as it was, so Envoy keeps what it had.
    """
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    except OSError as error:
        raise XdsWriteError(path, error) from error
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException as error:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise XdsWriteError(path, error) from error
        raise
