"""v1 serving validation: every message, word for word as Knative's webhook gives it."""

from __future__ import annotations

from typing import Any

import pytest

from kingress.api import serving as v1
from kingress.api.fielderrors import ValidationError
from kingress.api.serving_validation import (
    check_configuration,
    check_revision,
    check_route,
    check_service,
)
from tests.api.serving_fixtures import (
    DNS1035,
    DNS1123_SUBDOMAIN,
    NAME_PART,
    configuration,
    container,
    route,
    service,
    template,
)


def _errors(obj: dict[str, Any]) -> str:
    """The validation message of a v1 wire object ("" when valid)."""
    try:
        match obj["kind"]:
            case "Service":
                check_service(v1.Service.from_dict(obj))
            case "Route":
                check_route(v1.Route.from_dict(obj))
            case "Configuration":
                check_configuration(v1.Configuration.from_dict(obj))
            case _:
                check_revision(v1.Revision.from_dict(obj))
    except ValidationError as error:
        return str(error)
    return ""


@pytest.mark.parametrize(
    ("obj", "want"),
    [
        pytest.param(service(), "", id="valid-service-defaults-traffic"),
        pytest.param(route([{"configurationName": "cfg", "percent": 100}]), "", id="valid-route"),
        pytest.param(
            service(
                traffic=[
                    {"tag": "prod", "revisionName": "svc-00001", "percent": 90},
                    {"tag": "next", "latestRevision": True, "percent": 10},
                ]
            ),
            "",
            id="valid-tagged-split",
        ),
        pytest.param(
            service(traffic=[{"revisionName": "svc-00001", "percent": 90}]),
            "Traffic targets sum to 90, want 100: spec.traffic",
            id="sum-90",
        ),
        pytest.param(
            route([]),
            "Traffic targets sum to 0, want 100: spec.traffic",
            id="route-without-traffic",
        ),
        pytest.param(
            route([{"revisionName": "a", "configurationName": "b", "percent": 100}]),
            "expected exactly one, got both: "
            "spec.traffic[0].configurationName, spec.traffic[0].revisionName",
            id="revision-and-configuration",
        ),
        pytest.param(
            route([{"tag": "foo", "percent": 100}]),
            "expected exactly one, got neither: "
            "spec.traffic[0].configurationName, spec.traffic[0].revisionName",
            id="neither-revision-nor-configuration",
        ),
        pytest.param(
            service(traffic=[{"configurationName": "other", "percent": 100}]),
            "must not set the field(s): spec.traffic[0].configurationName",
            id="service-configuration-is-implicit",
        ),
        pytest.param(
            route(
                [
                    {"revisionName": "a", "percent": 101},
                    {"revisionName": "b", "percent": -1},
                ]
            ),
            "expected 0 <= 101 <= 100: spec.traffic[0].percent\n"
            "expected 0 <= -1 <= 100: spec.traffic[1].percent",
            id="percent-out-of-bounds",
        ),
        pytest.param(
            service(traffic=[{"revisionName": "bar", "latestRevision": True, "percent": 100}]),
            'may not set revisionName "bar" when latestRevision is true: '
            "spec.traffic[0].latestRevision",
            id="pinned-and-latest",
        ),
        pytest.param(
            service(traffic=[{"latestRevision": False, "percent": 100}]),
            'may not set revisionName "" when latestRevision is false: '
            "spec.traffic[0].latestRevision",
            id="neither-pinned-nor-latest",
        ),
        pytest.param(
            service(
                traffic=[
                    {"tag": "foo", "revisionName": "svc-1", "percent": 50},
                    {"tag": "foo", "revisionName": "svc-2", "percent": 50},
                ]
            ),
            'Multiple definitions for "foo": spec.traffic[0].tag, spec.traffic[1].tag',
            id="duplicate-tag",
        ),
        pytest.param(
            service(traffic=[{"tag": "Foo", "percent": 100}]),
            f"invalid value: not a DNS 1035 label: [{DNS1035}]: spec.traffic.tag[0]",
            id="tag-not-dns-1035",
        ),
        pytest.param(
            service(traffic=[{"tag": "a" * 64, "percent": 100}]),
            "invalid value: not a DNS 1035 label: [must be no more than 63 characters]: "
            "spec.traffic.tag[0]",
            id="tag-too-long",
        ),
        pytest.param(
            service(traffic=[{"revisionName": "b ar", "percent": 100}]),
            f'invalid key name "b ar": spec.traffic[0].revisionName\n{NAME_PART}',
            id="bad-revision-name",
        ),
        pytest.param(
            route([{"configurationName": "b ar", "percent": 100}]),
            f'invalid key name "b ar": spec.traffic[0].configurationName\n{NAME_PART}',
            id="bad-configuration-name",
        ),
        pytest.param(
            service(traffic=[{"percent": 100, "url": "http://foo.example.com"}]),
            "must not set the field(s): spec.traffic[0].url",
            id="url-in-spec",
        ),
    ],
)
def test_traffic_messages(obj: dict[str, Any], want: str) -> None:
    assert _errors(obj) == want


