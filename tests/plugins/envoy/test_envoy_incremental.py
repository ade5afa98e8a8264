"""An update costs what changed: the incremental ``Assembler`` and ``XdsEncoder`` give exactly
what assembling and encoding everything gives, and do the work of the changed configs only."""

from __future__ import annotations

import random
from typing import Any

import pytest
from tests.plugins.envoy.test_envoy_assemble import CTX, SECRET, config, named

from kingress import BackendService, EndpointAddress, ServicePort, TranslateContext, insert_probe
from kingress.testing import ingress, path, rule, split, tls
from kingress_envoy import snapshot as snapshot_module
from kingress_envoy import wire
from kingress_envoy.backend import EnvoyBackend
from kingress_envoy.names import ListenerName
from kingress_envoy.snapshot import Assembler, TLSSecret, assemble
from kingress_envoy.xds_files import XdsEncoder, XdsState, scopes
from kingress_envoy.xds_server import LABELS, TYPE_CLUSTER, TYPE_ROUTE


def stored(obj: dict[str, Any], version: int, uid: str = "") -> dict[str, Any]:
    """``obj`` as a store returns it: with a uid and a resourceVersion."""
    meta = obj["metadata"]
    return {
        **obj,
        "metadata": {**meta, "uid": uid or meta["name"], "resourceVersion": str(version)},
    }


def world(seed: int) -> list[list[dict[str, Any]]]:
    """Successive sets of stored configs: created, changed, deleted, conflicting, with TLS."""
    rng = random.Random(seed)
    hosts = [f"h{i}.example.com" for i in range(6)]
    current: dict[str, dict[str, Any]] = {}
    states = []
    for version in range(1, 26):
        name = f"ing-{rng.randrange(8)}"
        action = rng.random()
        if action < 0.2 and current:
            current.pop(rng.choice(sorted(current)))
        else:
            extra = {"tls_entries": [tls([hosts[0]], "cert")]} if rng.random() < 0.2 else {}
            ing = named(name, rng.choice(hosts), rng.choice("abc"), **extra)
            created = f"2026-01-01T00:00:{rng.randrange(60):02d}Z"
            current[name] = stored(config(ing, created), version)
        states.append([current[key] for key in sorted(current)])
    return states


@pytest.mark.parametrize("seed", range(4))
def test_an_assembler_gives_what_assemble_gives(seed: int) -> None:
    assembler = Assembler()
    secrets = {"default/cert": SECRET}
    for configs in world(seed):
        assert assembler.assemble(configs, secrets) == assemble(configs, secrets)


def test_only_changed_configs_are_parsed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    original = snapshot_module._fragment

    def counting(obj: Any) -> Any:
        parsed.append(obj["metadata"]["name"])
        return original(obj)

    monkeypatch.setattr(snapshot_module, "_fragment", counting)
    configs = [stored(config(named(f"i{n}", f"h{n}.example.com")), 1) for n in range(3)]
    assembler = Assembler()
    assembler.assemble(configs)
    assert sorted(parsed) == ["i0", "i1", "i2"]
    parsed.clear()
    configs[1] = stored(config(named("i1", "h1.example.com", "b")), 2)
    snapshot = assembler.assemble(configs)
    assert parsed == ["i1"]
    assert snapshot == assemble(configs)
    # A status write changes the resourceVersion, not the spec: nothing to parse.
    parsed.clear()
    configs[0] = {**stored(configs[0], 3), "status": {"servedHash": "x"}}
    snapshot = assembler.assemble(configs)
    assert parsed == []
    assert snapshot == assemble(configs)
    # A config without a resourceVersion (not from a store) is parsed every time.
    parsed.clear()
    plain = config(named("p", "p.example.com"))
    assembler.assemble([*configs, plain])
    assembler.assemble([*configs, plain])
    assert parsed == ["p", "p"]


def test_the_version_follows_the_content_not_the_resource_version() -> None:
    first = [stored(config(named("i", "h.example.com")), 1)]
    same = [stored(config(named("i", "h.example.com")), 2)]
    changed = [stored(config(named("i", "h.example.com", "b")), 3)]
    assembler = Assembler()
    assert assembler.assemble(first).version == assembler.assemble(same).version
    assert assembler.assemble(changed).version != assembler.assemble(same).version
    with_tls = [
        stored(config(named("i", "h.example.com", tls_entries=[tls(["h.example.com"], "c")])), 4)
    ]
    one = assembler.assemble(with_tls, {"default/c": SECRET}).version
    other = assembler.assemble(with_tls, {"default/c": TLSSecret("CERT2", "KEY")}).version
    assert one != other


