"""The configuration maps: Knative's defaults, legacy keys, and clear errors."""

from __future__ import annotations

import pytest

from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind
from kingress.config import ConfigError
from kingress.config.domain import DEFAULT_DOMAIN, parse_domain
from kingress.config.features import Flag, parse_features
from kingress.config.network import HTTPProtocol, NetworkConfig, parse_network
from kingress.config.store import (
    RouteConfig,
    RouteConfigLoader,
    is_route_config_map,
    load_route_config,
)
from kingress.config.templates import TemplateError, parse_template
from tests.route.builders import config_map, seed

DOMAIN_FIELDS = frozenset({"Name", "Namespace", "Domain"})
MAPS = frozenset({"Annotations", "Labels"})


# --- templates ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "want"),
    [
        pytest.param("{{.Name}}.{{.Namespace}}.{{.Domain}}", "r.ns.example.com", id="default"),
        pytest.param("{{ .Name }}-x.{{.Domain}}", "r-x.example.com", id="spaces"),
        pytest.param('{{index .Annotations "team"}}.{{.Domain}}', "blue.example.com", id="index"),
        pytest.param("{{index .Labels `app`}}.{{.Domain}}", "web.example.com", id="raw-string-key"),
        pytest.param('{{index .Labels "missing"}}x', "x", id="missing-key-is-empty"),
        pytest.param("{{.Name}}   {{- .Namespace}}", "rns", id="trim-left"),
        pytest.param("{{.Name -}}   .{{.Domain}}", "r.example.com", id="trim-right"),
        pytest.param("plain.text", "plain.text", id="no-actions"),
    ],
)
def test_template_renders(source: str, want: str) -> None:
    template = parse_template(source, fields=DOMAIN_FIELDS, maps=MAPS)
    rendered = template.render(
        {"Name": "r", "Namespace": "ns", "Domain": "example.com"},
        {"Annotations": {"team": "blue"}, "Labels": {"app": "web"}},
    )
    assert rendered == want


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        pytest.param("{{.Tag}}", "unknown field .Tag in {{.Tag}}", id="unknown-field"),
        pytest.param('{{index .Secrets "x"}}', "unknown map .Secrets", id="unknown-map"),
        pytest.param('{{printf "%s" .Name}}', "unsupported template action", id="function-call"),
        pytest.param("{{.Name | upper}}", "unsupported template action", id="pipeline"),
        pytest.param("{{.Name", "unclosed action", id="unclosed"),
        pytest.param('{{index .Labels "\\x41"}}', "bad string", id="bad-escape"),
    ],
)
def test_template_rejects_what_it_does_not_support(source: str, fragment: str) -> None:
    with pytest.raises(TemplateError) as caught:
        parse_template(source, fields=DOMAIN_FIELDS, maps=MAPS)
    assert fragment in str(caught.value)
    if "unsupported" in fragment or "unknown" in fragment:
        assert "{{.Domain}}, {{.Name}}, {{.Namespace}}" in str(caught.value)


# --- config-network ----------------------------------------------------------------------


def test_network_defaults() -> None:
    network = parse_network(None)
    assert network == parse_network({})
    assert network.ingress_class == "istio.ingress.networking.knative.dev"
    assert network.domain_template.source == "{{.Name}}.{{.Namespace}}.{{.Domain}}"
    assert network.tag_template.source == "{{.Tag}}-{{.Name}}"
    assert network.http_protocol is HTTPProtocol.ENABLED
    assert network.rollout_duration == 0
    assert network.cluster_domain == "cluster.local"
    assert network.cluster_local_domain == "svc.cluster.local"
    assert network.default_external_scheme == "http"
    assert NetworkConfig().ingress_class == network.ingress_class


