"""An update costs what changed: the incremental ``Assembler`` and ``XdsEncoder`` give exactly
what assembling and encoding everything gives, and do the work of the changed configs only."""

from __future__ import annotations

import random
from typing import Any

import pytest
from tests.plugins.envoy.test_envoy_assemble import SECRET, config, named

from kingress.testing import tls
from kingress_envoy import snapshot as snapshot_module
from kingress_envoy import xds_files
from kingress_envoy.names import ListenerName
from kingress_envoy.snapshot import Assembler, TLSSecret, assemble
from kingress_envoy.xds_files import (
    TYPE_CLUSTER,
    TYPE_ROUTE,
    XdsEncoder,
    discovery_response,
    encode,
)


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


def test_the_encoder_writes_what_encode_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    configs = [stored(config(named(f"i{n}", f"h{n}.example.com")), 1) for n in range(4)]
    assembler = Assembler()
    encoder = XdsEncoder()
    encoded: list[object] = []
    original = xds_files.encode

    def counting(document: Any) -> bytes:
        encoded.append(document)
        return original(document)

    monkeypatch.setattr(xds_files, "encode", counting)

    def check(version: str) -> None:
        snapshot = assembler.assemble(configs)
        for listener in ListenerName:
            route_config = snapshot.route_config(listener)
            expected = encode(discovery_response(version, TYPE_ROUTE, [route_config]))
            assert encoder.route(version, route_config) == expected
        expected = encode(discovery_response(version, TYPE_CLUSTER, snapshot.clusters))
        assert encoder.clusters(version, snapshot.clusters) == expected

    check("v1")
    encoded.clear()
    configs[2] = stored(config(named("i2", "h2.example.com", "b")), 2)
    check('v"2')
    # Shells (one per route configuration) and the changed config's virtual hosts
    # and cluster: not the others'.
    vhosts = [doc for doc in encoded if isinstance(doc, dict) and "domains" in doc]
    assert vhosts and all("h2.example.com" in doc["domains"] for doc in vhosts)
    encoder.retain([])
    check("v3")
