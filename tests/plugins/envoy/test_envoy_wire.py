"""``kingress_envoy.wire``: the backend's proto3-JSON dicts as protobuf bytes.

Checked three ways: against betterproto2 (envoy-data-plane's own codec parses
what we write back to the same message it builds from the dict), against
Envoy itself (a Bootstrap written as a ``.pb`` file passes ``--mode validate``,
and one with a bad enum number does not), and on error rows (each names the
path of what is wrong).
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from envoy_data_plane.envoy.config.cluster.v3 import Cluster
from envoy_data_plane.envoy.service.discovery.v3 import DeltaDiscoveryResponse, Resource
from envoy_data_plane.google.protobuf import Any as AnyMessage
from envoy_data_plane.google.protobuf import Duration, Timestamp
from envoy_data_plane.validate import (
    DoubleRules,
    FloatRules,
    Int32Rules,
    Int64Rules,
    SFixed64Rules,
    SInt32Rules,
    SInt64Rules,
    UInt64Rules,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.plugins.envoy.harness import LOCAL_HOST, assembled, broad_ingresses

from kingress import (
    BackendService,
    ClusterIngress,
    EndpointAddress,
    ServicePort,
    TranslateContext,
    insert_probe,
)
from kingress.frozen import FrozenList, freeze
from kingress.testing import ingress, path, rule, split
from kingress_conformance.servers.certs import self_signed
from kingress_envoy.backend import EnvoyBackend
from kingress_envoy.binary import EnvoyNotFound, find_envoy
from kingress_envoy.names import ListenerName
from kingress_envoy.snapshot import EnvoySnapshot, TLSSecret
from kingress_envoy.wire import WireError, encode, message_class
from kingress_envoy.xds_files import render_bootstrap, render_listeners
from kingress_envoy.xds_server import TYPE_CLUSTER, TYPE_LISTENER, TYPE_ROUTE

Object = dict[str, Any]

BACKEND = EnvoyBackend()
CTX = TranslateContext(
    services={
        **{
            ("default", name): BackendService(
                namespace="default",
                name=name,
                ports=(
                    ServicePort(name="http", port=80),
                    ServicePort(name="http2", port=81, app_protocol="kubernetes.io/h2c"),
                ),
                endpoints=(
                    EndpointAddress(ip="127.0.0.1", port=9999),
                    EndpointAddress(ip="127.0.0.2", port=9998),
                ),
            )
            for name in ("a", "b", "c")
        },
        ("default", "ext"): BackendService(
            namespace="default", name="ext", type="ExternalName", external_name="example.org"
        ),
    }
)
TYPE_SCOPED = "type.googleapis.com/envoy.config.route.v3.ScopedRouteConfiguration"
TYPE_DELTA = "envoy.service.discovery.v3.DeltaDiscoveryResponse"
TYPE_BOOTSTRAP = "envoy.config.bootstrap.v3.Bootstrap"


def _config(ing: ClusterIngress) -> Object:
    return dict(BACKEND.translate(insert_probe(ing)[0], CTX).objects[0])


def _snapshot(secret: TLSSecret) -> EnvoySnapshot:
    external = ingress(
        "external", rules=[rule(["ext.example.com"], paths=[path(splits=[split("ext")])])]
    )
    return assembled([*broad_ingresses(), external], _config, secret)


def _listeners(snapshot: EnvoySnapshot, root: Path) -> list[Object]:
    ports = {ln: 20000 + i for i, ln in enumerate(ListenerName)}
    return render_listeners(snapshot.listeners, "127.0.0.1", ports)


SNAPSHOT = _snapshot(TLSSecret("CERT", "KEY"))
LISTENERS = _listeners(SNAPSHOT, Path("/xds"))

#: Hand-written resources for what the backend does not render (yet): retry and
#: hash policies, packed repeated scalars, Struct metadata, wrappers, enums by
#: number, ints as strings, WKTs inside Anys, a ScopedRouteConfiguration.
HAND_WRITTEN: list[tuple[str, str, Object]] = [
    (
        "route with retries, hashing, metadata",
        "envoy.config.route.v3.Route",
        {
            "name": "r",
            "match": {
                "safe_regex": {"regex": "^/a.*"},
                "runtime_fraction": {
                    "default_value": {"numerator": 50, "denominator": "TEN_THOUSAND"},
                    "runtime_key": "k",
                },
            },
            "route": {
                "cluster": "c",
                "retry_policy": {
                    "retry_on": "5xx,reset",
                    "num_retries": 3,
                    "per_try_timeout": "0.25s",
                    "retriable_status_codes": [503, 504, 70000],
                },
                "hash_policy": [
                    {"header": {"header_name": "x-user"}, "terminal": True},
                    {"connection_properties": {"source_ip": True}},
                ],
                "timeout": {"seconds": "5"},
                "priority": 1,
            },
            "metadata": {
                "filter_metadata": {
                    "kingress": {"n": 1.5, "s": "x", "b": False, "l": [1, "a", None, {"k": []}]}
                }
            },
            "typed_per_filter_config": {
                "envoy.filters.http.router": {
                    "@type": "type.googleapis.com/google.protobuf.Struct",
                    "value": {"a": 1},
                }
            },
            "request_headers_to_add": [
                {"header": {"key": "a", "raw_value": "AAEC/w=="}, "append_action": 2}
            ],
        },
    ),
    (
        "camelCase names",
        "envoy.config.cluster.v3.Cluster",
        {
            "name": "c",
            "connectTimeout": "1.5s",
            "type": "STRICT_DNS",
            "dnsLookupFamily": "V4_ONLY",
            "perConnectionBufferLimitBytes": 32768,
            "loadAssignment": {"clusterName": "c", "endpoints": [{"lbEndpoints": []}]},
        },
    ),
    (
        "scoped route configuration",
        TYPE_SCOPED,
        {
            "name": "scope",
            "route_configuration_name": "public_http/svc-00001",
            "key": {"fragments": [{"string_key": "svc-00001.example.com"}]},
            "on_demand": True,
        },
    ),
    *(
        (
            f"Any holding {kind}",
            "envoy.config.core.v3.TypedExtensionConfig",
            {"name": "t", "typed_config": {"@type": f"type.googleapis.com/{kind}", "value": value}},
        )
        for kind, value in [
            ("google.protobuf.Timestamp", "2026-01-02T03:04:05.5Z"),
            ("google.protobuf.Duration", "3.000000001s"),
            ("google.protobuf.UInt64Value", "18446744073709551615"),
            ("google.protobuf.BoolValue", True),
            ("google.protobuf.DoubleValue", 0.1),
            ("google.protobuf.StringValue", "s"),
            ("google.protobuf.ListValue", [1, "two", [], None]),
            ("google.protobuf.Any", {"@type": "type.googleapis.com/google.protobuf.Empty"}),
        ]
    ),
]


def _rows() -> list[tuple[str, str, Object]]:
    rendered = [
        *((f"listener {d['name']}", TYPE_LISTENER, d) for d in LISTENERS),
        *((f"cluster {d['name']}", TYPE_CLUSTER, d) for d in SNAPSHOT.clusters),
        *((f"route configuration {d['name']}", TYPE_ROUTE, d) for d in SNAPSHOT.route_configs),
        (
            "bootstrap",
            TYPE_BOOTSTRAP,
            render_bootstrap(
                node_id="n", admin_address="::1", admin_port=1, xds_address="::1", xds_port=2
            ),
        ),
    ]
    return rendered + HAND_WRITTEN


ROWS = _rows()


def test_rows_cover_what_the_backend_renders() -> None:
    """The table holds TLS chains, h2c and DNS clusters, weighted clusters and header mutations."""
    clusters = {d["name"]: d for d in SNAPSHOT.clusters}
    assert clusters["default/a:81"]["typed_extension_protocol_options"]
    assert clusters["default/ext:80"]["type"].endswith("_DNS")
    https = next(d for d in LISTENERS if d["name"] == ListenerName.PUBLIC_HTTPS.value)
    assert https["filter_chains"][0]["transport_socket"]["typed_config"]["common_tls_context"]
    routes = [
        r for rc in SNAPSHOT.route_configs for vh in rc["virtual_hosts"] for r in vh["routes"]
    ]
    weights = [
        [c["weight"] for c in r["route"]["weighted_clusters"]["clusters"]]
        for r in routes
        if "route" in r
    ]
    assert [80, 20] in weights
    assert any("redirect" in r for r in routes)
    assert any("request_headers_to_add" in r for r in routes)


@pytest.mark.parametrize(("type_url", "value"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS])
def test_betterproto2_reads_back_what_betterproto2_builds(type_url: str, value: Object) -> None:
    cls = message_class(type_url)
    data = encode(type_url, value)
    assert cls.parse(data).to_dict() == cls.from_dict(value).to_dict()
    assert encode(type_url, value) == data  # the same dict, the same bytes


@pytest.mark.parametrize(
    ("url", "value", "reference", "parse"),
    [
        ("google.protobuf.Duration", "3.000000001s", (3, 1), Duration.parse),
        ("google.protobuf.Duration", "-1.5s", (-1, -500_000_000), Duration.parse),
        ("google.protobuf.Duration", "0s", (0, 0), Duration.parse),
        ("google.protobuf.Duration", {"seconds": "-7", "nanos": -1}, (-7, -1), Duration.parse),
        ("google.protobuf.Timestamp", "1970-01-01T00:00:00Z", (0, 0), Timestamp.parse),
        (
            "google.protobuf.Timestamp",
            "2026-01-02T03:04:05.000000007Z",
            (1767323045, 7),
            Timestamp.parse,
        ),
        (
            "google.protobuf.Timestamp",
            "2026-01-02T04:04:05+01:00",
            (1767323045, 0),
            Timestamp.parse,
        ),
    ],
)
def test_durations_and_timestamps_keep_nanoseconds_and_signs(
    url: str, value: Any, reference: tuple[int, int], parse: Callable[[bytes], Any]
) -> None:
    """betterproto2 goes through ``timedelta``/``datetime`` (microseconds, no negative strings):
    these are checked on the raw seconds and nanos instead."""
    wrapped = encode("google.protobuf.Any", {"@type": f"type.googleapis.com/{url}", "value": value})
    parsed = parse(AnyMessage.parse(wrapped).value)
    assert (parsed.seconds, parsed.nanos) == reference


@pytest.mark.parametrize(
    ("spelling", "canonical"),
    [
        ({"name": "c", "type": 1}, {"name": "c", "type": "STRICT_DNS"}),
        ({"name": "c", "connectTimeout": "2s"}, {"name": "c", "connect_timeout": "2s"}),
        (
            {"name": "c", "per_connection_buffer_limit_bytes": "7"},
            {"name": "c", "per_connection_buffer_limit_bytes": 7},
        ),
        ({"name": "c", "metadata": None}, {"name": "c"}),
        ({"name": "", "respect_dns_ttl": False}, {}),
    ],
    ids=["enum number", "json name", "int as string", "null", "defaults"],
)
def test_equivalent_spellings_encode_alike(spelling: Object, canonical: Object) -> None:
    assert encode(TYPE_CLUSTER, spelling) == encode(TYPE_CLUSTER, canonical)


def test_frozen_objects_from_the_store_encode_like_plain_ones() -> None:
    """The store hands out ``FrozenDict``/``FrozenList`` (subclasses of dict and list)."""
    route_config = SNAPSHOT.route_config(ListenerName.PUBLIC_HTTPS)
    frozen = freeze(route_config)
    assert isinstance(frozen["virtual_hosts"], FrozenList)
    assert encode(TYPE_ROUTE, frozen) == encode(TYPE_ROUTE, route_config)


def test_bytes_are_raw_or_base64() -> None:
    url = "envoy.config.core.v3.DataSource"
    raw = encode(url, {"inline_bytes": b"\x00\x01\xff"})
    assert raw == encode(url, {"inline_bytes": "AAH/"}) == encode(url, {"inline_bytes": "AAH_"})
    assert raw == b"\x12\x03\x00\x01\xff"


def test_delta_response_embeds_pre_encoded_resources_as_they_are() -> None:
    """What the ADS server sends: resources wrapped as raw Anys, not encoded again."""
    cluster = SNAPSHOT.clusters[0]
    body = encode(TYPE_CLUSTER, cluster)
    message = {
        "system_version_info": "v7",
        "type_url": TYPE_CLUSTER,
        "nonce": "3",
        "resources": [
            {
                "name": cluster["name"],
                "version": "abc",
                "resource": {"type_url": TYPE_CLUSTER, "value": body},
            }
        ],
        "removed_resources": ["gone"],
    }
    data = encode(TYPE_DELTA, message)
    expected = DeltaDiscoveryResponse(
        system_version_info="v7",
        type_url=TYPE_CLUSTER,
        nonce="3",
        resources=[
            Resource(
                name=cluster["name"],
                version="abc",
                resource=AnyMessage(type_url=TYPE_CLUSTER, value=body),
            )
        ],
        removed_resources=["gone"],
    )
    assert DeltaDiscoveryResponse.parse(data) == expected
    assert body in data
    parsed = DeltaDiscoveryResponse.parse(data).resources[0].resource
    assert parsed is not None
    assert Cluster.parse(parsed.value) == Cluster.from_dict(cluster)


def test_plans_compiled_from_many_threads_at_once_agree() -> None:
    """A type no other test encodes, first used by eight threads together."""
    url = "envoy.config.overload.v3.OverloadManager"
    value = {
        "refresh_interval": "0.25s",
        "resource_monitors": [
            {"name": "m", "typed_config": {"@type": "type.googleapis.com/google.protobuf.Empty"}}
        ],
        "actions": [{"name": "a", "triggers": [{"name": "m", "threshold": {"value": 0.9}}]}],
    }
    results: list[bytes] = []
    barrier = threading.Barrier(8)

    def run() -> None:
        barrier.wait()
        results.append(encode(url, value))

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cls = message_class(url)
    assert len(set(results)) == 1
    assert cls.parse(results[0]).to_dict() == cls.from_dict(value).to_dict()


# -- scalars: every wire encoding, checked by betterproto2 --------------------------------

_INT32 = st.integers(-(2**31), 2**31 - 1)
_INT64 = st.integers(-(2**63), 2**63 - 1)
_FINITE = st.floats(allow_nan=False)


@pytest.mark.parametrize(
    ("rules", "values"),
    [
        (Int32Rules, _INT32),
        (Int64Rules, _INT64),
        (UInt64Rules, st.integers(0, 2**64 - 1)),
        (SInt32Rules, _INT32),
        (SInt64Rules, _INT64),
        (SFixed64Rules, _INT64),
        (DoubleRules, _FINITE),
        (
            FloatRules,
            st.floats(width=32, allow_nan=False, allow_infinity=False),
        ),
    ],
    ids=lambda p: getattr(p, "__name__", ""),
)
def test_scalars_and_packed_repeated_scalars(
    rules: type[Any], values: st.SearchStrategy[Any]
) -> None:
    """``validate.*Rules`` (protoc-gen-validate) have a scalar ``const`` and a packed ``in``."""
    url = f"validate.{rules.__name__}"

    @settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(const=values, members=st.lists(values, max_size=5), as_string=st.booleans())
    def check(const: Any, members: list[Any], as_string: bool) -> None:
        if as_string and isinstance(const, int):
            const = str(const)  # 64-bit integers in proto3 JSON
        parsed = rules.parse(encode(url, {"const": const, "in": members}))
        assert parsed.const == type(parsed.const)(const)
        assert list(parsed.in_) == members

    check()


# -- errors name their path ---------------------------------------------------------------


def _cluster(**changes: Any) -> Object:
    endpoint = {"address": {"socket_address": {"address": "127.0.0.1", "port_value": 80}}}
    return {
        "name": "c",
        "type": "STATIC",
        "load_assignment": {
            "cluster_name": "c",
            "endpoints": [
                {
                    "lb_endpoints": [
                        {"endpoint": endpoint},
                        {"endpoint": changes.pop("second", endpoint)},
                    ]
                }
            ],
        },
        **changes,
    }


def _listener(typed_config: Object) -> Object:
    return {
        "name": "l",
        "filter_chains": [{"filters": [{"name": "hcm", "typed_config": typed_config}]}],
    }


def _weighted(weight: Any) -> Object:
    clusters = {"clusters": [{"name": "a", "weight": weight}]}
    return {
        "virtual_hosts": [{"name": "v", "routes": [{"route": {"weighted_clusters": clusters}}]}]
    }


_ENDPOINT = "Cluster.load_assignment.endpoints[0].lb_endpoints[1].endpoint"
_FILTER = "Listener.filter_chains[0].filters[0].typed_config"
_HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3."
_NOPE = "type.googleapis.com/envoy.extensions.nope.v3.Nope"
_BIG_PORT = {"address": {"socket_address": {"address": "a", "port_value": 2**32}}}


@pytest.mark.parametrize(
    ("type_url", "value", "message"),
    [
        pytest.param(
            TYPE_CLUSTER,
            _cluster(second={"adress": {}}),
            f"{_ENDPOINT}: unknown field 'adress'",
            id="unknown field",
        ),
        pytest.param(
            TYPE_CLUSTER,
            _cluster(name=5),
            "Cluster.name: expected a string, got 5",
            id="wrong type",
        ),
        pytest.param(
            TYPE_CLUSTER,
            _cluster(type="STATICK"),
            "Cluster.type: unknown ClusterDiscoveryType value 'STATICK'",
            id="unknown enum name",
        ),
        pytest.param(
            TYPE_CLUSTER,
            _cluster(respect_dns_ttl="yes"),
            "Cluster.respect_dns_ttl: expected a boolean, got 'yes'",
            id="not a bool",
        ),
        pytest.param(
            TYPE_CLUSTER,
            _cluster(connect_timeout="5 s"),
            "Cluster.connect_timeout: invalid duration '5 s'",
            id="bad duration",
        ),
        pytest.param(
            TYPE_CLUSTER,
            _cluster(second=_BIG_PORT),
            f"{_ENDPOINT}.address.socket_address.port_value: 4294967296 is out of range for uint32",
            id="out of range",
        ),
        pytest.param(
            TYPE_CLUSTER,
            _cluster(load_assignment=[]),
            "Cluster.load_assignment: expected an object, got []",
            id="list for object",
        ),
        pytest.param(
            TYPE_CLUSTER,
            _cluster(cluster_type={"name": "x"}),
            "Cluster: 'type' and 'cluster_type' are both set",
            id="oneof twice",
        ),
        pytest.param(
            TYPE_LISTENER,
            _listener({"@type": _NOPE}),
            f"{_FILTER}: unknown type '{_NOPE}'",
            id="unknown Any type",
        ),
        pytest.param(
            TYPE_LISTENER,
            _listener({"@type": f"{_HCM}HttpConnectionManager", "stat_prefx": "x"}),
            f"{_FILTER}: unknown field 'stat_prefx'",
            id="unknown field in an Any",
        ),
        pytest.param(
            TYPE_ROUTE,
            _weighted("x"),
            "RouteConfiguration.virtual_hosts[0].routes[0].route.weighted_clusters.clusters[0]"
            ".weight: expected an integer, got 'x'",
            id="string for a wrapper",
        ),
        pytest.param(
            "envoy.config.nope.v3.Nope",
            {},
            "unknown type 'envoy.config.nope.v3.Nope'",
            id="no type",
        ),
    ],
)
def test_errors_name_the_path(type_url: str, value: Object, message: str) -> None:
    with pytest.raises(WireError) as caught:
        encode(type_url, value)
    assert str(caught.value).startswith(message), str(caught.value)
    assert isinstance(caught.value, ValueError)


# -- Envoy itself reads what we write -----------------------------------------------------


def _bootstrap(listeners: Sequence[Object], clusters: Sequence[Object]) -> Object:
    return {
        "node": {"id": "wire-test", "cluster": "kingress"},
        "static_resources": {"listeners": list(listeners), "clusters": list(clusters)},
    }


def _static(tmp_path: Path) -> Object:
    """Every listener of a broad snapshot (real TLS certificate) with its routes inlined."""
    cert, key = self_signed(["secure.example.com", "www.example.com", LOCAL_HOST])
    snapshot = _snapshot(TLSSecret(cert, key))
    listeners = _listeners(snapshot, tmp_path)
    routes = {rc["name"]: rc for rc in snapshot.route_configs}
    for listener in listeners:
        for chain in listener["filter_chains"]:
            hcm = chain["filters"][0]["typed_config"]
            del hcm["scoped_routes"]
            hcm["route_config"] = routes[listener["name"]]
    assert len(listeners) == 4
    return _bootstrap(listeners, snapshot.clusters)


def _validate(tmp_path: Path, bootstrap: Object) -> subprocess.CompletedProcess[bytes]:
    try:
        binary = find_envoy()
    except EnvoyNotFound as error:
        pytest.skip(str(error))
    config = tmp_path / "bootstrap.pb"  # Envoy reads a .pb file as a binary Bootstrap
    config.write_bytes(encode(TYPE_BOOTSTRAP, bootstrap))
    return subprocess.run(
        [str(binary), "--mode", "validate", "-c", str(config),
         "--disable-hot-restart", "--log-level", "error"],
        capture_output=True,
        check=False,
        timeout=60,
    )  # fmt: skip


def test_envoy_accepts_a_binary_bootstrap_of_our_resources(tmp_path: Path) -> None:
    done = _validate(tmp_path, _static(tmp_path))
    assert done.returncode == 0, done.stdout.decode()[-2000:] + done.stderr.decode()[-2000:]


def test_envoy_rejects_a_binary_bootstrap_with_an_undefined_enum(tmp_path: Path) -> None:
    """The same bootstrap with the HCM's ``codec_type`` set to a number Envoy does not define."""
    bootstrap = _static(tmp_path)
    bootstrap["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"][
        "codec_type"
    ] = 99
    done = _validate(tmp_path, bootstrap)
    output = done.stdout.decode() + done.stderr.decode()
    assert done.returncode != 0
    assert "codec_type" in output.lower() or "CodecType" in output, output[-2000:]
