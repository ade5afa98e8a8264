"""Parsing ``config-contour``: defaults, both forms of the visibility keys, bad values."""

from __future__ import annotations

import pytest

from kingress import Visibility
from kingress_contour.config import ConfigError, ContourConfig, Gateway, ServiceRef

VISIBILITY_YAML = """
ExternalIP:
  class: ext
  service: gw-ext/envoy-public
ClusterLocal:
  class: int
  service: gw-int/envoy-private
"""


def gw(cls: str, ns: str, name: str) -> Gateway:
    return Gateway(ingress_class=cls, service=ServiceRef(namespace=ns, name=name))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        pytest.param(
            {},
            ContourConfig(
                external=gw("contour-external", "contour-external", "envoy"),
                internal=gw("contour-internal", "contour-internal", "envoy"),
                idle_timeout="infinity",
            ),
            id="defaults",
        ),
        pytest.param(
            {"_example": "ignored", "unrelated-key": "ignored"},
            ContourConfig(),
            id="unknown-keys-ignored",
        ),
        pytest.param(
            {
                "external-class": "public",
                "internal-class": "private",
                "external-service": "ns1/pub",
                "internal-service": "ns2/priv",
                "timeout-policy-idle": "1h30m",
                "timeout-policy-response": "infinity",
            },
            ContourConfig(
                external=gw("public", "ns1", "pub"),
                internal=gw("private", "ns2", "priv"),
                idle_timeout="1h30m",
            ),
            id="flat-keys",
        ),
        pytest.param(
            {"visibility": VISIBILITY_YAML},
            ContourConfig(
                external=gw("ext", "gw-ext", "envoy-public"),
                internal=gw("int", "gw-int", "envoy-private"),
            ),
            id="net-contour-visibility-yaml",
        ),
    ],
)
def test_parse(data: dict[str, str], expected: ContourConfig) -> None:
    assert ContourConfig.from_mapping(data) == expected


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            {"timeout-policy-idle": "forever"},
            "timeout-policy-idle: 'forever' is not a duration",
            id="bad-idle",
        ),
        pytest.param(
            {"timeout-policy-response": "15s"},
            "timeout-policy-response: '15s' is not supported",
            id="response-timeout",
        ),
        pytest.param(
            {"external-service": "envoy"},
            "external-service: 'envoy' is not a Service reference 'namespace/name'",
            id="service-without-namespace",
        ),
        pytest.param(
            {"internal-service": "Bad_NS/envoy"},
            "internal-service: 'Bad_NS/envoy'",
            id="service-bad-namespace",
        ),
        pytest.param({"external-class": " "}, "external-class: '' is not", id="empty-class"),
        pytest.param(
            {"visibility": VISIBILITY_YAML, "external-class": "x"},
            "visibility: cannot be combined with external-class",
            id="both-forms",
        ),
        pytest.param({"visibility": "[unclosed"}, "visibility: not valid YAML", id="bad-yaml"),
        pytest.param({"visibility": "- a list"}, "visibility: must map", id="not-a-map"),
        pytest.param(
            {"visibility": "ExternalIP: {class: a, service: a/b}"},
            "visibility.ClusterLocal: must be given with 'class' and 'service'",
            id="missing-visibility",
        ),
        pytest.param(
            {"visibility": VISIBILITY_YAML + "Elsewhere: {class: a, service: a/b}\n"},
            "visibility: unrecognized visibility 'Elsewhere'",
            id="unknown-visibility",
        ),
        pytest.param(
            {"visibility": VISIBILITY_YAML.replace("gw-int/envoy-private", "nope")},
            "visibility.ClusterLocal.service: 'nope'",
            id="visibility-bad-service",
        ),
    ],
)
def test_errors(data: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        ContourConfig.from_mapping(data)
    assert message in str(caught.value)


def test_gateway_by_visibility_and_domain() -> None:
    config = ContourConfig()
    assert config.gateway(Visibility.EXTERNAL_IP).ingress_class == "contour-external"
    assert config.gateway(Visibility.CLUSTER_LOCAL).ingress_class == "contour-internal"
    assert config.internal.service.domain("corp.local") == "envoy.contour-internal.svc.corp.local"
