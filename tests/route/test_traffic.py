"""Pure traffic resolution, domains and per-Route settings, without a cluster."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from kingress.api.annotations import (
    HTTP_PROTOCOL,
    INGRESS_CLASS,
    INGRESS_CLASS_ALT,
    ROLLOUT_DURATION,
    ROLLOUT_DURATION_ALT,
)
from kingress.api.ingress import Visibility
from kingress.api.meta import ObjectMeta
from kingress.api.serving import Configuration, Revision, Route
from kingress.api.serving_defaults import set_route_defaults
from kingress.config.network import parse_network
from kingress.config.store import RouteConfig
from kingress.route.domains import DomainError, domain_name, domains_for_visibility, fqdn_problem
from kingress.route.settings import (
    HTTPProtocolError,
    http_option_for,
    ingress_class_for,
    rollout_duration_for,
)
from kingress.route.traffic import ProtocolType, RevisionTarget, resolve_traffic
from tests.route.builders import (
    NS,
    config_target,
    configuration,
    h2c,
    latest_ready,
    of_configuration,
    ready,
    revision,
    revision_target,
    route,
    with_traffic,
)


@dataclass
class Objects:
    """A TargetLookup over plain dicts."""

    configurations: dict[str, Configuration] = field(default_factory=dict)
    revisions: dict[str, Revision] = field(default_factory=dict)

    def configuration(self, name: str) -> Configuration | None:
        return self.configurations.get(name)

    def revision(self, name: str) -> Revision | None:
        return self.revisions.get(name)


def objects() -> Objects:
    found = Objects()
    for name, rev in (("a", "a-2"), ("b", "b-1")):
        cfg = configuration(NS, name, latest_ready(rev))
        cfg["metadata"]["generation"] = 1
        found.configurations[name] = Configuration.from_dict(cfg)
    for name, cfg_name, *options in (("a-1", "a"), ("a-2", "a"), ("b-1", "b", h2c)):
        obj = revision(NS, name, of_configuration(cfg_name), *options, ready)
        obj["metadata"]["generation"] = 1
        found.revisions[name] = Revision.from_dict(obj)
    return found


def resolve(*targets: dict[str, object]) -> Route:
    return set_route_defaults(Route.from_dict(route(NS, "r", with_traffic(*targets))))


def test_groups_and_flattened_targets() -> None:
    result = resolve_traffic(
        resolve(
            config_target("a", 50, tag="stable"),
            revision_target("a-2", 20),
            revision_target("b-1", 30, tag="next"),
        ),
        objects(),
    )
    assert result.error is None and result.config is not None
    traffic = result.config
    assert traffic.group_names == ("", "next", "stable")
    assert traffic.tags == ("next", "stable")
    assert [(t.revision_name, t.percent) for t in traffic.groups[""]] == [("a-2", 70), ("b-1", 30)]
    assert traffic.groups["next"] == (
        RevisionTarget("next", "b-1", "b", False, 100, ProtocolType.H2C),
    )
    assert traffic.groups["stable"][0].percent == 100
    assert [(t.tag, t.revision_name, t.percent) for t in traffic.revision_targets] == [
        ("stable", "a-2", 50),
        ("", "a-2", 20),
        ("next", "b-1", 30),
    ]
    assert result.configurations == {"a", "b"}
    assert result.revisions == {"a-2", "b-1"}


def test_missing_targets_are_all_recorded() -> None:
    result = resolve_traffic(resolve(config_target("x", 50), revision_target("y-1", 50)), objects())
    assert result.config is None and result.error is not None
    assert result.error.reason == "RevisionMissing", "the later failure wins"
    assert result.configurations == {"x"}
    assert result.revisions == {"y-1"}


# --- domains ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        pytest.param("r.default.example.com", None, id="valid"),
        pytest.param("r.default.example.com.", None, id="trailing-dot"),
        pytest.param("", "url: Required value", id="empty"),
        pytest.param(
            "localhost",
            'url: Invalid value: "localhost": should be a domain with at least two segments '
            "separated by dots",
            id="one-label",
        ),
        pytest.param(
            f"{'x' * 64}.example.com",
            f'url: Invalid value: "{"x" * 64}": must be no more than 63 characters',
            id="long-label",
        ),
    ],
)
def test_fqdn_problems(name: str, problem: str | None) -> None:
    assert fqdn_problem(name) == problem


def test_domain_name_error_names_the_host() -> None:
    meta = ObjectMeta(name="x" * 64, namespace=NS)
    with pytest.raises(DomainError) as caught:
        domain_name(RouteConfig(), meta, meta.name, cluster_local=False)
    assert str(caught.value) == (
        f'invalid domain name "{"x" * 64}.default.example.com": url: Invalid value: '
        f'"{"x" * 64}": must be no more than 63 characters'
    )


def test_cluster_local_domains_use_the_default_template_and_short_forms() -> None:
    config = RouteConfig(network=parse_network({"domain-template": "{{.Name}}.{{.Domain}}"}))
    meta = ObjectMeta(name="r", namespace=NS)
    assert domains_for_visibility(config, meta, "", Visibility.EXTERNAL_IP) == ("r.example.com",)
    assert domains_for_visibility(config, meta, "t", Visibility.CLUSTER_LOCAL) == (
        "t-r.default",
        "t-r.default.svc",
        "t-r.default.svc.cluster.local",
    )


# --- settings ----------------------------------------------------------------------------------


def test_settings_from_annotations() -> None:
    network = parse_network({"ingress-class": "contour", "rollout-duration": "30"})
    assert ingress_class_for({}, network) == "contour.ingress.networking.knative.dev"
    assert ingress_class_for({INGRESS_CLASS_ALT: "nginx"}, network).startswith("nginx.")
    assert ingress_class_for(
        {INGRESS_CLASS: "envoy", INGRESS_CLASS_ALT: "nginx"}, network
    ).startswith("envoy.")
    assert http_option_for({HTTP_PROTOCOL: "REDIRECTED"}, network) == "Redirected"
    with pytest.raises(HTTPProtocolError, match=r"^incorrect http-protocol annotation: disabled$"):
        http_option_for({HTTP_PROTOCOL: "Disabled"}, network)
    assert rollout_duration_for({}, network) == 30
    assert rollout_duration_for({ROLLOUT_DURATION: "2m"}, network) == 120
    assert rollout_duration_for({ROLLOUT_DURATION_ALT: "90s"}, network) == 90
    assert rollout_duration_for({ROLLOUT_DURATION: "0s"}, network) == 30, "0 falls back"
    assert rollout_duration_for({ROLLOUT_DURATION: "soon"}, network) == 30