def test_network_values_and_legacy_keys() -> None:
    network = parse_network(
        {
            "ingress.class": "istio",
            "ingress-class": "contour",
            "domainTemplate": "{{.Name}}.legacy.{{.Domain}}",
            "tagTemplate": "{{.Name}}--{{.Tag}}",
            "httpProtocol": "Redirected",
            "rolloutDuration": "120",
            "cluster-domain": "corp.internal.",
            "defaultExternalScheme": "HTTPS",
        }
    )
    assert network.ingress_class == "contour.ingress.networking.knative.dev", "new key wins"
    assert network.domain_template.source == "{{.Name}}.legacy.{{.Domain}}"
    assert network.tag_template.render({"Name": "r", "Tag": "t"}) == "r--t"
    assert network.http_protocol is HTTPProtocol.REDIRECTED
    assert network.rollout_duration == 120
    assert network.cluster_domain == "corp.internal"
    assert network.default_external_scheme == "https"
    assert parse_network({"http-protocol": "disabled"}).http_protocol is HTTPProtocol.DISABLED


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            {"domain-template": "{{.Name}}/path.{{.Domain}}"},
            "config-network: domain-template: domain template has url path: /path.baz.com",
            id="template-with-path",
        ),
        pytest.param(
            {"domain-template": '{{index .Labels "x"}}'},
            "config-network: domain-template: empty hostname",
            id="template-empty-host",
        ),
        pytest.param(
            {"domain-template": "{{.Tag}}.{{.Domain}}"},
            "config-network: domain-template: unknown field .Tag in {{.Tag}}; this template "
            'supports {{.Domain}}, {{.Name}}, {{.Namespace}}, {{index .Annotations "key"}}, '
            '{{index .Labels "key"}}',
            id="domain-template-field",
        ),
        pytest.param(
            {"tag-template": "{{.Namespace}}-{{.Tag}}"},
            "config-network: tag-template: unknown field .Namespace in {{.Namespace}}; "
            "this template supports {{.Name}}, {{.Tag}}",
            id="tag-template-field",
        ),
        pytest.param(
            {"http-protocol": "sometimes"},
            "config-network: http-protocol: httpProtocol sometimes in config-network "
            "ConfigMap is not supported",
            id="http-protocol",
        ),
        pytest.param(
            {"rollout-duration": "-5"},
            "config-network: rollout-duration: rollout-duration must be a positive integer, "
            "but was -5",
            id="negative-rollout",
        ),
        pytest.param(
            {"rollout-duration": "5m"},
            "config-network: rollout-duration: '5m' is not a whole number of seconds",
            id="rollout-not-seconds",
        ),
        pytest.param(
            {"cluster-domain": "Not_A_Domain"},
            "config-network: cluster-domain: 'Not_A_Domain' is not a DNS name",
            id="cluster-domain",
        ),
        pytest.param(
            {"default-external-scheme": "ftp"},
            "config-network: default-external-scheme: 'ftp' is not http or https",
            id="scheme",
        ),
    ],
)
def test_network_errors(data: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_network(data)
    assert str(caught.value).startswith(message)
    assert caught.value.config_map == "config-network"


# --- config-domain -----------------------------------------------------------------------


def test_domain_default_is_example_com() -> None:
    domain = parse_domain(None)
    assert domain.lookup({}, "cluster.local") == DEFAULT_DOMAIN == "example.com"
    assert parse_domain({"_example": "ignored"}).lookup({}, "cluster.local") == "example.com"


@pytest.mark.parametrize(
    ("labels", "want"),
    [
        pytest.param({}, "default.dev", id="no-labels"),
        pytest.param({"app": "web"}, "web.dev", id="one-label"),
        pytest.param({"app": "web", "env": "prod"}, "prod-web.dev", id="most-specific-wins"),
        pytest.param({"env": "prod"}, "a-prod.dev", id="tie-lexicographically-smaller"),
        pytest.param(
            {"networking.knative.dev/visibility": "cluster-local", "app": "web"},
            "svc.corp.local",
            id="cluster-local-label",
        ),
    ],
)
def test_domain_selection(labels: dict[str, str], want: str) -> None:
    domain = parse_domain(
        {
            "default.dev": "",
            "web.dev": "selector:\n  app: web\n",
            "prod-web.dev": "selector:\n  app: web\n  env: prod\n",
            "b-prod.dev": "selector:\n  env: prod\n",
            "a-prod.dev": "selector:\n  env: prod\n",
        }
    )
    assert domain.lookup(labels, "corp.local") == want


def test_domain_without_default_entry_adds_example_com() -> None:
    domain = parse_domain({"web.dev": "selector:\n  app: web\n"})
    assert domain.lookup({"app": "other"}, "cluster.local") == "example.com"
    assert domain.lookup({"app": "web"}, "cluster.local") == "web.dev"


def test_domain_selector_values_are_strings() -> None:
    domain = parse_domain({"v2.dev": "selector:\n  version: 2\n  canary: true\n", "x.dev": ""})
    assert domain.lookup({"version": "2", "canary": "true"}, "cluster.local") == "v2.dev"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param({"Bad_Domain": ""}, "config-domain: Bad_Domain: not a DNS domain", id="key"),
        pytest.param({"a.dev": "selector: ["}, "config-domain: a.dev: not valid YAML", id="yaml"),
        pytest.param(
            {"a.dev": "labels:\n  app: x\n"},
            'config-domain: a.dev: expected "selector: {label: value, ...}" or an empty value',
            id="unknown-field",
        ),
        pytest.param(
            {"a.dev": "selector: [app]\n"},
            "config-domain: a.dev: selector must map label names to values",
            id="selector-not-a-map",
        ),
    ],
)
def test_domain_errors(data: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_domain(data)
    assert str(caught.value).startswith(message)


# --- config-features ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "flag", "enabled"),
    [
        pytest.param(None, Flag.DISABLED, False, id="default"),
        pytest.param({"tag-header-based-routing": "enabled"}, Flag.ENABLED, True, id="enabled"),
        pytest.param({"tag-header-based-routing": "Allowed"}, Flag.ALLOWED, False, id="allowed"),
        pytest.param({"tag-header-based-routing": "DISABLED"}, Flag.DISABLED, False, id="disabled"),
        pytest.param(
            {"features.tag-header-based-routing": "Enabled"}, Flag.ENABLED, True, id="prefixed-key"
        ),
    ],
)
def test_features(data: dict[str, str] | None, flag: Flag, enabled: bool) -> None:
    features = parse_features(data)
    assert features.tag_header_based_routing is flag
    assert features.tag_header_routing_enabled is enabled


