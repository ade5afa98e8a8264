"""The readable one-line summaries ``kingress demo`` prints (pure functions)."""

from __future__ import annotations

from typing import Any

import pytest

from kingress.stack import summary


def _with(conditions: list[dict[str, str]], **status: Any) -> dict[str, Any]:
    return {"metadata": {"name": "hello"}, "status": {"conditions": conditions, **status}}


@pytest.mark.parametrize(
    ("conditions", "shown"),
    [
        pytest.param([{"type": "Ready", "status": "True"}], "Ready", id="ready"),
        pytest.param(
            [{"type": "Ready", "status": "Unknown", "reason": "Deploying", "message": "wait"}],
            "Ready=Unknown (Deploying: wait)",
            id="reason-and-message",
        ),
        pytest.param([], "Ready=Unknown (not reconciled yet)", id="no-status"),
    ],
)
def test_readiness(conditions: list[dict[str, str]], shown: str) -> None:
    assert summary.readiness(_with(conditions)) == shown


def test_route_shows_split_tags_and_url() -> None:
    route = _with(
        [{"type": "Ready", "status": "True"}],
        url="http://hello.default.example.com",
        traffic=[
            {"revisionName": "hello-00001", "percent": 50},
            {"revisionName": "hello-00002", "percent": 50, "tag": "b", "url": "http://b-hello"},
        ],
    )
    assert summary.route(route).split() == [
        *("Route", "hello", "Ready"),
        *("50%", "→", "hello-00001,", "50%", "→", "hello-00002"),
        *("(tag", "b:", "http://b-hello)", "http://hello.default.example.com"),
    ]


def test_ingress_shows_class_balancer_and_external_rules_only() -> None:
    ingress = {
        "metadata": {
            "name": "hello",
            "annotations": {"networking.knative.dev/ingress.class": "envoy.x"},
        },
        "spec": {
            "rules": [
                {"hosts": ["hello.default"], "visibility": "ClusterLocal", "http": {"paths": []}},
                {
                    "hosts": ["hello.example.com"],
                    "visibility": "ExternalIP",
                    "http": {
                        "paths": [
                            {"splits": [{"serviceName": "r1", "servicePort": 80, "percent": 100}]}
                        ]
                    },
                },
            ]
        },
        "status": {
            "conditions": [{"type": "Ready", "status": "True"}],
            "publicLoadBalancer": {"ingress": [{"ip": "127.0.0.1"}]},
        },
    }
    first, *rules = summary.ingress(ingress)
    assert "class envoy.x" in first and "load balancer 127.0.0.1" in first
    assert [line.strip() for line in rules] == ["hello.example.com → 100% r1:80"]


def test_revision_shows_its_literal_environment() -> None:
    revision = _with([{"type": "Ready", "status": "True"}])
    revision["spec"] = {
        "containers": [{"env": [{"name": "TARGET", "value": "v1"}, {"name": "X", "valueFrom": {}}]}]
    }
    assert summary.revision(revision, "pid 1").split()[-3:] == ["TARGET=v1", "pid", "1"]