@pytest.mark.parametrize(
    ("obj", "want"),
    [
        pytest.param(
            service(tmpl={"spec": {}}),
            "missing field(s): spec.template.spec.containers",
            id="no-container",
        ),
        pytest.param(
            service(tmpl=template({"env": [{"name": "A", "value": "b"}]})),
            "missing field(s): spec.template.spec.containers[0].image",
            id="no-image",
        ),
        pytest.param(
            configuration(template(container(name="queue-proxy"))),
            '"queue-proxy" is a reserved container name: spec.template.spec.containers[0].name',
            id="reserved-container-name",
        ),
        pytest.param(
            service(tmpl=template(container(env=[{"name": "PORT", "value": "1"}]))),
            '"PORT" is a reserved environment variable: '
            "spec.template.spec.containers[0].env[0].name",
            id="reserved-env-var",
        ),
        pytest.param(
            service(tmpl=template(container(env=[{"value": "1"}]))),
            "missing field(s): spec.template.spec.containers[0].env[0].name",
            id="env-without-name",
        ),
        pytest.param(
            service(tmpl=template(container(ports=[{"containerPort": 8012}]))),
            "invalid value: 8012 is a reserved port: "
            "spec.template.spec.containers[0].ports.containerPort\n"
            "8012 is a reserved port, please use a different value",
            id="reserved-port",
        ),
        pytest.param(
            service(tmpl=template(container(ports=[{"containerPort": 70000}]))),
            "expected 0 <= 70000 <= 65535: spec.template.spec.containers[0].ports.containerPort",
            id="port-out-of-range",
        ),
        pytest.param(
            service(tmpl=template(container(ports=[{"containerPort": 80, "protocol": "UDP"}]))),
            "invalid value: UDP: spec.template.spec.containers[0].ports.protocol",
            id="port-protocol",
        ),
        pytest.param(
            service(tmpl=template(container(ports=[{"name": "grpc", "containerPort": 80}]))),
            "Port name grpc is not allowed: spec.template.spec.containers[0].ports\n"
            "Name must be empty, or one of: 'h2c', 'http1'",
            id="port-name",
        ),
        pytest.param(
            service(tmpl=template(container(ports=[{"containerPort": 80}, {"containerPort": 81}]))),
            "more than one container port is set: spec.template.spec.containers[*].ports\n"
            "Only a single port is allowed across all containers",
            id="two-ports",
        ),
        pytest.param(
            service(tmpl=template(container(), container(image="side"))),
            "missing field(s): spec.template.spec.containers[*].ports",
            id="two-containers-no-port",
        ),
        pytest.param(
            service(
                tmpl=template(
                    container(name="a", ports=[{"containerPort": 80}]),
                    container(name="a", env=[{"name": "PORT", "value": "1"}]),
                )
            ),
            'duplicate container name "a": spec.template.spec.containers[1].name',
            id="duplicate-container-name-sidecar-may-set-port",
        ),
        pytest.param(
            service(tmpl=template(timeoutSeconds=601)),
            "expected 0 <= 601 <= 600: spec.template.spec.timeoutSeconds",
            id="timeout-too-long",
        ),
        pytest.param(
            service(tmpl=template(containerConcurrency=1001)),
            "expected 0 <= 1001 <= 1000: spec.template.spec.containerConcurrency",
            id="concurrency-too-high",
        ),
        pytest.param(
            service(tmpl=template(serviceAccountName="Bad_Name")),
            f"invalid value: Bad_Name: spec.template.spec.serviceAccountName\n{DNS1123_SUBDOMAIN}",
            id="service-account-name",
        ),
        pytest.param(
            {
                "apiVersion": v1.API_VERSION,
                "kind": "Revision",
                "metadata": {"name": "rev"},
                "spec": {"containers": [{"image": "img", "ports": [{"containerPort": 8022}]}]},
            },
            "invalid value: 8022 is a reserved port: spec.containers[0].ports.containerPort\n"
            "8022 is a reserved port, please use a different value",
            id="revision-spec-paths",
        ),
    ],
)
def test_container_messages(obj: dict[str, Any], want: str) -> None:
    assert _errors(obj) == want


@pytest.mark.parametrize(
    ("obj", "want"),
    [
        pytest.param(
            service(tmpl=template(metadata={"name": "svc-v2"})), "", id="valid-template-name"
        ),
        pytest.param(
            service(tmpl=template(metadata={"name": "foo"})),
            'invalid value: "foo" must have prefix "svc-": spec.template.metadata.name',
            id="template-name-prefix",
        ),
        pytest.param(
            configuration(template(metadata={"name": "cfg.v2"})),
            f"invalid value: not a DNS 1035 label: [{DNS1035}]: spec.template.metadata.name",
            id="template-name-not-dns",
        ),
        pytest.param(
            configuration(template(metadata={"generateName": "Cfg-"})),
            f"invalid value: not a DNS 1035 label prefix: [{DNS1035}]: "
            "spec.template.metadata.generateName",
            id="template-generate-name",
        ),
        pytest.param(
            service(metadata={"generateName": "svc-"}, tmpl=template(metadata={"name": "svc-abc"})),
            "must not set the field(s): spec.template.metadata.name",
            id="template-name-with-generated-parent",
        ),
        pytest.param(
            service(metadata={"name": "do.not.use.dots"}),
            f"not a DNS 1035 label: [{DNS1035}]: metadata.name",
            id="name-dots",
        ),
        pytest.param(
            route([{"revisionName": "a", "percent": 100}], metadata={"name": "a" * 64}),
            "not a DNS 1035 label: [must be no more than 63 characters]: metadata.name",
            id="name-too-long",
        ),
        pytest.param(
            configuration(metadata={}),
            "name or generateName is required: metadata.name",
            id="no-name",
        ),
        pytest.param(
            service(metadata={"generateName": "Svc-"}),
            f"not a DNS 1035 label prefix: [{DNS1035}]: metadata.generateName",
            id="generate-name",
        ),
    ],
)
def test_name_messages(obj: dict[str, Any], want: str) -> None:
    assert _errors(obj) == want


