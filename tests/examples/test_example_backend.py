"""The example third-party backend: found through its entry point, listed, and chosen by class.

It is its own distribution (examples/kingress-example-backend); ``./run test``
installs it. When it is not installed these tests fail, saying so — they never skip.
"""

from __future__ import annotations

import json
import re
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
import yaml

import kingress
from kingress.api.annotations import INGRESS_CLASS, INGRESS_LABEL
from kingress.backends import Backend
from kingress.cli.main import main
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind
from kingress.contract import check_backend
from kingress.controller.clock import FakeClock
from kingress.controller.ingress import CLUSTER_INGRESS, IngressReconciler
from kingress.controller.settle import settle
from kingress.plugin.manager import build_registry
from kingress.testing import ingress, path, rule, split

EXAMPLE = "example.ingress.networking.knative.dev"
INSTALL = "pip install -e examples/kingress-example-backend (./run test does it)"


def example() -> Backend:
    registry = build_registry()
    assert registry.claims(EXAMPLE), f"the example backend is not installed: {INSTALL}"
    return registry.for_class(EXAMPLE)


def hello(ingress_class: str | None = "example", name: str = "hello") -> dict[str, Any]:
    """Two rules, a header-matched path, a 0% split, a ClusterLocal host."""
    return ingress(
        name,
        ingress_class=ingress_class,
        rules=[
            rule(
                ["hello.example.com"],
                paths=[
                    path(splits=[split("hello-1", 100, headers={"K-Rev": "1"}), split("h2", 0)]),
                    path("/api", splits=[split("hello-2", port="http2")], match={"K-Tag": "t"}),
                ],
            ),
            rule(
                ["hello.default.svc.cluster.local"],
                paths=[path(splits=[split("hello-1")], headers={"K-Set": "yes"})],
                visibility=kingress.Visibility.CLUSTER_LOCAL,
            ),
        ],
    ).to_dict()


H2C_SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "hello-2", "namespace": "default"},
    "spec": {"ports": [{"name": "http2", "port": 81, "appProtocol": "kubernetes.io/h2c"}]},
}


def write(tmp_path: Path, *objects: object, name: str = "in.yaml") -> str:
    target = tmp_path / name
    target.write_text(yaml.safe_dump_all(objects))
    return str(target)


def translate(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["translate", *args]) == 0, capsys.readouterr().err
    return capsys.readouterr().out


def table(config_map: dict[str, Any]) -> list[list[str]]:
    return [re.split(r"\s{2,}", line) for line in config_map["data"]["routes"].splitlines()]


def test_it_is_discovered_through_its_entry_point() -> None:
    [point] = [ep for ep in entry_points(group="kingress") if ep.name == "example"]
    assert point.value == "kingress_example_backend.plugin"
    assert example().name == "example"
    [entry] = [e for e in build_registry().entries() if e.backend.name == "example"]
    assert (entry.distribution, entry.version) == ("kingress-example-backend", "0.1.0")


