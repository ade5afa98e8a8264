"""Parsing the Istio backend's config map: defaults, overrides and clear errors."""

from __future__ import annotations

import pytest

from kingress import TranslationError
from kingress_istio.config import ConfigError, GatewayRef, IstioConfig


def test_defaults_are_knatives_stock_istio_install() -> None:
    config = IstioConfig.default()
    assert config.external_gateway == GatewayRef(
        namespace="knative-serving", name="knative-ingress-gateway"
    )
    assert config.external_gateway.qualified == "knative-serving/knative-ingress-gateway"
    assert config.external_service == "istio-ingressgateway.istio-system.svc.cluster.local"
    assert config.external_selector == (("istio", "ingressgateway"),)
    assert config.local_gateway.qualified == "knative-serving/knative-local-gateway"
    assert config.local_service == "knative-local-gateway.istio-system.svc.cluster.local"
    assert config.credential_namespace == "istio-system"


def test_defaults_follow_the_cluster_domain() -> None:
    config = IstioConfig.from_data({}, "corp.internal")
    assert config.external_service.endswith(".svc.corp.internal")
    assert config.local_service.endswith(".svc.corp.internal")


def test_every_key_can_be_overridden() -> None:
    config = IstioConfig.from_data(
        {
            "external-gateway": "edge/public",
            "external-gateway-service": "public.edge.svc.cluster.local.",
            "external-gateway-selector": "app=public-gw,istio.io/rev=canary",
            "local-gateway": "edge/private",
            "local-gateway-service": "private.edge",
            "_example": "ignored, as in Knative's config maps",
        },
        "cluster.local",
    )
    assert config.external_gateway.qualified == "edge/public"
    assert config.external_service == "public.edge.svc.cluster.local"
    assert config.external_selector == (("app", "public-gw"), ("istio.io/rev", "canary"))
    assert config.local_gateway.qualified == "edge/private"
    assert config.local_service == "private.edge"
    assert config.credential_namespace == "edge"


def test_blank_values_take_the_default() -> None:
    assert IstioConfig.from_data({"external-gateway": "  "}, "cluster.local") == (
        IstioConfig.default()
    )


@pytest.mark.parametrize(
    ("data", "key", "message"),
    [
        pytest.param(
            {"external-gateway": "no-namespace"},
            "external-gateway",
            "<namespace>/<name>",
            id="gateway-no-slash",
        ),
        pytest.param(
            {"local-gateway": "ns/Bad_Name"}, "local-gateway", "DNS-1123", id="gateway-bad-name"
        ),
        pytest.param(
            {"external-gateway": "a/b/c"},
            "external-gateway",
            "<namespace>/<name>",
            id="gateway-two-slashes",
        ),
        pytest.param(
            {"external-gateway-service": "justaname"},
            "external-gateway-service",
            "Service DNS name",
            id="service-one-label",
        ),
        pytest.param(
            {"local-gateway-service": "a..b"},
            "local-gateway-service",
            "Service DNS name",
            id="service-empty-label",
        ),
        pytest.param(
            {"external-gateway-selector": "istio"},
            "external-gateway-selector",
            "label pair",
            id="selector-no-equals",
        ),
        pytest.param(
            {"external-gateway-selector": "a=1,a=2"},
            "external-gateway-selector",
            "given twice",
            id="selector-duplicate",
        ),
        pytest.param(
            {"external-gateway-selector": "=x"},
            "external-gateway-selector",
            "label pair",
            id="selector-empty-key",
        ),
        pytest.param(
            {"external-gateways": "- name: x"},
            "external-gateways",
            "net-istio",
            id="net-istio-list-key",
        ),
        pytest.param(
            {"gateway.knative-serving.knative-ingress-gateway": "x"},
            "gateway.knative-serving.knative-ingress-gateway",
            "net-istio",
            id="net-istio-old-key",
        ),
        pytest.param({"external-gatway": "a/b"}, "external-gatway", "unknown key", id="typo"),
    ],
)
def test_bad_values_are_errors_naming_the_key(data: dict[str, str], key: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        IstioConfig.from_data(data, "cluster.local")
    assert error.value.key == key
    assert message in str(error.value)
    assert f"{key!r}" in str(error.value)


def test_config_errors_are_translation_errors() -> None:
    assert issubclass(ConfigError, TranslationError)
    assert ConfigError("k", "m").reason == "InvalidConfiguration"
