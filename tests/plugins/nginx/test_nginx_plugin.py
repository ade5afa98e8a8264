"""Discovery through the entry point, purity and determinism, config parsing, readiness."""

from __future__ import annotations

import copy
import random
from typing import Any

import pytest

from kingress import (
    ALL_FEATURES,
    Backend,
    ClusterIngress,
    Feature,
    IngressClass,
    TranslateContext,
    TranslationError,
    Visibility,
)
from kingress.plugin.manager import build_plugin_manager, build_registry
from kingress_nginx import IngressNginxBackend, NginxBackend
from kingress_nginx.config import NGINX_DEFAULTS, parse_config


@pytest.mark.parametrize(
    ("ingress_class", "kind", "name"),
    [
        pytest.param(IngressClass.NGINX, NginxBackend, "nginx", id="nginx"),
        pytest.param(
            IngressClass.INGRESS_NGINX, IngressNginxBackend, "ingress-nginx", id="ingress-nginx"
        ),
    ],
)
def test_discovered_through_entry_point(ingress_class: str, kind: type[Any], name: str) -> None:
    backend = build_registry(blocked=()).for_class(str(ingress_class))
    assert isinstance(backend, kind)
    assert isinstance(backend, Backend)
    assert backend.name == name
    assert backend.ingress_classes == frozenset({str(ingress_class)})


def test_each_backend_has_its_own_entry_point() -> None:
    manager = build_plugin_manager(blocked=())
    for name in ("nginx", "ingress-nginx"):
        assert manager.get_plugin(name) is not None, name
    only_nginx = build_registry(blocked=("ingress-nginx",)).classes()
    assert str(IngressClass.NGINX) in only_nginx
    assert str(IngressClass.INGRESS_NGINX) not in only_nginx
    only_legacy = build_registry(blocked=("nginx",)).classes()
    assert str(IngressClass.INGRESS_NGINX) in only_legacy
    assert str(IngressClass.NGINX) not in only_legacy


def test_features_are_honest_subsets() -> None:
    nginx, legacy = NginxBackend().features, IngressNginxBackend().features
    assert nginx <= ALL_FEATURES
    assert legacy <= nginx
    assert not {Feature.H2C, Feature.GRPC, Feature.UPDATE} & nginx
    assert (
        not {
            Feature.MULTI_WAY_SPLIT,
            Feature.MULTIPLE_HEADER_MATCH,
            Feature.PRE_SPLIT_HEADERS,
            Feature.POST_SPLIT_HEADERS,
            Feature.PROBE,
            Feature.HTTP_OPTION,
        }
        & legacy
    )


def _shuffled(ingress: ClusterIngress, seed: int) -> ClusterIngress:
    """The same ingress rebuilt from a wire dict whose every mapping has a new key order."""
    rng = random.Random(seed)

    def shuffle(node: Any) -> Any:
        if isinstance(node, dict):
            items = list(node.items())
            rng.shuffle(items)
            return {k: shuffle(v) for k, v in items}
        if isinstance(node, list):
            return [shuffle(item) for item in node]
        return node

    return ClusterIngress.from_dict(shuffle(ingress.to_dict()))


BACKENDS = [
    pytest.param(NginxBackend(), id="nginx"),
    pytest.param(IngressNginxBackend(), id="ingress-nginx"),
]


@pytest.mark.parametrize("backend", BACKENDS)
def test_deterministic(backend: Any, expressible_case: Any, context: TranslateContext) -> None:
    first = backend.translate(expressible_case.ingress, context)
    snapshot = copy.deepcopy(first.objects)
    assert backend.translate(expressible_case.ingress, context) == first
    for seed in range(3):
        assert backend.translate(_shuffled(expressible_case.ingress, seed), context) == first
    assert first.objects == snapshot


def test_deterministic_for_everything_nginx_can_do(corpus_case: Any, context: Any) -> None:
    first = NginxBackend().translate(corpus_case.ingress, context)
    assert NginxBackend().translate(_shuffled(corpus_case.ingress, 7), context) == first