def split_config(name: str, percent: int, endpoint_port: int, created: str) -> dict[str, Any]:
    """An ingress splitting ``percent``/rest between services a and b, whose endpoints
    listen on ``endpoint_port`` (the clusters keep their names, their content changes)."""
    ctx = TranslateContext(
        services={
            **CTX.services,
            ("default", "b"): BackendService(
                namespace="default",
                name="b",
                ports=(ServicePort(port=80),),
                endpoints=(EndpointAddress(ip="127.0.0.1", port=endpoint_port),),
            ),
        }
    )
    splits = [split("a", percent), split("b", 100 - percent)]
    ing = ingress(name, rules=[rule([f"{name}.example.com"], paths=[path(splits=splits)])])
    ing = ing.model_copy(
        update={"metadata": ing.metadata.model_copy(update={"creation_timestamp": created})}
    )
    return dict(EnvoyBackend().translate(insert_probe(ing)[0], ctx).objects[0])


@pytest.mark.parametrize("seed", range(3))
def test_split_changes_patch_the_last_snapshot_into_a_fresh_one(
    seed: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only splits and cluster contents change (hosts and cluster names stay): no conflict
    walk, the last snapshot patched, and still exactly what assembling afresh gives, with
    every ingress sharing the clusters of a and b (the oldest one's are served)."""
    rng = random.Random(seed)
    names = [f"s{n}" for n in range(6)]
    created = {name: f"2026-01-01T00:00:{rng.randrange(60):02d}Z" for name in names}
    configs = [stored(split_config(n, 50, 9000, created[n]), 1) for n in names]
    assembler, encoder = Assembler(), XdsEncoder()
    ports = {ln: 20000 + i for i, ln in enumerate(ListenerName)}
    assembler.assemble(configs)
    decisions: list[int] = []
    patched: list[bool] = []
    decide, patch = snapshot_module._decide, snapshot_module._patch

    def deciding(*args: Any) -> Any:
        decisions.append(1)
        return decide(*args)

    def patching(*args: Any) -> Any:
        layout = patch(*args)
        patched.append(layout is not None)
        return layout

    monkeypatch.setattr(snapshot_module, "_decide", deciding)
    monkeypatch.setattr(snapshot_module, "_patch", patching)
    for version in range(2, 30):
        for place in rng.sample(range(len(names)), rng.randrange(1, 3)):
            percent, port = rng.choice((0, 20, 50, 80, 100)), rng.choice((9000, 9001))
            configs[place] = stored(
                split_config(names[place], percent, port, created[names[place]]), version
            )
        snapshot = assembler.assemble(configs)
        assert snapshot == assemble(configs)
        state = encoder.state(snapshot, "127.0.0.1", ports)
        assert _contents(state) == _contents(XdsEncoder().state(snapshot, "127.0.0.1", ports))
    assert len(decisions) == 28  # the fresh assemblies only
    assert any(patched), "no assembly patched the last snapshot"


def _contents(state: XdsState) -> dict[str, dict[str, tuple[str, bytes]]]:
    return {
        LABELS[t]: {name: (r.version, r.framed) for name, r in state.of(t).items()} for t in LABELS
    }


def test_the_encoder_encodes_what_changed_only(monkeypatch: pytest.MonkeyPatch) -> None:
    configs = [stored(config(named(f"i{n}", f"h{n}.example.com")), 1) for n in range(4)]
    ports = {ln: 20000 + i for i, ln in enumerate(ListenerName)}
    assembler = Assembler()
    encoder = XdsEncoder()
    encoded: list[tuple[str, Any]] = []
    original = wire.encode

    def counting(type_url: str, value: Any) -> bytes:
        encoded.append((type_url, value))
        return original(type_url, value)

    def check() -> XdsState:
        snapshot = assembler.assemble(configs)
        with monkeypatch.context() as patch:
            patch.setattr(wire, "encode", counting)
            state = encoder.state(snapshot, "127.0.0.1", ports)
        # The same resources as encoding everything afresh.
        assert _contents(state) == _contents(XdsEncoder().state(snapshot, "127.0.0.1", ports))
        return state

    first = check()
    assert len(first.scopes) == len(first.routes) == 8  # four hosts on two listeners
    encoded.clear()
    configs[2] = stored(config(named("i2", "h2.example.com", "b")), 2)
    second = check()
    # The new cluster and the two route configurations of h2 (public and private): not the
    # other hosts', nor the scopes and listeners (the same content).
    assert sorted(type_url for type_url, _ in encoded) == [TYPE_CLUSTER, TYPE_ROUTE, TYPE_ROUTE]
    routes = [value for type_url, value in encoded if type_url == TYPE_ROUTE]
    assert all(v["virtual_hosts"][0]["domains"][0] == "h2.example.com" for v in routes)
    changed = {n for n, r in second.routes.items() if first.routes.get(n) is not r}
    assert len(changed) == 2


@pytest.mark.parametrize("seed", range(4))
def test_an_encoder_gives_what_encoding_afresh_gives(seed: int) -> None:
    """Over configs created, changed, deleted, conflicting and with TLS, one after another."""
    ports = {ln: 20000 + i for i, ln in enumerate(ListenerName)}
    assembler = Assembler()
    encoder = XdsEncoder()
    secrets = {"default/cert": SECRET}
    previous = None
    for configs in world(seed):
        snapshot = assembler.assemble(configs, secrets)
        state = encoder.state(snapshot, "127.0.0.1", ports)
        assert _contents(state) == _contents(XdsEncoder().state(snapshot, "127.0.0.1", ports))
        expected = {(ln.value, host) for ln, host in scopes(snapshot)}
        assert {tuple(name.split("/", 1)) for name in state.scopes} == expected
        assert state.base is previous
        previous = state
        # Its delta turns the state it was rendered from into it.
        if state.base is not None:
            for type_url in LABELS:
                upserts, removals = state.delta[type_url]
                moved = {**state.base.of(type_url), **{r.name: r for r in upserts}}
                for name in removals:
                    del moved[name]
                assert moved == state.of(type_url)


def test_hosts_that_differ_by_port_share_a_scope() -> None:
    ports = {ln: 20000 + i for i, ln in enumerate(ListenerName)}
    assembler = Assembler()
    encoder = XdsEncoder()
    configs = [
        stored(config(named("plain", "p.example.com", "a")), 1),
        stored(config(named("port", "p.example.com:8080", "b")), 1),
    ]
    for change in range(3):
        snapshot = assembler.assemble(configs)
        state = encoder.state(snapshot, "127.0.0.1", ports)
        assert _contents(state) == _contents(XdsEncoder().state(snapshot, "127.0.0.1", ports))
        # One scope per listener for the host, its route configuration holding both.
        assert sorted(state.scopes) == ["private_http/p.example.com", "public_http/p.example.com"]
        assert len(state.routes) == 2
        service = "cb"[change % 2]
        configs[1] = stored(config(named("port", "p.example.com:8080", service)), change + 2)


def test_a_change_of_routes_only_keeps_the_conflict_decision(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    decisions: list[int] = []
    original = snapshot_module._decide
    assembler = Assembler()

    def counting(*args: Any) -> Any:
        decisions.append(1)
        return original(*args)

    def assembled(configs: list[dict[str, Any]]) -> tuple[Any, int]:
        expected = assemble(configs)
        decisions.clear()
        with monkeypatch.context() as patch:
            patch.setattr(snapshot_module, "_decide", counting)
            snapshot = assembler.assemble(configs)
        assert snapshot == expected
        return snapshot, len(decisions)

    first = "2026-01-01T00:00:01Z"
    configs = [
        stored(config(named("old", "x.example.com", "a"), first), 1),
        stored(config(named("new", "x.example.com", "b")), 1),  # loses x.example.com
        stored(config(named("other", "y.example.com", "a")), 1),
    ]
    assert assembled(configs)[1] == 1
    # The served ones' routes change, their hosts do not: the same decision, new routes.
    configs[0] = stored(config(named("old", "x.example.com", "c"), first), 2)
    configs[2] = stored(config(named("other", "y.example.com", "b")), 2)
    assert assembled(configs)[1] == 0
    # The one left out changes: decided again (it could now fit).
    configs[1] = stored(config(named("new", "z.example.com", "b")), 2)
    snapshot, decided = assembled(configs)
    assert decided == 1
    assert snapshot.served.keys() == {"default/old", "default/new", "default/other"}