def test_kingress_plugins_lists_it(capsys: pytest.CaptureFixture[str]) -> None:
    example()
    assert main(["plugins"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "CLASSES", "FEATURES", "DISTRIBUTION", "VERSION"]
    assert ["example", EXAMPLE, "-", "kingress-example-backend", "0.1.0"] in [
        line.split() for line in lines
    ]
    assert main(["plugins", "-o", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {
        "name": "example",
        "classes": [EXAMPLE],
        "features": [],
        "distribution": "kingress-example-backend",
        "version": "0.1.0",
    } in rows


def test_kingress_translate_chooses_it_by_class(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example()
    out = translate(capsys, "-f", write(tmp_path, hello(), H2C_SERVICE))
    [config_map] = list(yaml.safe_load_all(out))
    assert config_map["metadata"] == {
        "name": "hello-routes",
        "namespace": "default",
        "labels": {INGRESS_LABEL: "hello"},
    }
    hash_ = kingress.compute_hash(kingress.ClusterIngress.from_dict(hello()))
    probe = {"match": "K-Network-Hash=override", "set": f"K-Network-Hash={hash_}"}
    hosts = ("hello.default", "hello.default.svc", "hello.default.svc.cluster.local")
    expected = [
        *EXTERNAL_ROUTES,
        *(line.replace("{host}", host) for host in hosts for line in LOCAL_ROUTES),
    ]
    assert table(config_map) == [line.format(**probe).split("|") for line in expected]


#: The example's table for ``hello()``, columns split by "|"; {match}/{set}: the probe's.
EXTERNAL_ROUTES = (
    "VISIBILITY|HOST|PATH|MATCH|SET|BACKEND|PROTOCOL|PERCENT|SPLIT-SET",
    "ExternalIP|hello.example.com|/api|{match},K-Tag=t|{set}|hello-2.default:http2|h2c|100%|-",
    "ExternalIP|hello.example.com|/api|K-Tag=t|-|hello-2.default:http2|h2c|100%|-",
    "ExternalIP|hello.example.com|/|{match}|{set}|hello-1.default:80|http|100%|K-Rev=1",
    "ExternalIP|hello.example.com|/|-|-|hello-1.default:80|http|100%|K-Rev=1",
)
LOCAL_ROUTES = (
    "ClusterLocal|{host}|/|{match}|{set},K-Set=yes|hello-1.default:80|http|100%|-",
    "ClusterLocal|{host}|/|-|K-Set=yes|hello-1.default:80|http|100%|-",
)


def test_translate_output_is_deterministic_and_sorted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example()
    docs = [hello(name="zeta"), H2C_SERVICE, hello(name="alpha")]
    first = translate(capsys, "-f", write(tmp_path, *docs))
    assert translate(capsys, "-f", write(tmp_path, *docs)) == first
    assert translate(capsys, "-f", write(tmp_path, *reversed(docs), name="rev.yaml")) == first
    names = [obj["metadata"]["name"] for obj in yaml.safe_load_all(first)]
    assert names == ["alpha-routes", "zeta-routes"]
    listing = json.loads(translate(capsys, "-f", write(tmp_path, *docs), "-o", "json"))
    assert listing["kind"] == "List"
    assert listing["items"] == list(yaml.safe_load_all(first))


def test_ingress_class_overrides_the_annotation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example()
    source = write(tmp_path, hello(ingress_class="istio"))
    out = translate(capsys, "-f", source, "--ingress-class", EXAMPLE)
    assert [obj["metadata"]["name"] for obj in yaml.safe_load_all(out)] == ["hello-routes"]


def config_example(**data: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "config-example", "namespace": "knative-serving"},
        "data": data,
    }


def test_a_translation_failure_exits_1_with_its_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example()
    source = write(tmp_path, hello(), config_example(colour="blue"))
    assert main(["translate", "-f", source]) == 1
    assert capsys.readouterr().err == (
        "kingress: error: ClusterIngress default/hello: TranslationFailed: config-example: "
        "unknown key(s) colour (known: public-gateway, private-gateway)\n"
    )


def test_the_controller_chooses_it_by_class() -> None:
    example()
    store = MemoryCluster()
    store.create(hello())
    store.create(hello(ingress_class="nobody.example.dev", name="not-mine"))
    store.create(config_example(**{"public-gateway": "gw.example.net"}))
    settle(store, [IngressReconciler(build_registry())], FakeClock())
    status = store.get(CLUSTER_INGRESS, "default", "hello")["status"]
    assert {c["type"]: c["status"] for c in status["conditions"]} == {
        "LoadBalancerReady": "True",
        "NetworkConfigured": "True",
        "Ready": "True",
    }
    assert status["publicLoadBalancer"] == {"ingress": [{"domainInternal": "gw.example.net"}]}
    [config_map] = store.list(Kind("", "ConfigMap"), "default")
    assert config_map["metadata"]["name"] == "hello-routes"
    other = store.get(CLUSTER_INGRESS, "default", "not-mine")
    assert "status" not in other
    assert other["metadata"]["annotations"] == {INGRESS_CLASS: "nobody.example.dev"}


def test_it_honours_the_backend_contract() -> None:
    translation = check_backend(example(), kingress.ClusterIngress.from_dict(hello()))
    assert [obj["kind"] for obj in translation.objects] == ["ConfigMap"]


def test_long_names_are_shortened_within_kubernetes_limits() -> None:
    backend = example()

    def routes_name(name: str) -> str:
        # The core refuses ingress names over 63 characters (they are label
        # values); the backend still keeps its own names within limits.
        obj = kingress.ClusterIngress.from_dict(hello(name=name))
        translation = backend.translate(obj, kingress.TranslateContext())
        return str(translation.objects[0]["metadata"]["name"])

    long = routes_name("a" * 250)
    assert (len(long), long[-7:]) == (253, "-routes")
    assert long != routes_name("a" * 249 + "b")
    assert routes_name("a" * 246) == "a" * 246 + "-routes"
