"""The pure builders: names, Configuration, Route, Revision, Deployment, Kubernetes Service."""

from __future__ import annotations

from typing import Any

import pytest

from kingress.api.annotations import (
    APP_LABEL,
    CONFIGURATION_GENERATION_LABEL,
    CONFIGURATION_LABEL,
    REVISION_LABEL,
    ROUTE_LABEL,
    ROUTES_ANNOTATION,
    SERVICE_LABEL,
)
from kingress.api.serving import Container, ContainerPort, EnvVar, Revision, TrafficTarget
from kingress.serving import names, routemeta
from kingress.serving.resources.configuration import make_configuration
from kingress.serving.resources.deployment import make_deployment
from kingress.serving.resources.revision import make_revision
from kingress.serving.resources.route import make_route
from kingress.serving.resources.service import make_kubernetes_service
from tests.serving.builders import (
    config_of,
    configuration,
    revision,
    service,
    with_annotations,
    with_generation,
    with_label_map,
    with_template_name,
    with_traffic,
)

NS = "ns"


@pytest.mark.parametrize(
    ("parent", "suffix", "want"),
    [
        pytest.param("svc", "-00001", "svc-00001", id="short"),
        pytest.param("f" * 52, "-adapter", "f" * 52 + "-adapter", id="exactly-63"),
        pytest.param(
            "f" * 63,
            "-adapter",
            "fffffffffffffffffffffff105d7597f637e83cc711605ac3ea4957-adapter",
            id="hashed-like-kmeta",
        ),
    ],
)
def test_child_name(parent: str, suffix: str, want: str) -> None:
    assert names.child_name(parent, suffix) == want
    assert len(names.child_name(parent, suffix)) <= names.LONGEST


def test_names_of_children() -> None:
    assert names.revision("hello", 12) == "hello-00012"
    assert names.deployment("hello-00012") == "hello-00012-deployment"
    assert names.kubernetes_service("hello-00012") == "hello-00012"
    assert len(names.deployment("r" * 63)) == 63


@pytest.mark.parametrize(
    ("labels", "annotations", "routes", "want_labels", "want_annotations"),
    [
        pytest.param({}, {}, ["a"], {ROUTE_LABEL: "a"}, {ROUTES_ANNOTATION: "a"}, id="one"),
        pytest.param(
            {ROUTE_LABEL: "a"}, {}, ["b", "a"], {}, {ROUTES_ANNOTATION: "a,b"}, id="two-sorted"
        ),
        pytest.param(
            {ROUTE_LABEL: "a", "x": "y"},
            {ROUTES_ANNOTATION: "a"},
            [],
            {"x": "y"},
            {},
            id="none",
        ),
    ],
)
def test_with_routes(
    labels: dict[str, str],
    annotations: dict[str, str],
    routes: list[str],
    want_labels: dict[str, str],
    want_annotations: dict[str, str],
) -> None:
    assert routemeta.with_routes(labels, annotations, routes) == (want_labels, want_annotations)


def test_configuration_keeps_only_the_labelers_keys_of_an_existing_one() -> None:
    svc = service(NS, "svc")
    existing = config_of(
        svc,
        with_label_map({ROUTE_LABEL: "svc", "stale": "x"}),
        with_annotations({ROUTES_ANNOTATION: "svc", "old": "y"}),
    )
    built = make_configuration(svc, existing)
    assert built.metadata.labels == {SERVICE_LABEL: "svc", ROUTE_LABEL: "svc"}
    assert built.metadata.annotations == {ROUTES_ANNOTATION: "svc"}
    assert built.spec == svc.spec.configuration_spec


def test_route_fills_in_the_configuration_only_for_unpinned_targets() -> None:
    svc = service(
        NS,
        "svc",
        with_traffic(
            TrafficTarget(revision_name="svc-00001", percent=40),
            TrafficTarget(latest_revision=True, percent=60),
        ),
    )
    traffic = make_route(svc).spec.traffic
    assert [(t.revision_name, t.configuration_name, t.latest_revision) for t in traffic] == [
        ("svc-00001", "", False),
        ("", "svc", True),
    ]


@pytest.mark.parametrize(
    ("cfg", "want_name", "want_labels"),
    [
        pytest.param(
            config_of(service(NS, "svc"), with_generation(7)),
            "svc-00007",
            {
                CONFIGURATION_LABEL: "svc",
                CONFIGURATION_GENERATION_LABEL: "7",
                SERVICE_LABEL: "svc",
            },
            id="service-owned",
        ),
        pytest.param(
            configuration(NS, "cfg"),
            "cfg-00001",
            {CONFIGURATION_LABEL: "cfg", CONFIGURATION_GENERATION_LABEL: "1"},
            id="standalone",
        ),
        pytest.param(
            config_of(service(NS, "svc", with_template_name("svc-blue"))),
            "svc-blue",
            {CONFIGURATION_LABEL: "svc", CONFIGURATION_GENERATION_LABEL: "1", SERVICE_LABEL: "svc"},
            id="chosen-name",
        ),
    ],
)
def test_make_revision(cfg: Any, want_name: str, want_labels: dict[str, str]) -> None:
    built = make_revision(cfg)
    assert built.metadata.name == want_name
    assert built.metadata.labels == want_labels
    assert built.metadata.owner_references[0].kind == "Configuration"
    assert built.metadata.owner_references[0].uid == cfg.metadata.uid
    assert built.spec == cfg.spec.template.spec


