"""Conversion of the seed's v1alpha1 kinds to and from v1 (the storage version)."""

from __future__ import annotations

from typing import Any

import pytest

from kingress.api import serving as v1
from kingress.api import serving_v1alpha1 as a
from kingress.api.kinds import default_scheme
from kingress.api.scheme import Scheme
from kingress.api.serving_v1alpha1_conversion import (
    route_status_down,
    route_status_up,
    service_down,
    service_up,
)
from kingress.api.serving_v1alpha1_validation import (
    check_service,
)
from tests.api.serving_fixtures import (
    V1,
    V1ALPHA1,
    alpha_config,
    alpha_service,
    container,
    service,
)

FORM = "serving.kingress.dev/v1alpha1-form"
#: The v1 template every ``alpha_config()`` becomes, defaulted.
V1_TEMPLATE: dict[str, Any] = {
    "spec": {
        "containers": [{"name": "user-container", "image": "img"}],
        "containerConcurrency": 0,
        "timeoutSeconds": 300,
    }
}
#: ``alpha_config()`` defaulted, as v1alpha1 renders it.
ALPHA_CONFIG: dict[str, Any] = {
    "revisionTemplate": {
        "spec": {
            "container": {"name": "user-container", "image": "img"},
            "containerConcurrency": 0,
            "timeoutSeconds": 300,
        }
    }
}


@pytest.fixture(scope="module")
def scheme() -> Scheme:
    return default_scheme()


@pytest.mark.parametrize(
    ("spec", "form", "traffic", "rendered"),
    [
        pytest.param(
            {"runLatest": {"configuration": alpha_config()}},
            "runLatest",
            [{"latestRevision": True, "percent": 100}],
            {"runLatest": {"configuration": ALPHA_CONFIG}},
            id="runLatest",
        ),
        pytest.param(
            {
                "release": {
                    "revisions": ["svc-00001", "svc-00002"],
                    "rolloutPercent": 10,
                    "configuration": alpha_config(),
                }
            },
            "release",
            [
                {
                    "tag": "current",
                    "revisionName": "svc-00001",
                    "latestRevision": False,
                    "percent": 90,
                },
                {
                    "tag": "candidate",
                    "revisionName": "svc-00002",
                    "latestRevision": False,
                    "percent": 10,
                },
                {"tag": "latest", "latestRevision": True},
            ],
            {
                "release": {
                    "revisions": ["svc-00001", "svc-00002"],
                    "rolloutPercent": 10,
                    "configuration": ALPHA_CONFIG,
                }
            },
            id="release-two",
        ),
        pytest.param(
            {
                "release": {
                    "revisions": ["svc-00001", "@latest"],
                    "rolloutPercent": 25,
                    "configuration": alpha_config(),
                }
            },
            "release",
            [
                {
                    "tag": "current",
                    "revisionName": "svc-00001",
                    "latestRevision": False,
                    "percent": 75,
                },
                {"tag": "candidate", "latestRevision": True, "percent": 25},
                {"tag": "latest", "latestRevision": True},
            ],
            {
                "release": {
                    "revisions": ["svc-00001", "@latest"],
                    "rolloutPercent": 25,
                    "configuration": ALPHA_CONFIG,
                }
            },
            id="release-latest-candidate",
        ),
        pytest.param(
            {"release": {"revisions": ["svc-00001"], "configuration": alpha_config()}},
            "release",
            [
                {
                    "tag": "current",
                    "revisionName": "svc-00001",
                    "latestRevision": False,
                    "percent": 100,
                },
                {"tag": "latest", "latestRevision": True},
            ],
            {"release": {"revisions": ["svc-00001"], "configuration": ALPHA_CONFIG}},
            id="release-one",
        ),
        pytest.param(
            {
                "release": {
                    "revisions": ["svc-00001", "svc-00002"],
                    "rolloutPercent": 0,
                    "configuration": alpha_config(),
                }
            },
            "release",
            [
                {
                    "tag": "current",
                    "revisionName": "svc-00001",
                    "latestRevision": False,
                    "percent": 100,
                },
                {
                    "tag": "candidate",
                    "revisionName": "svc-00002",
                    "latestRevision": False,
                    "percent": 0,
                },
                {"tag": "latest", "latestRevision": True},
            ],
            {"release": {"revisions": ["svc-00001", "svc-00002"], "configuration": ALPHA_CONFIG}},
            id="release-zero-percent-is-omitted",
        ),
        pytest.param(
            {"pinned": {"revisionName": "svc-00001", "configuration": alpha_config()}},
            "pinned",
            [{"revisionName": "svc-00001", "latestRevision": False, "percent": 100}],
            {"pinned": {"revisionName": "svc-00001", "configuration": ALPHA_CONFIG}},
            id="pinned",
        ),
        pytest.param({"manual": {}}, "manual", None, {"manual": {}}, id="manual"),
    ],
)
def test_service_forms_convert_up_and_back(
    scheme: Scheme,
    spec: dict[str, Any],
    form: str,
    traffic: list[dict[str, Any]] | None,
    rendered: dict[str, Any],
) -> None:
    stored = scheme.admit(alpha_service(spec))
    assert stored["apiVersion"] == V1
    assert stored["metadata"]["annotations"] == {FORM: form}
    want_spec: dict[str, Any] = {}
    if form != "manual":
        want_spec = {"template": V1_TEMPLATE, "traffic": traffic}
    assert stored.get("spec", {}) == want_spec
    back = scheme.convert(stored, V1ALPHA1)
    assert back == {
        "apiVersion": V1ALPHA1,
        "kind": "Service",
        "metadata": {"name": "svc", "namespace": "ns"},
        "spec": rendered,
    }
    # Rendering back is what the v1alpha1 checker returns, and it converts up the same.
    assert check_service(a.Service.from_dict(alpha_service(spec))).to_dict() == back
    assert scheme.admit(back) == stored


