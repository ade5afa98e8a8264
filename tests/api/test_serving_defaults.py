"""Knative's defaulting of the serving kinds."""

from __future__ import annotations

from typing import Any

import pytest

from kingress.api import serving as v1
from kingress.api.serving_defaults import (
    set_configuration_defaults,
    set_revision_defaults,
    set_route_defaults,
    set_service_defaults,
)
from tests.api.serving_fixtures import configuration, container, route, service, template

_DEFAULTED_SPEC = {"containerConcurrency": 0, "timeoutSeconds": 300}
_USER = {"name": "user-container", "image": "img"}


def _service_spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec: dict[str, Any] = set_service_defaults(v1.Service.from_dict(obj)).to_dict().get("spec", {})
    return spec


@pytest.mark.parametrize(
    ("obj", "want"),
    [
        pytest.param(
            service(),
            {
                "template": {"spec": {"containers": [_USER], **_DEFAULTED_SPEC}},
                "traffic": [{"latestRevision": True, "percent": 100}],
            },
            id="no-traffic-gets-100-percent-latest",
        ),
        pytest.param(
            service(tmpl=template(timeoutSeconds=0, containerConcurrency=10)),
            {
                "template": {
                    "spec": {
                        "containers": [_USER],
                        "containerConcurrency": 10,
                        "timeoutSeconds": 300,
                    }
                },
                "traffic": [{"latestRevision": True, "percent": 100}],
            },
            id="zero-timeout-defaulted-concurrency-kept",
        ),
        pytest.param(
            service(tmpl=template(timeoutSeconds=120)),
            {
                "template": {
                    "spec": {
                        "containers": [_USER],
                        "containerConcurrency": 0,
                        "timeoutSeconds": 120,
                    }
                },
                "traffic": [{"latestRevision": True, "percent": 100}],
            },
            id="timeout-kept",
        ),
        pytest.param(
            service(
                tmpl=template(
                    container(ports=[{"containerPort": 8080}]), container(name="side"), container()
                )
            ),
            {
                "template": {
                    "spec": {
                        "containers": [
                            {
                                "name": "user-container-0",
                                "image": "img",
                                "ports": [{"containerPort": 8080}],
                            },
                            {"name": "side", "image": "img"},
                            {"name": "user-container-2", "image": "img"},
                        ],
                        **_DEFAULTED_SPEC,
                    }
                },
                "traffic": [{"latestRevision": True, "percent": 100}],
            },
            id="several-containers-numbered",
        ),
        pytest.param(
            service(
                traffic=[
                    {"revisionName": "svc-1", "percent": 50},
                    {"tag": "t", "percent": 50},
                    {"latestRevision": False, "revisionName": "svc-2"},
                    {"latestRevision": True},
                ]
            ),
            {
                "template": {"spec": {"containers": [_USER], **_DEFAULTED_SPEC}},
                "traffic": [
                    {"revisionName": "svc-1", "latestRevision": False, "percent": 50},
                    {"tag": "t", "latestRevision": True, "percent": 50},
                    {"revisionName": "svc-2", "latestRevision": False},
                    {"latestRevision": True},
                ],
            },
            id="latest-revision-only-when-unset",
        ),
        pytest.param(
            {
                **service(tmpl={}),
                "metadata": {
                    "name": "svc",
                    "annotations": {"serving.kingress.dev/v1alpha1-form": "manual"},
                },
            },
            {},
            id="manual-service-untouched",
        ),
    ],
)
def test_service_defaults(obj: dict[str, Any], want: dict[str, Any]) -> None:
    assert _service_spec(obj) == want


def test_route_traffic_is_not_invented() -> None:
    assert set_route_defaults(v1.Route.from_dict(route([]))).spec.traffic == ()


def test_route_target_defaults() -> None:
    defaulted = set_route_defaults(
        v1.Route.from_dict(route([{"configurationName": "cfg", "percent": 100}]))
    )
    assert defaulted.spec.traffic == (
        v1.TrafficTarget(configuration_name="cfg", latest_revision=True, percent=100),
    )


def test_configuration_and_revision_defaults() -> None:
    cfg = set_configuration_defaults(v1.Configuration.from_dict(configuration()))
    assert cfg.to_dict()["spec"] == {
        "template": {"spec": {"containers": [_USER], **_DEFAULTED_SPEC}}
    }
    rev = set_revision_defaults(v1.Revision(spec=v1.RevisionSpec(containers=(v1.Container(),))))
    assert rev.to_dict()["spec"] == {"containers": [{"name": "user-container"}], **_DEFAULTED_SPEC}


@pytest.mark.parametrize(
    "obj",
    [
        pytest.param(service(), id="service"),
        pytest.param(service(traffic=[{"revisionName": "svc-1", "percent": 100}]), id="pinned"),
    ],
)
def test_defaulting_is_idempotent(obj: dict[str, Any]) -> None:
    once = set_service_defaults(v1.Service.from_dict(obj))
    assert set_service_defaults(once) is once


def test_unknown_pod_spec_fields_are_kept() -> None:
    obj = service(
        tmpl=template(
            container(imagePullPolicy="Always", volumeMounts=[{"name": "v", "mountPath": "/v"}]),
            volumes=[{"name": "v", "secret": {"secretName": "s"}}],
        )
    )
    spec = _service_spec(obj)["template"]["spec"]
    assert spec["volumes"] == [{"name": "v", "secret": {"secretName": "s"}}]
    assert spec["containers"][0]["imagePullPolicy"] == "Always"
    assert spec["containers"][0]["volumeMounts"] == [{"name": "v", "mountPath": "/v"}]
