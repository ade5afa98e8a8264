"""The runtime's pure decisions, one table per property."""

from __future__ import annotations

import pytest

from kingress.cluster.port import Object
from kingress.localrt.resources import (
    RUNTIME_LABEL,
    ContainerPort,
    ProcessAction,
    ProcessSpec,
    decide,
    is_runtime_endpoints_of,
    make_endpoints,
    make_process_spec,
    selects,
    template_labels,
)
from tests.localrt.builders import (
    IMAGE,
    deployment,
    external_name,
    h2c,
    service,
    with_container_port,
    with_env,
    with_env_from,
    with_extra_port,
    with_replicas,
    with_selector,
    with_sidecar,
    with_target_port,
)

SECRET = {"secretKeyRef": {"name": "s", "key": "k"}}


@pytest.mark.parametrize(
    ("obj", "want_env"),
    [
        pytest.param(deployment("r"), (("PORT", "8080"),), id="knative-port"),
        pytest.param(
            deployment("r", with_env("TARGET", "Go Sample v1")),
            (("PORT", "8080"), ("TARGET", "Go Sample v1")),
            id="target-passed-through",
        ),
        pytest.param(
            deployment("r", with_env("A", "1"), with_env("A", "2")),
            (("PORT", "8080"), ("A", "2")),
            id="later-entry-wins",
        ),
        pytest.param(
            deployment("r", with_env_from("PASSWORD", SECRET)),
            (("PORT", "8080"),),
            id="value-from-left-unset",
        ),
    ],
)
def test_make_process_spec_env(obj: Object, want_env: tuple[tuple[str, str], ...]) -> None:
    spec = make_process_spec(obj)
    assert spec is not None
    assert spec.env == want_env
    assert spec.image == IMAGE


@pytest.mark.parametrize(
    ("obj", "want_port"),
    [
        pytest.param(deployment("r"), ContainerPort(8080, "user-port"), id="declared"),
        pytest.param(
            deployment("r", with_container_port(9000)), ContainerPort(9000), id="declared-unnamed"
        ),
        pytest.param(
            deployment("r", with_container_port(None), with_env("PORT", "7000")),
            ContainerPort(7000),
            id="from-port-env",
        ),
        pytest.param(
            deployment("r", with_container_port(None), with_env("PORT", "x")),
            ContainerPort(8080),
            id="unusable-port-env",
        ),
        pytest.param(
            deployment("r", with_sidecar("proxy"), with_container_port(9000, "h2c")),
            ContainerPort(9000, "h2c"),
            id="serving-container-not-first",
        ),
    ],
)
def test_make_process_spec_port(obj: Object, want_port: ContainerPort) -> None:
    spec = make_process_spec(obj)
    assert spec is not None
    assert spec.port == want_port


@pytest.mark.parametrize(
    ("obj", "wants_process"),
    [
        pytest.param(deployment("r"), True, id="one-replica"),
        pytest.param(deployment("r", with_replicas(None)), True, id="replicas-unset"),
        pytest.param(deployment("r", with_replicas(3)), True, id="one-process-for-many"),
        pytest.param(deployment("r", with_replicas(0)), False, id="scaled-to-zero"),
    ],
)
def test_make_process_spec_replicas(obj: Object, wants_process: bool) -> None:
    assert (make_process_spec(obj) is not None) is wants_process


def test_any_template_change_changes_the_spec_and_other_changes_do_not() -> None:
    base = deployment("r")
    relabelled = deployment("r")
    relabelled["spec"]["template"]["metadata"]["labels"]["extra"] = "x"
    outside = deployment("r")
    outside["metadata"]["labels"]["extra"] = "x"
    assert make_process_spec(relabelled) != make_process_spec(base)
    assert make_process_spec(outside) == make_process_spec(base)


SPEC = ProcessSpec(image="i", env=(), port=ContainerPort(8080), template_hash="a")
NEWER = ProcessSpec(image="i", env=(("TARGET", "v2"),), port=ContainerPort(8080), template_hash="b")


@pytest.mark.parametrize(
    ("running", "alive", "wanted", "want"),
    [
        pytest.param(None, False, None, ProcessAction.IDLE, id="nothing"),
        pytest.param(None, False, SPEC, ProcessAction.START, id="start"),
        pytest.param(SPEC, True, SPEC, ProcessAction.KEEP, id="keep"),
        pytest.param(SPEC, False, SPEC, ProcessAction.RECOVER, id="died"),
        pytest.param(SPEC, True, NEWER, ProcessAction.RESTART, id="template-changed"),
        pytest.param(SPEC, False, NEWER, ProcessAction.RESTART, id="died-and-changed"),
        pytest.param(SPEC, True, None, ProcessAction.STOP, id="scaled-to-zero"),
    ],
)
def test_decide(
    running: ProcessSpec | None, alive: bool, wanted: ProcessSpec | None, want: ProcessAction
) -> None:
    assert decide(running, alive, wanted) is want