def test_manual_service_is_manual(scheme: Scheme) -> None:
    stored = v1.Service.from_dict(scheme.admit(alpha_service({"manual": {}})))
    assert v1.is_manual(stored)
    run_latest = scheme.admit(alpha_service({"runLatest": {"configuration": alpha_config()}}))
    assert not v1.is_manual(v1.Service.from_dict(run_latest))


@pytest.mark.parametrize(
    "obj",
    [
        pytest.param(service(), id="no-form-record"),
        pytest.param(
            service(
                traffic=[
                    {"tag": "a", "revisionName": "svc-1", "percent": 40},
                    {"configurationName": "", "latestRevision": True, "percent": 60},
                ]
            ),
            id="split",
        ),
    ],
)
def test_v1_service_renders_in_the_v1_shape_and_round_trips(
    scheme: Scheme, obj: dict[str, Any]
) -> None:
    stored = scheme.admit(obj)
    rendered = scheme.convert(stored, V1ALPHA1)
    assert set(rendered["spec"]) == {"template", "traffic"}
    assert rendered["spec"]["template"]["spec"]["container"]["image"] == "img"
    assert scheme.convert(rendered, V1) == stored
    assert scheme.admit(rendered) == stored


def test_stale_form_record_falls_back_to_v1_shape() -> None:
    stored = v1.Service.from_dict(
        {
            **service(
                traffic=[
                    {"revisionName": "svc-1", "percent": 50},
                    {"latestRevision": True, "percent": 50},
                ]
            ),
            "metadata": {"name": "svc", "annotations": {FORM: "runLatest"}},
        }
    )
    rendered = service_down(stored)
    assert rendered.spec.forms() == ("template",)
    assert rendered.metadata.annotations == {}
    assert service_up(rendered).metadata.annotations == {}


def test_user_annotations_survive_and_form_record_is_ours() -> None:
    obj = alpha_service({"runLatest": {"configuration": alpha_config()}})
    obj["metadata"]["annotations"] = {"team": "a", FORM: "pinned"}
    up = service_up(a.Service.from_dict(obj))
    assert up.metadata.annotations == {"team": "a", FORM: "runLatest"}
    assert service_down(up).metadata.annotations == {"team": "a"}


def test_configuration_converts_both_ways(scheme: Scheme) -> None:
    obj = {
        "apiVersion": V1ALPHA1,
        "kind": "Configuration",
        "metadata": {"name": "cfg", "namespace": "ns"},
        "spec": {
            "revisionTemplate": {
                "metadata": {"labels": {"app": "x"}},
                "spec": {"container": container(), "timeoutSeconds": 300},
            }
        },
        "status": {
            "observedGeneration": 1,
            "latestCreatedRevisionName": "cfg-00001",
            "latestReadyRevisionName": "cfg-00001",
        },
    }
    stored = scheme.admit(obj)
    assert stored["spec"] == {"template": {"metadata": {"labels": {"app": "x"}}, **V1_TEMPLATE}}
    assert stored["status"] == obj["status"]
    back = scheme.convert(stored, V1ALPHA1)
    assert back["spec"] == {
        "revisionTemplate": {
            "metadata": {"labels": {"app": "x"}},
            **ALPHA_CONFIG["revisionTemplate"],
        }
    }
    assert back["status"] == obj["status"]
    assert scheme.admit(back) == stored