def test_objects_are_namespaced_and_sorted(corpus_case: Any, context: Any) -> None:
    objects = NginxBackend().translate(corpus_case.ingress, context).objects
    assert [o["metadata"]["name"] for o in objects] == sorted(
        o["metadata"]["name"] for o in objects
    )
    assert {o["metadata"]["namespace"] for o in objects} == {"default"}
    names = [(o["kind"], o["metadata"]["name"]) for o in objects]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param({"ingress-class": "Bad Class"}, "'ingress-class'", id="bad-class"),
        pytest.param({"internal-ingress-class": "nginx"}, "must differ", id="same-classes"),
        pytest.param({"proxy-timeout": "forever"}, "'proxy-timeout'", id="bad-timeout"),
        pytest.param({"proxy-timeout": "0"}, "'proxy-timeout'", id="zero-timeout"),
        pytest.param({"public-load-balancer": "a b"}, "'public-load-balancer'", id="bad-lb"),
    ],
)
def test_config_errors(data: dict[str, str], message: str) -> None:
    with pytest.raises(TranslationError) as raised:
        parse_config(data, cluster_domain="cluster.local", defaults=NGINX_DEFAULTS)
    assert message in str(raised.value)
    assert raised.value.reason == "InvalidConfig"


def test_config_defaults_and_unknown_keys() -> None:
    config = parse_config(
        {"_example": "ignored", "proxy-timeout": "120s"},
        cluster_domain="corp.local",
        defaults=NGINX_DEFAULTS,
    )
    assert config.ingress_class == "nginx"
    assert config.class_for(Visibility.CLUSTER_LOCAL) == "nginx-internal"
    assert config.proxy_timeout == 120
    assert config.public_load_balancer == "nginx-ingress.nginx-ingress.svc.corp.local"


def vs(name: str, state: str | None = None, message: str = "") -> dict[str, Any]:
    obj: dict[str, Any] = {"kind": "VirtualServer", "metadata": {"name": name}, "spec": {}}
    if state is not None:
        obj["status"] = {"state": state, "reason": "AddedOrUpdated", "message": message}
    return obj


@pytest.mark.parametrize(
    ("applied", "ready", "reason", "message"),
    [
        pytest.param([vs("a", "Valid"), vs("b", "Valid")], True, "", "", id="all-valid"),
        pytest.param(
            [vs("a", "Valid"), vs("b")], None, "Uninitialized", "VirtualServer b", id="no-status"
        ),
        pytest.param(
            [vs("a", "Warning", "gRPC cannot be configured"), vs("b", "Valid")],
            None,
            "VirtualServerWarning",
            "VirtualServer a has a warning: gRPC cannot be configured",
            id="warning",
        ),
        pytest.param(
            [vs("a", "Warning"), vs("b", "Invalid", "spec.host: Required value")],
            False,
            "VirtualServerInvalid",
            "VirtualServer b is invalid: spec.host: Required value",
            id="invalid-wins",
        ),
        pytest.param([], None, "Uninitialized", "No VirtualServer", id="nothing-applied"),
    ],
)
def test_virtual_server_readiness(
    applied: list[dict[str, Any]], ready: bool | None, reason: str, message: str
) -> None:
    readiness = NginxBackend().check_ready(ClusterIngress(), applied)
    assert readiness.ready is ready
    assert readiness.reason == reason
    assert message in readiness.message


def ing(name: str, addresses: list[dict[str, str]] | None) -> dict[str, Any]:
    obj: dict[str, Any] = {"kind": "Ingress", "metadata": {"name": name}, "spec": {}}
    if addresses is not None:
        obj["status"] = {"loadBalancer": {"ingress": addresses}}
    return obj


@pytest.mark.parametrize(
    ("applied", "ready"),
    [
        pytest.param(
            [ing("a", [{"ip": "10.0.0.1"}]), ing("b", [{"hostname": "lb"}])], True, id="all"
        ),
        pytest.param([ing("a", [{"ip": "10.0.0.1"}]), ing("b", [])], None, id="one-missing"),
        pytest.param([ing("a", None)], None, id="no-status"),
        pytest.param(
            [ing("a", [{"ip": "10.0.0.1"}]), {"kind": "Service", "metadata": {"name": "s"}}],
            True,
            id="services-ignored",
        ),
        pytest.param([], None, id="nothing"),
    ],
)
def test_ingress_readiness(applied: list[dict[str, Any]], ready: bool | None) -> None:
    assert IngressNginxBackend().check_ready(ClusterIngress(), applied).ready is ready