def _annotated(obj: dict[str, Any], annotations: dict[str, str]) -> dict[str, Any]:
    return {**obj, "metadata": {**obj["metadata"], "annotations": annotations}}


def _labelled(obj: dict[str, Any], labels: dict[str, str], **meta: Any) -> dict[str, Any]:
    return {**obj, "metadata": {**obj["metadata"], "labels": labels, **meta}}


_DURATION = "serving.knative.dev/rollout-duration"
_DURATION_PATH = "metadata.annotations.serving.knative.dev/rollout-duration"
_ROUTE = route([{"revisionName": "a", "percent": 100}])


@pytest.mark.parametrize(
    ("obj", "want"),
    [
        pytest.param(_annotated(service(), {_DURATION: "120s"}), "", id="duration-ok"),
        pytest.param(_annotated(_ROUTE, {_DURATION: "1h30m"}), "", id="duration-compound"),
        pytest.param(
            _annotated(service(), {_DURATION: "1.5s"}),
            f"rollout-duration=1.5s is not at second precision: {_DURATION_PATH}",
            id="duration-precision",
        ),
        pytest.param(
            _annotated(_ROUTE, {_DURATION: "-5s"}),
            f"rollout-duration=-5s must be positive: {_DURATION_PATH}",
            id="duration-negative",
        ),
        pytest.param(
            _annotated(_ROUTE, {_DURATION: "soon"}),
            f"invalid value: soon: {_DURATION_PATH}",
            id="duration-unparsable",
        ),
        pytest.param(
            _annotated(_ROUTE, {"serving.knative.dev/rolloutDuration": "100ms"}),
            "rollout-duration=100ms is not at second precision: "
            "metadata.annotations.serving.knative.dev/rolloutDuration",
            id="duration-alternative-key",
        ),
        pytest.param(
            _annotated(service(), {"autoscaling.knative.dev/minScale": "1"}),
            'invalid key name "autoscaling.knative.dev/minScale": metadata.annotations\n'
            'autoscaling annotations must be put under "spec.template.metadata.annotations" '
            "to work",
            id="autoscaling-on-service",
        ),
        pytest.param(
            _annotated(service(), {"serving.kingress.dev/v1alpha1-form": "bogus"}),
            "invalid value: bogus: metadata.annotations.serving.kingress.dev/v1alpha1-form",
            id="unknown-form",
        ),
        pytest.param(
            _labelled(service(), {"networking.knative.dev/visibility": "cluster-local"}),
            "",
            id="visibility-cluster-local",
        ),
        pytest.param(
            _labelled(_ROUTE, {"networking.knative.dev/visibility": "bad"}),
            "invalid value: bad: metadata.labels.networking.knative.dev/visibility",
            id="visibility-bad",
        ),
        pytest.param(
            _labelled(service(), {"serving.knative.dev/foo": "x"}),
            'invalid key name "serving.knative.dev/foo": metadata.labels',
            id="service-serving-label",
        ),
        pytest.param(
            _labelled(_ROUTE, {"serving.knative.dev/service": "svc"}),
            "missing field(s): metadata.labels.serving.knative.dev/service",
            id="route-service-label-not-owner",
        ),
        pytest.param(
            _labelled(
                _ROUTE,
                {"serving.knative.dev/service": "svc"},
                ownerReferences=[
                    {"apiVersion": v1.API_VERSION, "kind": "Service", "name": "svc", "uid": "1"}
                ],
            ),
            "",
            id="route-service-label-owner",
        ),
        pytest.param(
            _labelled(configuration(), {"serving.knative.dev/route": "rt"}),
            "",
            id="configuration-route-label",
        ),
    ],
)
def test_metadata_messages(obj: dict[str, Any], want: str) -> None:
    assert _errors(obj) == want


def test_several_errors_are_reported_together_sorted_by_path() -> None:
    obj = service(
        metadata={"name": "do.not.use.dots"},
        traffic=[{"revisionName": "a", "percent": 90}],
    )
    assert _errors(obj) == (
        f"not a DNS 1035 label: [{DNS1035}]: metadata.name\n"
        "Traffic targets sum to 90, want 100: spec.traffic"
    )
