"""The ClusterIngress a Route reconcile writes: rules, splits, tags, headers, metadata.

Each case reconciles a Route over ready Configurations/Revisions and compares
the whole stored ClusterIngress spec with one built from ``kingress.testing``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest

from kingress.api.annotations import (
    HTTP_PROTOCOL,
    HTTP_PROTOCOL_ALT,
    INGRESS_CLASS,
    INGRESS_CLASS_ALT,
    LAST_APPLIED,
    ROLLOUT_ANNOTATION,
    ROUTE_LABEL,
    ROUTE_NAMESPACE_LABEL,
    TAG_TO_HOST_ANNOTATION,
)
from kingress.api.ingress import (
    HTTPIngressPath,
    IngressBackendSplit,
    IngressRule,
    IngressSpec,
    Visibility,
)
from kingress.cluster.port import Object
from kingress.headers import DEFAULT_ROUTE_HEADER, TAG_HEADER
from kingress.route.resources.placeholder import SERVICE
from kingress.testing import path, rule, split
from tests.route.builders import (
    NS,
    World,
    config_map,
    config_target,
    configuration,
    h2c,
    latest_ready,
    of_configuration,
    ready,
    revision,
    revision_target,
    route,
    seed,
    service,
    with_annotations,
    with_label_map,
    with_spec,
    with_traffic,
)


def rev_split(name: str, percent: int, port: int | str = 80) -> IngressBackendSplit:
    return split(
        name,
        percent,
        port=port,
        headers={"Knative-Serving-Revision": name, "Knative-Serving-Namespace": NS},
    )


def local(host: str) -> tuple[str, ...]:
    return (host, f"{host}.svc", f"{host}.svc.cluster.local")


def rules_for(
    name: str, paths: Sequence[HTTPIngressPath], *, external: str | None = None
) -> list[IngressRule]:
    """A group's ClusterLocal rule and (with ``external``) its ExternalIP rule."""
    result = [rule(local(f"{name}.{NS}"), paths=paths, visibility=Visibility.CLUSTER_LOCAL)]
    if external is not None:
        result.append(rule([external], paths=paths))
    return result


def world_with(*objects: Object) -> World:
    world = World()
    seed(
        world.store,
        [
            configuration(NS, "a", latest_ready("a-2")),
            revision(NS, "a-1", of_configuration("a"), ready),
            revision(NS, "a-2", of_configuration("a"), ready),
            configuration(NS, "b", latest_ready("b-1")),
            revision(NS, "b-1", of_configuration("b"), ready),
            *objects,
        ],
    )
    world.reconcile()
    return world


def test_splits_merge_and_leave_out_zero_percent() -> None:
    world = world_with(
        route(
            NS,
            "r",
            with_traffic(
                config_target("a", 30),
                revision_target("a-2", 20),
                revision_target("a-1", 50),
                config_target("b", 0),
            ),
        )
    )
    paths = [path(splits=[rev_split("a-2", 50), rev_split("a-1", 50)])]
    assert world.ingress().spec == IngressSpec(
        rules=tuple(rules_for("r", paths, external="r.default.example.com")),
        http_option="Enabled",
    )
    traffic = [
        (t.revision_name, t.percent, t.latest_revision) for t in world.route().status.traffic
    ]
    assert traffic == [("a-2", 30, True), ("a-2", 20, False), ("a-1", 50, False), ("b-1", 0, True)]


def test_same_revision_and_tag_entries_merge_in_status() -> None:
    world = world_with(
        route(NS, "r", with_traffic(revision_target("a-1", 40), revision_target("a-1", 60)))
    )
    assert [(t.revision_name, t.percent) for t in world.route().status.traffic] == [("a-1", 100)]


def test_tags_get_their_own_host_and_a_lone_revision_gets_all_of_it() -> None:
    world = world_with(
        route(
            NS,
            "r",
            with_traffic(
                config_target("a", 90, tag="current"),
                revision_target("b-1", 10, tag="candidate"),
                config_target("a", 0, tag="latest"),
            ),
        )
    )
    default = [path(splits=[rev_split("a-2", 90), rev_split("b-1", 10)])]
    candidate = [path(splits=[rev_split("b-1", 100)])]
    current = [path(splits=[rev_split("a-2", 100)])]
    latest = [path(splits=[rev_split("a-2", 100)])]
    assert world.ingress().spec.rules == (
        *rules_for("r", default, external="r.default.example.com"),
        *rules_for("candidate-r", candidate, external="candidate-r.default.example.com"),
        *rules_for("current-r", current, external="current-r.default.example.com"),
        *rules_for("latest-r", latest, external="latest-r.default.example.com"),
    )
    status = {t.tag: (t.revision_name, t.percent, t.url) for t in world.route().status.traffic}
    assert status == {
        "current": ("a-2", 90, "http://current-r.default.example.com"),
        "candidate": ("b-1", 10, "http://candidate-r.default.example.com"),
        "latest": ("a-2", 0, "http://latest-r.default.example.com"),
    }
    tag_to_host = json.loads(world.ingress().metadata.annotations[TAG_TO_HOST_ANNOTATION])
    assert tag_to_host["candidate"] == sorted(
        [*local("candidate-r.default"), "candidate-r.default.example.com"]
    )
    assert sorted(tag_to_host) == ["candidate", "current", "latest"]
    services = sorted(s["metadata"]["name"] for s in world.store.list(SERVICE, NS))
    assert services == ["candidate-r", "current-r", "latest-r", "r"]