def _rev(*containers: Container, **spec: Any) -> Revision:
    base = revision(NS, "r-00001", with_label_map({CONFIGURATION_LABEL: "r", SERVICE_LABEL: "s"}))
    return base.model_copy(
        update={"spec": base.spec.model_copy(update={"containers": containers, **spec})}
    )


def _serving(deployment: dict[str, Any]) -> dict[str, Any]:
    containers: list[dict[str, Any]] = deployment["spec"]["template"]["spec"]["containers"]
    return next(c for c in containers if c.get("ports"))


@pytest.mark.parametrize(
    ("rev", "want_port", "want_probe"),
    [
        pytest.param(_rev(Container(image="i")), 8080, {"tcpSocket": {"port": 8080}}, id="default"),
        pytest.param(
            _rev(Container(image="i", ports=(ContainerPort(container_port=9000),))),
            9000,
            {"tcpSocket": {"port": 9000}},
            id="declared-port",
        ),
        pytest.param(
            _rev(
                Container(
                    image="i",
                    ports=(ContainerPort(container_port=9000),),
                    readiness_probe={"httpGet": {"path": "/healthz"}, "periodSeconds": 2},
                )
            ),
            9000,
            {"httpGet": {"path": "/healthz", "port": 9000}, "periodSeconds": 2},
            id="http-probe-gets-the-port",
        ),
        pytest.param(
            _rev(Container(image="i", readiness_probe={"periodSeconds": 3})),
            8080,
            {"periodSeconds": 3, "tcpSocket": {"port": 8080}},
            id="probe-without-handler",
        ),
    ],
)
def test_deployment_serving_container(
    rev: Revision, want_port: int, want_probe: dict[str, Any]
) -> None:
    container = _serving(make_deployment(rev))
    assert container["ports"] == [
        {"name": "user-port", "containerPort": want_port, "protocol": "TCP"}
    ]
    assert {"name": "PORT", "value": str(want_port)} in container["env"]
    assert container["readinessProbe"] == want_probe


def test_deployment_shape() -> None:
    rev = _rev(
        Container(image="i", env=(EnvVar(name="TARGET", value="v1"),)),
        timeout_seconds=120,
        service_account_name="robot",
    )
    rev = rev.model_copy(
        update={
            "metadata": rev.metadata.model_copy(
                update={
                    "labels": {**rev.metadata.labels, ROUTE_LABEL: "r"},
                    "annotations": {ROUTES_ANNOTATION: "r", "keep": "me"},
                }
            )
        }
    )
    built = make_deployment(rev)
    assert built["apiVersion"] == "apps/v1"
    assert built["metadata"]["name"] == "r-00001-deployment"
    labels = {
        CONFIGURATION_LABEL: "r",
        SERVICE_LABEL: "s",
        REVISION_LABEL: "r-00001",
        APP_LABEL: "r-00001",
    }
    assert built["metadata"]["labels"] == labels
    assert built["metadata"]["annotations"] == {"keep": "me"}
    assert built["metadata"]["ownerReferences"][0]["kind"] == "Revision"
    spec = built["spec"]
    assert spec["replicas"] == 1
    assert spec["selector"] == {"matchLabels": {REVISION_LABEL: "r-00001"}}
    assert spec["template"]["metadata"]["labels"] == labels
    pod = spec["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] == 120
    assert pod["serviceAccountName"] == "robot"
    assert pod["containers"][0]["env"] == [
        {"name": "TARGET", "value": "v1"},
        {"name": "PORT", "value": "8080"},
        {"name": "K_REVISION", "value": "r-00001"},
        {"name": "K_CONFIGURATION", "value": "r"},
        {"name": "K_SERVICE", "value": "s"},
    ]


def test_deployment_keeps_sidecars_and_pod_fields_untouched() -> None:
    rev = _rev(
        Container(image="side", name="sidecar"),
        Container(image="main", name="main", ports=(ContainerPort(container_port=8000),)),
    )
    rev = rev.model_copy(
        update={"spec": rev.spec.model_validate({**rev.spec.to_dict(), "volumes": [{"name": "v"}]})}
    )
    pod = make_deployment(rev)["spec"]["template"]["spec"]
    assert pod["containers"][0] == {"name": "sidecar", "image": "side"}
    assert pod["containers"][1]["ports"][0]["containerPort"] == 8000
    assert pod["volumes"] == [{"name": "v"}]


@pytest.mark.parametrize(
    ("rev", "want_port"),
    [
        pytest.param(
            _rev(Container(image="i")),
            {"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080},
            id="http1",
        ),
        pytest.param(
            _rev(Container(image="i", ports=(ContainerPort(name="h2c", container_port=8081),))),
            {
                "name": "http2",
                "protocol": "TCP",
                "port": 80,
                "targetPort": 8081,
                "appProtocol": "kubernetes.io/h2c",
            },
            id="h2c",
        ),
    ],
)
def test_kubernetes_service(rev: Revision, want_port: dict[str, Any]) -> None:
    built = make_kubernetes_service(rev)
    assert built["metadata"]["name"] == "r-00001"
    assert built["spec"] == {"ports": [want_port], "selector": {REVISION_LABEL: "r-00001"}}


def test_builders_are_deterministic() -> None:
    rev = _rev(Container(image="i"))
    assert make_deployment(rev) == make_deployment(rev)
    svc = service(NS, "svc")
    assert make_route(svc) == make_route(svc)
    assert make_configuration(svc) == make_configuration(svc)
