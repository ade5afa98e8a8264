"""Assembling every ingress's fragments into one Envoy snapshot (pure), and Envoy's own verdict."""

from __future__ import annotations

import base64
import json
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.plugins.envoy.harness import assembled, broad_ingresses

from kingress import (
    BackendService,
    ClusterIngress,
    EndpointAddress,
    ServicePort,
    TranslateContext,
    Visibility,
    insert_probe,
)
from kingress.testing import ingress, path, rule, split, tls
from kingress_envoy.backend import EnvoyBackend
from kingress_envoy.binary import EnvoyNotFound, find_envoy
from kingress_envoy.names import ListenerName
from kingress_envoy.snapshot import EnvoySnapshot, SecretError, TLSSecret, assemble, empty_snapshot
from kingress_envoy.summary import describe_snapshot
from kingress_envoy.xds_files import render_listeners, route_configuration, scoped_route, scopes

BACKEND = EnvoyBackend()
CTX = TranslateContext(
    services={
        ("default", name): BackendService(
            namespace="default",
            name=name,
            ports=(ServicePort(port=80), ServicePort(name="http2", port=81)),
            endpoints=(EndpointAddress(ip="127.0.0.1", port=9999),),
        )
        for name in ("a", "b", "c")
    }
)
SECRET = TLSSecret("CERT", "KEY")


def config(ing: ClusterIngress, created: str = "") -> dict[str, Any]:
    if created:
        ing = ing.model_copy(
            update={"metadata": ing.metadata.model_copy(update={"creation_timestamp": created})}
        )
    return dict(BACKEND.translate(insert_probe(ing)[0], CTX).objects[0])


def named(name: str, host: str, service: str = "a", **kwargs: Any) -> ClusterIngress:
    return ingress(name, rules=[rule([host], paths=[path(splits=[split(service)])])], **kwargs)


def domains(snapshot: EnvoySnapshot, listener: ListenerName) -> list[str]:
    return [
        d for vh in snapshot.route_config(listener)["virtual_hosts"] for d in vh["domains"][::2]
    ]


def test_empty_snapshot_has_http_listeners_only() -> None:
    snapshot = empty_snapshot()
    assert [p.name for p in snapshot.listeners] == [
        ListenerName.PUBLIC_HTTP,
        ListenerName.PRIVATE_HTTP,
    ]
    assert [rc["name"] for rc in snapshot.route_configs] == [ln.value for ln in ListenerName]
    assert all(rc["virtual_hosts"] == [] for rc in snapshot.route_configs)
    assert snapshot.clusters == ()
    assert snapshot.served == {}


def test_merges_ingresses_and_shares_clusters() -> None:
    one, two = config(named("one", "one.example.com")), config(named("two", "two.example.com"))
    snapshot = assemble([one, two])
    assert domains(snapshot, ListenerName.PUBLIC_HTTP) == ["one.example.com", "two.example.com"]
    assert [c["name"] for c in snapshot.clusters] == ["default/a:80"]
    assert snapshot.served == {
        "default/one": one["spec"]["probeHash"],
        "default/two": two["spec"]["probeHash"],
    }
    assert snapshot.problems == ()


def test_deterministic_whatever_the_input_order() -> None:
    configs = [config(named(f"ing{i}", f"h{i}.example.com", "abc"[i % 3])) for i in range(12)]
    first = assemble(configs)
    for seed in range(5):
        shuffled = list(configs)
        random.Random(seed).shuffle(shuffled)
        again = assemble(shuffled)
        assert again == first
        assert again.version == first.version


def test_version_changes_with_content_only() -> None:
    base = assemble([config(named("one", "one.example.com"))])
    assert assemble([config(named("one", "one.example.com"))]).version == base.version
    assert assemble([config(named("one", "one.example.com", "b"))]).version != base.version


@pytest.mark.parametrize(
    ("older", "newer"),
    [
        pytest.param("2024-01-01T00:00:00Z", "2025-01-01T00:00:00Z", id="by-creation-time"),
        pytest.param("", "", id="by-name-when-no-time"),
    ],
)
def test_host_conflict_oldest_wins(older: str, newer: str) -> None:
    first = config(named("alpha", "same.example.com", "a"), older)
    second = config(named("beta", "same.example.com", "b"), newer)
    for order in ([first, second], [second, first]):
        snapshot = assemble(order)
        assert list(snapshot.served) == ["default/alpha"]
        (problem,) = snapshot.problems
        assert problem.ingress == "default/beta"
        assert problem.reason == "DomainConflict"
        assert "same.example.com" in problem.message
        assert "default/alpha" in problem.message
        assert problem.hash == second["spec"]["probeHash"]
        # The loser's clusters are not served either.
        assert [c["name"] for c in snapshot.clusters] == ["default/a:80"]


def test_newer_timestamp_loses_even_if_name_sorts_first() -> None:
    old = config(named("zeta", "same.example.com"), "2020-01-01T00:00:00Z")
    new = config(named("alpha", "same.example.com"), "2021-01-01T00:00:00Z")
    assert list(assemble([new, old]).served) == ["default/zeta"]


def test_tls_chains_resolve_secrets() -> None:
    ing = named("secure", "secure.example.com", tls_entries=[tls(["secure.example.com"], "cert")])
    snapshot = assemble([config(ing)], {"default/cert": SECRET})
    plan = snapshot.listener(ListenerName.PUBLIC_HTTPS)
    assert plan is not None
    (chain,) = plan.chains
    assert chain.server_names == ("secure.example.com",)
    assert chain.tls == SECRET
    assert snapshot.listener(ListenerName.PRIVATE_HTTPS) is None
    assert domains(snapshot, ListenerName.PUBLIC_HTTPS) == ["secure.example.com"]
    # A new certificate is a new version.
    other = assemble([config(ing)], {"default/cert": TLSSecret("CERT2", "KEY")})
    assert other.version != snapshot.version


