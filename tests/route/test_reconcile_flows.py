"""Route reconcile flows over several steps: visibility, classes, placeholder Services."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kingress.api.annotations import INGRESS_CLASS, INGRESS_CLASS_ALT, VISIBILITY_LABEL
from kingress.api.ingress import Visibility
from kingress.cluster.errors import NotFound
from kingress.cluster.port import Object
from kingress.route import reconciler as reconciler_module
from kingress.route.reconciler import CLUSTER_INGRESS, ROUTE
from kingress.route.resources.ingress import make_cluster_ingress
from kingress.route.resources.placeholder import ENDPOINTS, SERVICE
from tests.route.builders import (
    NS,
    World,
    cluster_local,
    config_map,
    config_target,
    configuration,
    latest_ready,
    mark_ingress,
    of_configuration,
    ready,
    revision,
    revision_target,
    route,
    seed,
    with_annotations,
    with_label_map,
    with_traffic,
)


def world_with(*objects: Object) -> World:
    world = World()
    seed(
        world.store,
        [
            configuration(NS, "a", latest_ready("a-1")),
            revision(NS, "a-1", of_configuration("a"), ready),
            *objects,
        ],
    )
    world.reconcile()
    return world


def update_route(world: World, **changes: Any) -> None:
    obj = copy.deepcopy(world.store.get(ROUTE, NS, "r"))
    meta = obj["metadata"]
    for key in ("labels", "annotations"):
        if key in changes:
            meta[key] = changes[key]
    if "traffic" in changes:
        obj["spec"] = {"traffic": changes["traffic"]}
    world.store.update(obj)


# --- visibility --------------------------------------------------------------------------


def test_cluster_local_route_gets_only_cluster_local_rules() -> None:
    world = world_with(route(NS, "r", cluster_local, with_traffic(config_target("a", 100))))
    rules = world.ingress().spec.rules
    assert [(r.visibility, r.hosts) for r in rules] == [
        (Visibility.CLUSTER_LOCAL, ("r.default", "r.default.svc", "r.default.svc.cluster.local"))
    ]
    status = world.route().status
    assert status.url == "http://r.default.svc.cluster.local"
    assert status.address is not None
    assert status.address.url == "http://r.default.svc.cluster.local"
    placeholder = world.get("Service", "r")
    assert placeholder["spec"]["externalName"] == "r.default.svc.cluster.local"
    assert VISIBILITY_LABEL not in placeholder["metadata"]["labels"], "never copied from the Route"


def test_cluster_local_domain_from_config_domain_makes_the_route_cluster_local() -> None:
    world = world_with(
        config_map("config-domain", {"svc.cluster.local": ""}),
        route(NS, "r", with_traffic(config_target("a", 100))),
    )
    assert {r.visibility for r in world.ingress().spec.rules} == {Visibility.CLUSTER_LOCAL}
    assert world.route().status.url == "http://r.default.svc.cluster.local"


def test_one_tag_made_cluster_local_by_its_placeholder_service() -> None:
    world = world_with(
        route(
            NS,
            "r",
            with_traffic(config_target("a", 100), revision_target("a-1", 0, tag="dev")),
        )
    )
    tagged = copy.deepcopy(world.get("Service", "dev-r"))
    tagged["metadata"]["labels"][VISIBILITY_LABEL] = "cluster-local"
    world.store.update(tagged)
    world.reconcile()
    rules = [(r.visibility, r.hosts[-1]) for r in world.ingress().spec.rules]
    assert rules == [
        (Visibility.CLUSTER_LOCAL, "r.default.svc.cluster.local"),
        (Visibility.EXTERNAL_IP, "r.default.example.com"),
        (Visibility.CLUSTER_LOCAL, "dev-r.default.svc.cluster.local"),
    ]
    urls = {t.tag: t.url for t in world.route().status.traffic}
    assert urls["dev"] == "http://dev-r.default.svc.cluster.local"
    assert world.route().status.url == "http://r.default.example.com"
    kept = world.get("Service", "dev-r")
    assert kept["metadata"]["labels"][VISIBILITY_LABEL] == "cluster-local", "user label kept"
    assert kept["spec"]["externalName"] == "dev-r.default.svc.cluster.local"
    world.reconcile()
    assert world.writes() == []


def test_custom_domain_and_templates() -> None:
    world = world_with(
        config_map(
            "config-domain",
            {
                "example.org": "",
                "prod.example.com": "selector:\n  env: prod\n",
                "blue.example.com": "selector:\n  env: prod\n  team: blue\n",
            },
        ),
        config_map(
            "config-network",
            {
                "domain-template": '{{.Name}}-{{index .Labels "team"}}.{{.Domain}}',
                "tag-template": "{{.Name}}-{{.Tag}}",
                "default-external-scheme": "https",
            },
        ),
        route(
            NS,
            "r",
            with_label_map({"env": "prod", "team": "blue"}),
            with_traffic(config_target("a", 100), revision_target("a-1", 0, tag="v1")),
        ),
    )
    status = world.route().status
    assert status.url == "https://r-blue.blue.example.com"
    assert {t.tag: t.url for t in status.traffic}["v1"] == "https://r-v1-blue.blue.example.com"
    external = [
        r.hosts for r in world.ingress().spec.rules if r.visibility is Visibility.EXTERNAL_IP
    ]
    assert external == [("r-blue.blue.example.com",), ("r-v1-blue.blue.example.com",)]
    # Cluster-local hosts keep the default template.
    assert world.ingress().spec.rules[2].hosts[-1] == "r-v1.default.svc.cluster.local"


def test_changing_config_domain_moves_the_hosts() -> None:
    world = world_with(route(NS, "r", with_traffic(config_target("a", 100))))
    seed(world.store, [config_map("config-domain", {"knative.dev": ""})])
    world.reconcile()
    assert ("update", "ClusterIngress", "r") in world.writes()
    assert world.route().status.url == "http://r.default.knative.dev"


# --- ingress class --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("annotations", "config", "want"),
    [
        pytest.param({}, {}, "istio.ingress.networking.knative.dev", id="default"),
        pytest.param(
            {}, {"ingress-class": "contour"}, "contour.ingress.networking.knative.dev", id="config"
        ),
        pytest.param(
            {},
            {"ingress.class": "nginx"},
            "nginx.ingress.networking.knative.dev",
            id="legacy-config-key",
        ),
        pytest.param(
            {INGRESS_CLASS_ALT: "envoy"},
            {"ingress-class": "contour"},
            "envoy.ingress.networking.knative.dev",
            id="alt-annotation-over-config",
        ),
        pytest.param(
            {INGRESS_CLASS: "ingress-nginx", INGRESS_CLASS_ALT: "envoy"},
            {"ingress-class": "contour"},
            "ingress-nginx.ingress.networking.knative.dev",
            id="canonical-annotation-first",
        ),
        pytest.param(
            {INGRESS_CLASS: "gloo.ingress.networking.knative.dev"},
            {},
            "gloo.ingress.networking.knative.dev",
            id="third-party-class-as-is",
        ),
    ],
)
def test_ingress_class_precedence(
    annotations: dict[str, str], config: dict[str, str], want: str
) -> None:
    world = world_with(
        config_map("config-network", config),
        route(NS, "r", with_traffic(config_target("a", 100)), with_annotations(annotations)),
    )
    assert world.ingress().ingress_class == want


def test_class_change_updates_the_one_cluster_ingress_in_place() -> None:
    world = world_with(route(NS, "r", with_traffic(config_target("a", 100))))
    uid = world.ingress().metadata.uid
    for alias, full in (
        ("contour", "contour.ingress.networking.knative.dev"),
        ("envoy", "envoy.ingress.networking.knative.dev"),
    ):
        update_route(world, annotations={INGRESS_CLASS: alias})
        world.reconcile()
        assert ("update", "ClusterIngress", "r") in world.writes()
        ingresses = world.store.list(CLUSTER_INGRESS)
        assert len(ingresses) == 1, "no zombie ClusterIngress (serving #14037)"
        assert world.ingress().ingress_class == full
        assert world.ingress().metadata.uid == uid, "updated in place, not recreated"
    update_route(world, annotations={})
    seed(world.store, [config_map("config-network", {"ingress-class": "nginx"})])
    world.reconcile()
    assert world.ingress().ingress_class == "nginx.ingress.networking.knative.dev"
    assert len(world.store.list(CLUSTER_INGRESS)) == 1


def test_a_reconcile_with_nothing_changed_builds_no_new_cluster_ingress(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    world = world_with(route(NS, "r", with_traffic(config_target("a", 100))))
    builds: list[str] = []
    build = make_cluster_ingress

    def counted(*args: Any, **kwargs: Any) -> Any:
        builds.append("built")
        return build(*args, **kwargs)

    monkeypatch.setattr(reconciler_module, "make_cluster_ingress", counted)
    world.reconcile()
    assert (builds, world.writes()) == ([], [])
    update_route(world, labels={"team": "a"})
    world.reconcile()
    assert builds == ["built"]
    assert world.ingress().metadata.labels["team"] == "a"


# --- placeholder Services -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("private", "public", "spec"),
    [
        pytest.param(
            {"domainInternal": "gw.istio-system.svc.cluster.local"},
            None,
            {"type": "ExternalName", "externalName": "gw.istio-system.svc.cluster.local"},
            id="domain-internal",
        ),
        pytest.param(
            {"domain": "gw.example.net"},
            None,
            {"type": "ExternalName", "externalName": "gw.example.net"},
            id="domain",
        ),
        pytest.param(
            {"ip": "10.1.2.3"}, None, {"type": "ClusterIP", "clusterIP": "None"}, id="ip-headless"
        ),
        pytest.param(
            {"meshOnly": True},
            None,
            {"type": "ClusterIP", "ports": [{"name": "http", "port": 80}]},
            id="mesh-only",
        ),
        pytest.param(
            None,
            {"domain": "public.example.net"},
            {"type": "ExternalName", "externalName": "public.example.net"},
            id="public-when-no-private",
        ),
        pytest.param(
            {"ip": "10.1.2.3", "domainInternal": "gw.local"},
            None,
            {"type": "ClusterIP", "clusterIP": "None"},
            id="ip-preferred",
        ),
    ],
)
def test_placeholder_shaped_from_load_balancer(
    private: dict[str, Any] | None, public: dict[str, Any] | None, spec: dict[str, Any]
) -> None:
    world = world_with(route(NS, "r", with_traffic(config_target("a", 100))))
    mark_ingress(world.store, private=private, public=public)
    world.reconcile()
    got = world.get("Service", "r")
    assert {k: got["spec"].get(k) for k in spec} == spec
    if spec.get("clusterIP") == "None":
        eps = world.get("Endpoints", "r")
        assert eps["subsets"] == [
            {"addresses": [{"ip": "10.1.2.3"}], "ports": [{"name": "http2", "port": 80}]}
        ]
        assert eps["metadata"]["ownerReferences"][0]["name"] == "r"
    world.reconcile()
    assert world.writes() == []


def test_external_name_to_cluster_ip_and_back_is_delete_and_create() -> None:
    world = world_with(route(NS, "r", with_traffic(config_target("a", 100))))
    mark_ingress(world.store, private={"ip": "10.0.0.9"})
    world.reconcile()
    assert world.writes()[:4] == [
        ("delete", "Service", "r"),
        ("create", "Service", "r"),
        ("create", "Endpoints", "r"),
        ("update_status", "Route", "r"),
    ]
    mark_ingress(world.store, private={"domainInternal": "gw.local"})
    world.reconcile()
    assert world.writes() == [
        ("delete", "Service", "r"),
        ("create", "Service", "r"),
        ("delete", "Endpoints", "r"),
    ]
    assert world.get("Service", "r")["spec"]["externalName"] == "gw.local"
    with pytest.raises(NotFound):
        world.get("Endpoints", "r")


def test_headless_to_mesh_only_cluster_ip_is_recreated() -> None:
    world = world_with(route(NS, "r", with_traffic(config_target("a", 100))))
    mark_ingress(world.store, private={"ip": "10.0.0.9"})
    world.reconcile()
    mark_ingress(world.store, private={"meshOnly": True})
    world.reconcile()
    assert world.writes()[:2] == [("delete", "Service", "r"), ("create", "Service", "r")]
    assert "clusterIP" not in world.get("Service", "r")["spec"]


def test_removed_tag_placeholder_and_endpoints_are_deleted() -> None:
    world = world_with(
        route(NS, "r", with_traffic(config_target("a", 100), revision_target("a-1", 0, tag="old")))
    )
    mark_ingress(world.store, private={"ip": "10.0.0.9"})
    world.reconcile()
    assert world.get("Endpoints", "old-r")
    update_route(world, traffic=[config_target("a", 100)])
    world.reconcile()
    assert ("delete", "Service", "old-r") in world.writes()
    assert ("delete", "Endpoints", "old-r") in world.writes()
    assert sorted(s["metadata"]["name"] for s in world.store.list(SERVICE, NS)) == ["r"]
    assert sorted(e["metadata"]["name"] for e in world.store.list(ENDPOINTS, NS)) == ["r"]


def test_placeholder_carries_route_labels_and_annotations() -> None:
    world = world_with(
        route(
            NS,
            "r",
            with_traffic(config_target("a", 100)),
            with_label_map({"app": "x"}),
            with_annotations({"note": "n"}),
        )
    )
    meta = world.get("Service", "r")["metadata"]
    assert meta["labels"] == {"app": "x", "serving.knative.dev/route": "r"}
    assert meta["annotations"] == {"note": "n"}


def test_deleting_the_route_collects_its_children() -> None:
    world = world_with(route(NS, "r", with_traffic(config_target("a", 100))))
    world.store.delete(ROUTE, NS, "r")
    assert world.store.list(CLUSTER_INGRESS) == []
    assert world.store.list(SERVICE, NS) == []
    world.reconcile()
    assert world.writes() == []
