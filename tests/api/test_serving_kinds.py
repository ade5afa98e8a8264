"""The serving kinds in the default scheme, the seed's helloworld, and their conditions."""

from __future__ import annotations

import copy

import pydantic
import pytest

from kingress.api import serving as v1
from kingress.api.conditions import READY, ConditionSet, ConditionStatus, get_condition
from kingress.api.fielderrors import ValidationError
from kingress.api.kinds import default_scheme
from kingress.api.scheme import Scheme
from kingress.cluster.port import Kind
from tests.api.serving_fixtures import HELLO_IMAGE, V1, V1ALPHA1, helloworld, service

NOW = "2019-06-01T00:00:00Z"


@pytest.fixture(scope="module")
def scheme() -> Scheme:
    return default_scheme()


@pytest.mark.parametrize("kind", ["Service", "Configuration", "Revision", "Route"])
def test_both_versions_served_v1_stored(scheme: Scheme, kind: str) -> None:
    for version in (V1, V1ALPHA1):
        info = scheme.lookup(version, kind)
        assert info is not None
        assert info.check is not None
    assert scheme.storage_version(Kind("serving.knative.dev", kind)) == V1


def test_helloworld_loads_converts_and_renders_back(scheme: Scheme) -> None:
    seed = helloworld()
    stored = scheme.admit(copy.deepcopy(seed))
    assert stored == {
        "apiVersion": V1,
        "kind": "Service",
        "metadata": {
            "name": "helloworld-go",
            "namespace": "default",
            "annotations": {"serving.kingress.dev/v1alpha1-form": "runLatest"},
        },
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "user-container",
                            "image": HELLO_IMAGE,
                            "env": [{"name": "TARGET", "value": "Go Sample v1"}],
                        }
                    ],
                    "containerConcurrency": 0,
                    "timeoutSeconds": 300,
                }
            },
            "traffic": [{"latestRevision": True, "percent": 100}],
        },
    }
    rendered = scheme.convert(stored, V1ALPHA1)
    # The seed's spec, with the defaults the walk-through shows (timeoutSeconds: 300).
    revision_spec = seed["spec"]["runLatest"]["configuration"]["revisionTemplate"]["spec"]
    revision_spec["container"] = {"name": "user-container", **revision_spec["container"]}
    revision_spec.update(containerConcurrency=0, timeoutSeconds=300)
    assert rendered == seed
    assert scheme.admit(rendered) == stored


def test_seed_configuration_with_its_timeout(scheme: Scheme) -> None:
    obj = {
        "apiVersion": V1ALPHA1,
        "kind": "Configuration",
        "metadata": {"name": "helloworld-go", "namespace": "default"},
        "spec": {
            "revisionTemplate": {
                "spec": {
                    "container": {
                        "image": HELLO_IMAGE,
                        "env": [{"name": "TARGET", "value": "Go Sample v1"}],
                    },
                    "timeoutSeconds": 300,
                }
            }
        },
    }
    stored = scheme.admit(obj)
    assert stored["spec"]["template"]["spec"]["timeoutSeconds"] == 300
    rendered = scheme.convert(stored, V1ALPHA1)
    assert rendered["spec"]["revisionTemplate"]["spec"]["timeoutSeconds"] == 300
    assert rendered["spec"]["revisionTemplate"]["spec"]["container"]["image"] == HELLO_IMAGE


def test_v1_admission_defaults_and_validates(scheme: Scheme) -> None:
    stored = scheme.admit(service())
    assert stored["spec"]["traffic"] == [{"latestRevision": True, "percent": 100}]
    with pytest.raises(ValidationError) as raised:
        scheme.admit(service(traffic=[{"percent": 50, "latestRevision": True}]))
    assert str(raised.value) == "Traffic targets sum to 50, want 100: spec.traffic"


def test_unknown_fields_of_modelled_parts_do_not_parse(scheme: Scheme) -> None:
    obj = service()
    obj["spec"]["traffic"] = [{"percent": 100, "weight": 3}]
    with pytest.raises(pydantic.ValidationError):
        scheme.admit(obj)


@pytest.mark.parametrize(
    ("conditions", "marks", "want"),
    [
        pytest.param(
            v1.SERVICE_CONDITIONS,
            (v1.SERVICE_CONFIGURATIONS_READY,),
            ConditionStatus.UNKNOWN,
            id="service-waits-for-route",
        ),
        pytest.param(
            v1.SERVICE_CONDITIONS,
            (v1.SERVICE_CONFIGURATIONS_READY, v1.SERVICE_ROUTES_READY),
            ConditionStatus.TRUE,
            id="service-ready",
        ),
        pytest.param(
            v1.ROUTE_CONDITIONS,
            (v1.ROUTE_ALL_TRAFFIC_ASSIGNED, v1.ROUTE_INGRESS_READY),
            ConditionStatus.UNKNOWN,
            id="route-waits-for-certificate",
        ),
        pytest.param(
            v1.ROUTE_CONDITIONS,
            (
                v1.ROUTE_ALL_TRAFFIC_ASSIGNED,
                v1.ROUTE_INGRESS_READY,
                v1.ROUTE_CERTIFICATE_PROVISIONED,
            ),
            ConditionStatus.TRUE,
            id="route-ready",
        ),
        pytest.param(
            v1.REVISION_CONDITIONS,
            (v1.REVISION_RESOURCES_AVAILABLE, v1.REVISION_CONTAINER_HEALTHY),
            ConditionStatus.TRUE,
            id="revision-ready",
        ),
        pytest.param(v1.CONFIGURATION_CONDITIONS, (), ConditionStatus.UNKNOWN, id="config-new"),
        pytest.param(
            v1.CONFIGURATION_CONDITIONS, (READY,), ConditionStatus.TRUE, id="config-ready"
        ),
    ],
)
def test_condition_sets(
    conditions: ConditionSet, marks: tuple[str, ...], want: ConditionStatus
) -> None:
    state = conditions.initialize((), NOW)
    for mark in marks:
        state = conditions.mark_true(state, mark, NOW)
    ready = get_condition(state, READY)
    assert ready is not None
    assert ready.status is want


def test_revision_failure_explains_ready() -> None:
    state = v1.REVISION_CONDITIONS.mark_false(
        (), v1.REVISION_CONTAINER_HEALTHY, "ExitCode1", "Container failed", NOW
    )
    ready = get_condition(state, READY)
    assert ready is not None
    assert (ready.status, ready.reason, ready.message) == (
        ConditionStatus.FALSE,
        "ExitCode1",
        "Container failed",
    )