def test_tag_header_routing() -> None:
    world = world_with(
        config_map("config-features", {"tag-header-based-routing": "enabled"}),
        route(
            NS, "r", with_traffic(config_target("a", 100), revision_target("b-1", 0, tag="blue"))
        ),
    )
    default = [
        path(splits=[rev_split("b-1", 100)], match={TAG_HEADER: "blue"}),
        path(splits=[rev_split("a-2", 100)], headers={DEFAULT_ROUTE_HEADER: "true"}),
    ]
    blue = [path(splits=[rev_split("b-1", 100)], headers={TAG_HEADER: "blue"})]
    assert world.ingress().spec.rules == (
        *rules_for("r", default, external="r.default.example.com"),
        *rules_for("blue-r", blue, external="blue-r.default.example.com"),
    )


def test_no_tag_to_host_annotation_without_tags() -> None:
    world = world_with(route(NS, "r", with_traffic(config_target("a", 100))))
    assert TAG_TO_HOST_ANNOTATION not in world.ingress().metadata.annotations


def test_metadata_labels_and_annotations() -> None:
    world = world_with(
        route(
            NS,
            "r",
            with_traffic(config_target("a", 100)),
            with_label_map({"app": "x"}),
            with_annotations({LAST_APPLIED: "{}", INGRESS_CLASS_ALT: "contour", "team": "blue"}),
        )
    )
    meta = world.ingress().metadata
    assert meta.labels == {"app": "x", ROUTE_LABEL: "r", ROUTE_NAMESPACE_LABEL: NS}
    assert set(meta.annotations) == {INGRESS_CLASS, ROLLOUT_ANNOTATION, "team"}
    assert meta.annotations[INGRESS_CLASS] == "contour.ingress.networking.knative.dev"
    assert meta.is_controlled_by(world.route().metadata.uid)


@pytest.mark.parametrize(
    ("annotations", "config", "want"),
    [
        pytest.param({}, {}, "Enabled", id="default-enabled"),
        pytest.param({}, {"http-protocol": "Redirected"}, "Redirected", id="config-redirected"),
        pytest.param({}, {"http-protocol": "disabled"}, "", id="config-disabled-deprecated"),
        pytest.param({HTTP_PROTOCOL: "redirected"}, {}, "Redirected", id="annotation"),
        pytest.param(
            {HTTP_PROTOCOL_ALT: "Enabled"},
            {"http-protocol": "redirected"},
            "Enabled",
            id="alt-annotation-wins",
        ),
    ],
)
def test_http_option(annotations: dict[str, str], config: dict[str, str], want: str) -> None:
    world = world_with(
        config_map("config-network", config),
        route(NS, "r", with_traffic(config_target("a", 100)), with_annotations(annotations)),
    )
    assert world.ingress().spec.http_option == want


def test_h2c_revision_splits_to_its_services_http2_port() -> None:
    world = world_with(
        configuration(NS, "g", latest_ready("g-1")),
        revision(NS, "g-1", of_configuration("g"), h2c, ready),
        service(
            NS,
            "g-1",
            with_spec(ports=[{"name": "http2", "port": 81, "appProtocol": "kubernetes.io/h2c"}]),
        ),
        route(NS, "r", with_traffic(config_target("g", 100))),
    )
    splits = world.ingress().spec.rules[0].http.paths[0].splits  # type: ignore[union-attr]
    assert [s.service_port for s in splits] == [81]


def test_revision_without_a_service_yet_splits_to_port_80() -> None:
    world = world_with(
        configuration(NS, "g", latest_ready("g-1")),
        revision(NS, "g-1", of_configuration("g"), h2c, ready),
        route(NS, "r", with_traffic(config_target("g", 100))),
    )
    splits = world.ingress().spec.rules[0].http.paths[0].splits  # type: ignore[union-attr]
    assert [s.service_port for s in splits] == [80]