def test_revision_converts_both_ways(scheme: Scheme) -> None:
    obj = {
        "apiVersion": V1ALPHA1,
        "kind": "Revision",
        "metadata": {"name": "cfg-00001", "namespace": "ns"},
        "spec": {"container": container(), "serviceAccountName": "sa"},
        "status": {"serviceName": "cfg-00001", "logUrl": "http://logs"},
    }
    stored = scheme.admit(obj)
    assert stored["spec"]["containers"] == [{"name": "user-container", "image": "img"}]
    assert stored["spec"]["serviceAccountName"] == "sa"
    back = scheme.convert(stored, V1ALPHA1)
    assert back["spec"]["container"] == {"name": "user-container", "image": "img"}
    assert "containers" not in back["spec"]
    assert back["status"] == obj["status"]


def test_seed_route_and_its_status(scheme: Scheme) -> None:
    obj: dict[str, Any] = {
        "apiVersion": V1ALPHA1,
        "kind": "Route",
        "metadata": {"name": "helloworld-go", "namespace": "default"},
        "spec": {"traffic": [{"configurationName": "helloworld-go", "percent": 100}]},
        "status": {
            "domain": "helloworld-go.default.example.com",
            "domainInternal": "helloworld-go.default.svc.cluster.local",
            "address": {"hostname": "helloworld-go.default.svc.cluster.local"},
            "traffic": [{"revisionName": "helloworld-go-00001", "percent": 100}],
            "observedGeneration": 1,
        },
    }
    stored = scheme.admit(obj)
    assert stored["spec"]["traffic"] == [
        {"configurationName": "helloworld-go", "latestRevision": True, "percent": 100}
    ]
    assert stored["status"] == {
        "observedGeneration": 1,
        "url": "http://helloworld-go.default.example.com",
        "address": {"url": "http://helloworld-go.default.svc.cluster.local"},
        "traffic": [{"revisionName": "helloworld-go-00001", "percent": 100}],
    }
    back = scheme.convert(stored, V1ALPHA1)
    assert back["status"] == {
        **obj["status"],
        "url": "http://helloworld-go.default.example.com",
        "address": {
            "hostname": "helloworld-go.default.svc.cluster.local",
            "url": "http://helloworld-go.default.svc.cluster.local",
        },
    }


def test_v1_status_gives_domains_and_hostname() -> None:
    status = v1.RouteStatus(
        url="https://r.ns.example.com",
        address=v1.Addressable(url="http://r.ns.svc.cluster.local"),
        observed_generation=3,
    )
    down = route_status_down(status)
    assert (down.domain, down.domain_internal) == ("r.ns.example.com", "r.ns.svc.cluster.local")
    assert down.address == a.Address(
        hostname="r.ns.svc.cluster.local", url="http://r.ns.svc.cluster.local"
    )
    assert route_status_up(down) == status


def test_service_status_converts_both_ways() -> None:
    v1_status = {
        "observedGeneration": 1,
        "conditions": [{"type": "Ready", "status": "True"}],
        "url": "http://helloworld-go.default.example.com",
        "address": {"url": "http://helloworld-go.default.svc.cluster.local"},
        "traffic": [{"revisionName": "helloworld-go-00001", "percent": 100}],
        "latestCreatedRevisionName": "helloworld-go-00001",
        "latestReadyRevisionName": "helloworld-go-00001",
    }
    stored = v1.Service.from_dict({"metadata": {"name": "helloworld-go"}, "status": v1_status})
    down = service_down(stored).to_dict()["status"]
    assert down["domain"] == "helloworld-go.default.example.com"
    assert down["domainInternal"] == "helloworld-go.default.svc.cluster.local"
    assert down["address"]["hostname"] == "helloworld-go.default.svc.cluster.local"
    assert down["latestReadyRevisionName"] == "helloworld-go-00001"
    assert down["conditions"] == v1_status["conditions"]
    assert service_up(a.Service.from_dict({"status": down})).to_dict()["status"] == v1_status


def test_manual_with_template_keeps_its_record_in_the_v1_shape(scheme: Scheme) -> None:
    obj = service()
    obj["metadata"]["annotations"] = {FORM: "manual"}
    stored = scheme.admit(obj)
    assert "traffic" not in stored["spec"]
    rendered = scheme.convert(stored, V1ALPHA1)
    assert set(rendered["spec"]) == {"template"}
    assert rendered["metadata"]["annotations"] == {FORM: "manual"}
    assert scheme.admit(rendered) == stored
    assert v1.is_manual(v1.Service.from_dict(stored))