@pytest.mark.parametrize(
    ("svc", "want"),
    [
        pytest.param(service("r"), True, id="revision-selector"),
        pytest.param(service("r", with_selector({"app": "r"})), True, id="subset-of-labels"),
        pytest.param(service("other"), False, id="other-revision"),
        pytest.param(
            service("r", with_selector({"app": "r", "tier": "x"})), False, id="label-missing"
        ),
        pytest.param(service("r", with_selector(None)), False, id="no-selector"),
        pytest.param(service("r", with_selector({})), False, id="empty-selector"),
        pytest.param(service("r", external_name), False, id="external-name"),
    ],
)
def test_selects(svc: Object, want: bool) -> None:
    assert selects(svc, template_labels(deployment("r"))) is want


def _ports(endpoints: Object) -> list[dict[str, object]]:
    subsets = endpoints.get("subsets") or []
    assert all(s["addresses"] == [{"ip": "127.0.0.1"}] for s in subsets)
    return [port for subset in subsets for port in subset["ports"]]


@pytest.mark.parametrize(
    ("svc", "obj", "port", "want_ports"),
    [
        pytest.param(
            service("r"),
            deployment("r"),
            41000,
            [{"name": "http", "port": 41000, "protocol": "TCP"}],
            id="http",
        ),
        pytest.param(
            service("r", h2c),
            deployment("r", with_container_port(8080, "h2c")),
            41000,
            [
                {
                    "name": "http2",
                    "port": 41000,
                    "protocol": "TCP",
                    "appProtocol": "kubernetes.io/h2c",
                }
            ],
            id="h2c-keeps-app-protocol",
        ),
        pytest.param(
            service("r", with_target_port("user-port")),
            deployment("r"),
            41000,
            [{"name": "http", "port": 41000, "protocol": "TCP"}],
            id="named-target-port",
        ),
        pytest.param(
            service("r", with_target_port("metrics")), deployment("r"), 41000, [], id="other-name"
        ),
        pytest.param(service("r", with_target_port(9090)), deployment("r"), 41000, [], id="other"),
        pytest.param(
            service("r", with_target_port(None)),
            deployment("r", with_container_port(80)),
            41000,
            [{"name": "http", "port": 41000, "protocol": "TCP"}],
            id="target-defaults-to-port",
        ),
        pytest.param(
            service("r", with_extra_port("metrics", 9090, 9090)),
            deployment("r"),
            41000,
            [{"name": "http", "port": 41000, "protocol": "TCP"}],
            id="only-ports-reaching-the-container",
        ),
        pytest.param(service("r"), deployment("r"), None, [], id="nothing-serving"),
    ],
)
def test_make_endpoints_ports(
    svc: Object, obj: Object, port: int | None, want_ports: list[dict[str, object]]
) -> None:
    endpoints = make_endpoints(svc, obj, port)
    assert _ports(endpoints) == want_ports
    assert ("subsets" in endpoints) is bool(want_ports)


def test_make_endpoints_is_named_and_labelled_like_the_service() -> None:
    endpoints = make_endpoints(service("r"), deployment("r"), 41000)
    assert endpoints["apiVersion"] == "v1"
    assert endpoints["kind"] == "Endpoints"
    assert endpoints["metadata"] == {
        "name": "r",
        "namespace": "default",
        "labels": {"serving.knative.dev/revision": "r", RUNTIME_LABEL: "true"},
    }


def _owned(labels: dict[str, str], kind: str, api_version: str, name: str) -> Object:
    return {
        "metadata": {
            "labels": labels,
            "ownerReferences": [
                {"apiVersion": api_version, "kind": kind, "name": name, "controller": True}
            ],
        }
    }


MARKED = {RUNTIME_LABEL: "true"}


@pytest.mark.parametrize(
    ("endpoints", "want"),
    [
        pytest.param(_owned(MARKED, "Deployment", "apps/v1", "d"), True, id="ours"),
        pytest.param(_owned({}, "Deployment", "apps/v1", "d"), False, id="unlabelled"),
        pytest.param(_owned(MARKED, "Deployment", "apps/v1", "e"), False, id="other-deployment"),
        pytest.param(_owned(MARKED, "Deployment", "example.com/v1", "d"), False, id="other-group"),
        pytest.param(_owned(MARKED, "Service", "v1", "d"), False, id="other-kind"),
    ],
)
def test_is_runtime_endpoints_of(endpoints: Object, want: bool) -> None:
    assert is_runtime_endpoints_of(endpoints, "d") is want