def test_features_error() -> None:
    with pytest.raises(
        ConfigError, match=r"config-features: tag-header-based-routing: 'on' is not"
    ):
        parse_features({"tag-header-based-routing": "on"})


# --- loading from the cluster ------------------------------------------------------------------


def test_load_route_config_reads_knative_serving_maps() -> None:
    store = MemoryCluster()
    assert load_route_config(store) == RouteConfig()
    seed(
        store,
        [
            config_map("config-network", {"ingress-class": "envoy"}),
            config_map("config-domain", {"kingress.dev": ""}),
            config_map("config-features", {"tag-header-based-routing": "Enabled"}),
        ],
    )
    config = load_route_config(store)
    assert config.network.ingress_class == "envoy.ingress.networking.knative.dev"
    assert config.domain.lookup({}, "cluster.local") == "kingress.dev"
    assert config.features.tag_header_routing_enabled
    assert is_route_config_map(config_map("config-domain", {}))
    assert not is_route_config_map(config_map("config-defaults", {}))
    assert not is_route_config_map({"metadata": "oops"})


def test_route_config_loader_parses_again_only_what_changed() -> None:
    store = MemoryCluster()
    loader = RouteConfigLoader()
    assert loader.load(store) is loader.load(store)
    assert loader.load(store) == RouteConfig()
    seed(store, [config_map("config-network", {"ingress-class": "envoy"})])
    first = loader.load(store)
    assert first.network.ingress_class == "envoy.ingress.networking.knative.dev"
    assert loader.load(store) is first
    network = store.get(Kind("", "ConfigMap"), "knative-serving", "config-network")
    store.update({**network, "data": {"ingress-class": "contour"}})
    assert loader.load(store).network.ingress_class == "contour.ingress.networking.knative.dev"
    store.delete(Kind("", "ConfigMap"), "knative-serving", "config-network")
    assert loader.load(store) == RouteConfig()


def test_route_config_loader_never_remembers_a_bad_value() -> None:
    store = MemoryCluster()
    loader = RouteConfigLoader()
    seed(store, [config_map("config-network", {"http-protocol": "sometimes"})])
    for _ in range(2):
        with pytest.raises(ConfigError):
            loader.load(store)
