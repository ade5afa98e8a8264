"""ClusterIngress defaulting and validation: Knative's messages, row by row."""

from __future__ import annotations

from typing import Any

import pytest

from kingress.api.ingress import ClusterIngress
from kingress.api.ingress_validation import set_defaults, validate


def _split(ns: str = "ns", percent: int | None = None, **extra: Any) -> dict[str, Any]:
    split: dict[str, Any] = {"serviceNamespace": ns, "serviceName": "s", "servicePort": 80}
    if percent is not None:
        split["percent"] = percent
    split.update(extra)
    return split


def _ingress(spec: dict[str, Any]) -> ClusterIngress:
    return ClusterIngress.from_dict({"metadata": {"name": "i", "namespace": "ns"}, "spec": spec})


def _paths(*paths: dict[str, Any]) -> dict[str, Any]:
    return {"rules": [{"hosts": ["a.example.com"], "http": {"paths": list(paths)}}]}


@pytest.mark.parametrize(
    ("spec", "want"),
    [
        pytest.param({}, "missing field(s): spec", id="empty-spec"),
        pytest.param({"httpOption": "Enabled"}, "missing field(s): spec.rules", id="no-rules"),
        pytest.param({"rules": [{}]}, "missing field(s): spec.rules[0]", id="empty-rule"),
        pytest.param(
            {"rules": [{"hosts": ["a"]}]}, "missing field(s): spec.rules[0].http", id="no-http"
        ),
        pytest.param(
            {"rules": [{"hosts": ["a"], "http": {}}]},
            "missing field(s): spec.rules[0].http.paths",
            id="no-paths",
        ),
        pytest.param(_paths({}), "missing field(s): spec.rules[0].http.paths[0]", id="empty-path"),
        pytest.param(
            _paths({"path": "/a"}),
            "missing field(s): spec.rules[0].http.paths[0].splits",
            id="no-splits",
        ),
        pytest.param(
            _paths({"splits": [_split(percent=90), _split(percent=0)]}),
            "traffic split percentage must total to 100, but was 90: "
            "spec.rules[0].http.paths[0].splits",
            id="sum-90",
        ),
        pytest.param(
            _paths({"splits": [_split(percent=101)]}),
            "invalid value: 101: spec.rules[0].http.paths[0].splits[0].percent",
            id="percent-over-100",
        ),
        pytest.param(
            _paths({"splits": [_split(percent=-1), _split(percent=101)]}),
            "invalid value: -1: spec.rules[0].http.paths[0].splits[0].percent",
            id="first-bad-split-only",
        ),
        pytest.param(
            _paths({"splits": [_split(ns="other")]}),
            "service namespace must match ingress namespace: "
            "spec.rules[0].http.paths[0].splits[0].serviceNamespace",
            id="cross-namespace",
        ),
        pytest.param(
            _paths({"splits": [_split(ns="")]}),
            "missing field(s): spec.rules[0].http.paths[0].splits[0].serviceNamespace",
            id="no-namespace",
        ),
        pytest.param(
            _paths({"splits": [_split(serviceName="")]}),
            "missing field(s): spec.rules[0].http.paths[0].splits[0].serviceName",
            id="no-service-name",
        ),
        pytest.param(
            _paths({"splits": [_split(servicePort=0)]}),
            "missing field(s): spec.rules[0].http.paths[0].splits[0].servicePort",
            id="no-service-port",
        ),
        pytest.param(
            {**_paths({"splits": [_split()]}), "tls": [{}]},
            "missing field(s): spec.tls[0]",
            id="empty-tls",
        ),
        pytest.param(
            {**_paths({"splits": [_split()]}), "tls": [{"hosts": ["a"]}]},
            "missing field(s): spec.tls[0].secretName, spec.tls[0].secretNamespace",
            id="tls-without-secret",
        ),
        pytest.param(
            {**_paths({"splits": [_split()]}), "httpOption": "Sometimes"},
            "invalid value: Sometimes: spec.httpOption",
            id="bad-http-option",
        ),
    ],
)
def test_validation_messages(spec: dict[str, Any], want: str) -> None:
    assert str(validate(set_defaults(_ingress(spec)))) == want


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param(_paths({"splits": [_split()]}), id="single-split-defaults-to-100"),
        pytest.param(_paths({"splits": [_split(percent=100), _split(percent=0)]}), id="zero-split"),
        pytest.param(
            {
                **_paths({"splits": [_split()]}),
                "httpOption": "Redirected",
                "tls": [{"secretName": "s", "secretNamespace": "ns"}],
            },
            id="tls-redirect",
        ),
    ],
)
def test_valid_ingresses(spec: dict[str, Any]) -> None:
    assert not validate(set_defaults(_ingress(spec)))


def test_defaults() -> None:
    ingress = set_defaults(_ingress(_paths({"splits": [_split()]})))
    rule = ingress.spec.rules[0]
    assert rule.visibility == "ExternalIP"
    assert rule.http is not None
    assert rule.http.paths[0].splits[0].percent == 100


def test_defaults_leave_multi_split_percentages_alone() -> None:
    spec = _paths({"splits": [_split(percent=0), _split(percent=0)]})
    assert set_defaults(_ingress(spec)) == _ingress(spec)


def test_errors_with_one_message_merge_their_paths() -> None:
    spec = {"rules": [{"hosts": ["a"]}, {"hosts": ["b"], "http": {}}]}
    assert str(validate(_ingress(spec))) == (
        "missing field(s): spec.rules[0].http, spec.rules[1].http.paths"
    )


def test_different_messages_are_listed_one_per_line() -> None:
    spec = _paths({"splits": [_split(percent=90)]}, {"splits": [_split(ns="x")]})
    assert str(validate(_ingress(spec))).splitlines() == [
        "traffic split percentage must total to 100, but was 90: "
        "spec.rules[0].http.paths[0].splits",
        "service namespace must match ingress namespace: "
        "spec.rules[0].http.paths[1].splits[0].serviceNamespace",
    ]