def test_missing_secret_leaves_the_ingress_out() -> None:
    ing = named("secure", "secure.example.com", tls_entries=[tls(["secure.example.com"], "cert")])
    snapshot = assemble([config(ing), config(named("plain", "plain.example.com"))])
    assert list(snapshot.served) == ["default/plain"]
    (problem,) = snapshot.problems
    assert (problem.ingress, problem.reason) == ("default/secure", "TLSSecretMissing")
    assert "default/cert" in problem.message


def test_same_sni_conflicts() -> None:
    """Two catch-all TLS entries (no hosts) cannot share the public HTTPS listener."""
    one = named("one", "one.example.com", tls_entries=[tls([], "c1")])
    two = named("two", "two.example.com", tls_entries=[tls([], "c2")])
    snapshot = assemble(
        [config(one, "2020-01-01T00:00:00Z"), config(two, "2021-01-01T00:00:00Z")],
        {"default/c1": SECRET, "default/c2": SECRET},
    )
    assert list(snapshot.served) == ["default/one"]
    assert "TLS server name ''" in snapshot.problems[0].message


def test_other_kinds_are_ignored_and_broken_configs_reported() -> None:
    broken = config(named("broken", "b.example.com"))
    del broken["spec"]["probeHash"]
    snapshot = assemble([{"apiVersion": "v1", "kind": "Service"}, broken])
    assert snapshot.served == {}
    assert [p.reason for p in snapshot.problems] == ["InvalidConfig"]


def test_secret_from_kubernetes_secret() -> None:
    encoded = {
        k: base64.b64encode(v.encode()).decode()
        for k, v in {"tls.crt": "C", "tls.key": "K"}.items()
    }
    assert TLSSecret.from_secret({"data": encoded}) == TLSSecret("C", "K")
    assert TLSSecret.from_secret({"stringData": {"tls.crt": "C", "tls.key": "K"}}) == TLSSecret(
        "C", "K"
    )
    with pytest.raises(SecretError, match=r"has no 'tls\.key'"):
        TLSSecret.from_secret({"stringData": {"tls.crt": "C"}})
    with pytest.raises(SecretError, match="not base64"):
        TLSSecret.from_secret({"data": {"tls.crt": "!!", "tls.key": "!!"}})


# -- Envoy itself validates everything assemble can produce ---------------------------


def _self_signed(tmp_path: Path) -> TLSSecret:
    cert, key = tmp_path / "tls.crt", tmp_path / "tls.key"
    done = subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
            "-nodes", "-days", "1", "-subj", "/CN=secure.example.com",
            "-keyout", str(key), "-out", str(cert),
        ],
        capture_output=True,
        check=False,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"openssl could not make a test certificate: {done.stderr.decode()[:200]}")
    return TLSSecret(cert.read_text(), key.read_text())


def test_envoy_accepts_what_assemble_produces(tmp_path: Path) -> None:
    """Schema sanity with Envoy's own protos: ``envoy --mode validate`` on a static bootstrap
    (the scopes inline, with their route configurations)."""
    try:
        binary = find_envoy()
    except EnvoyNotFound as error:
        pytest.skip(str(error))
    snapshot = assembled(broad_ingresses(), config, _self_signed(tmp_path))
    ports = {ln: 20000 + i for i, ln in enumerate(ListenerName)}
    listeners = render_listeners(snapshot.listeners, "127.0.0.1", ports)
    scoped = scopes(snapshot)
    for listener in listeners:
        name = ListenerName(listener["name"])
        inline = [
            {
                **scoped_route(name, host, f"r{i}"),
                "route_configuration": route_configuration(f"r{i}", vhosts),
            }
            for i, ((ln, host), vhosts) in enumerate(scoped.items())
            if ln is name
        ]
        for route in inline:
            del route["route_configuration_name"]
        for chain in listener["filter_chains"]:
            routes = chain["filters"][0]["typed_config"]["scoped_routes"]
            del routes["scoped_rds"]
            routes["scoped_route_configurations_list"] = {"scoped_route_configurations": inline}
    bootstrap = {"static_resources": {"listeners": listeners, "clusters": list(snapshot.clusters)}}
    assert len(listeners) == 4
    path_ = tmp_path / "validate.json"
    path_.write_text(json.dumps(bootstrap))
    done = subprocess.run(
        [str(binary), "--mode", "validate", "-c", str(path_), "--reject-unknown-dynamic-fields",
         "--disable-hot-restart", "--log-level", "error"],
        capture_output=True,
        check=False,
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout.decode()[-2000:] + done.stderr.decode()[-2000:]


def test_describe_lists_routes_without_probes_then_clusters() -> None:
    split_ingress = ingress(
        "hello",
        rules=[
            rule(
                ["hello.example.com"],
                paths=[path(splits=[split("a", 60), split("b", 40)])],
            ),
            rule(
                ["hello.default", "hello.default.svc"],
                paths=[path(splits=[split("a")])],
                visibility=Visibility.CLUSTER_LOCAL,
            ),
        ],
    )
    lines = describe_snapshot(assemble([config(split_ingress)]))
    assert lines == [
        "public_http   hello.example.com/ → 60% default/a:80, 40% default/b:80",
        "private_http  hello.example.com/ → 60% default/a:80, 40% default/b:80",
        "private_http  hello.default (+1 more)/ → 100% default/a:80",
        "cluster       default/a:80 → 127.0.0.1:9999",
        "cluster       default/b:80 → 127.0.0.1:9999",
    ]
    assert describe_snapshot(empty_snapshot()) == []
