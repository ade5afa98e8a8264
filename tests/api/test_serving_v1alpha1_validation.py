"""Validation of the seed's v1alpha1 kinds, with paths as the v1alpha1 user wrote them."""

from __future__ import annotations

from typing import Any

import pytest

from kingress.api import serving_v1alpha1 as a
from kingress.api.fielderrors import ValidationError
from kingress.api.kinds import default_scheme
from kingress.api.serving_v1alpha1_validation import (
    check_configuration,
    check_revision,
    check_service,
)
from tests.api.serving_fixtures import DNS1035, V1ALPHA1, alpha_config, alpha_service, container


def _alpha_errors(obj: dict[str, Any]) -> str:
    """The validation message of a v1alpha1 wire object ("" when valid)."""
    try:
        match obj["kind"]:
            case "Service":
                check_service(a.Service.from_dict(obj))
            case "Configuration":
                check_configuration(a.Configuration.from_dict(obj))
            case _:
                check_revision(a.Revision.from_dict(obj))
    except ValidationError as error:
        return str(error)
    return ""


_RT = "spec.runLatest.configuration.revisionTemplate"


@pytest.mark.parametrize(
    ("obj", "want"),
    [
        pytest.param(
            alpha_service({}),
            "expected exactly one, got neither: "
            "spec.manual, spec.pinned, spec.release, spec.runLatest, spec.template",
            id="no-form",
        ),
        pytest.param(
            alpha_service(
                {
                    "runLatest": {"configuration": alpha_config()},
                    "pinned": {"revisionName": "svc-1", "configuration": alpha_config()},
                }
            ),
            "expected exactly one, got both: spec.pinned, spec.runLatest",
            id="two-forms",
        ),
        pytest.param(
            alpha_service(
                {
                    "runLatest": {"configuration": alpha_config()},
                    "traffic": [{"percent": 100}],
                }
            ),
            "expected exactly one, got both: spec.runLatest, spec.traffic",
            id="form-and-traffic",
        ),
        pytest.param(
            alpha_service({"release": {"configuration": alpha_config()}}),
            "missing field(s): spec.release.revisions",
            id="release-no-revisions",
        ),
        pytest.param(
            alpha_service(
                {
                    "release": {
                        "revisions": ["svc-1", "svc-2", "svc-3"],
                        "configuration": alpha_config(),
                    }
                }
            ),
            "expected 1 <= 3 <= 2: spec.release.revisions",
            id="release-three-revisions",
        ),
        pytest.param(
            alpha_service({"release": {"revisions": ["Svc-1"], "configuration": alpha_config()}}),
            f"invalid value: not a DNS 1035 label: [{DNS1035}]: spec.release.revisions[0]",
            id="release-bad-revision",
        ),
        pytest.param(
            alpha_service(
                {
                    "release": {
                        "revisions": ["svc-1"],
                        "rolloutPercent": 10,
                        "configuration": alpha_config(),
                    }
                }
            ),
            "invalid value: 10: spec.release.rolloutPercent",
            id="release-percent-without-candidate",
        ),
        pytest.param(
            alpha_service(
                {
                    "release": {
                        "revisions": ["svc-1", "svc-2"],
                        "rolloutPercent": 100,
                        "configuration": alpha_config(),
                    }
                }
            ),
            "expected 0 <= 100 <= 99: spec.release.rolloutPercent",
            id="release-percent-too-high",
        ),
        pytest.param(
            alpha_service({"pinned": {"configuration": alpha_config()}}),
            "missing field(s): spec.pinned.revisionName",
            id="pinned-no-revision",
        ),
        pytest.param(
            alpha_service({"runLatest": {"configuration": {"revisionTemplate": {"spec": {}}}}}),
            f"missing field(s): {_RT}.spec.container",
            id="no-container",
        ),
        pytest.param(
            alpha_service({"runLatest": {}}),
            f"missing field(s): {_RT}.spec.container",
            id="no-configuration",
        ),
        pytest.param(
            alpha_service(
                {
                    "runLatest": {
                        "configuration": {
                            "revisionTemplate": {"spec": {"container": {"name": "c"}}}
                        }
                    }
                }
            ),
            f"missing field(s): {_RT}.spec.container.image",
            id="no-image",
        ),
        pytest.param(
            alpha_service(
                {
                    "runLatest": {
                        "configuration": alpha_config(
                            containers=[container(image="b", ports=[{"containerPort": 8080}])]
                        )
                    }
                }
            ),
            f"expected exactly one, got both: {_RT}.spec.container, {_RT}.spec.containers",
            id="container-and-containers",
        ),
        pytest.param(
            alpha_service({"runLatest": {"configuration": alpha_config(timeoutSeconds=1000)}}),
            f"expected 0 <= 1000 <= 600: {_RT}.spec.timeoutSeconds",
            id="timeout",
        ),
        pytest.param(
            alpha_service(
                {
                    "runLatest": {
                        "configuration": {
                            "revisionTemplate": {
                                "metadata": {"name": "foo"},
                                "spec": {"container": container()},
                            }
                        }
                    }
                }
            ),
            f'invalid value: "foo" must have prefix "svc-": {_RT}.metadata.name',
            id="revision-name-prefix",
        ),
        pytest.param(
            alpha_service({"runLatest": {"configuration": alpha_config()}}, name="do.not.use.dots"),
            f"not a DNS 1035 label: [{DNS1035}]: metadata.name",
            id="service-name",
        ),
        pytest.param(
            alpha_service(
                {
                    "template": {"spec": {"container": container()}},
                    "traffic": [{"revisionName": "svc-1", "percent": 90}],
                }
            ),
            "Traffic targets sum to 90, want 100: spec.traffic",
            id="v1-shape-traffic",
        ),
        pytest.param(
            {
                "apiVersion": V1ALPHA1,
                "kind": "Configuration",
                "metadata": {"name": "cfg"},
                "spec": {"revisionTemplate": {"spec": {"container": {"name": "c"}}}},
            },
            "missing field(s): spec.revisionTemplate.spec.container.image",
            id="configuration-no-image",
        ),
        pytest.param(
            {"apiVersion": V1ALPHA1, "kind": "Revision", "metadata": {"name": "r"}, "spec": {}},
            "missing field(s): spec.container",
            id="revision-no-container",
        ),
    ],
)
def test_v1alpha1_messages(obj: dict[str, Any], want: str) -> None:
    assert _alpha_errors(obj) == want


def test_v1alpha1_admission_raises() -> None:
    with pytest.raises(ValidationError, match=r"missing field\(s\): spec.pinned.revisionName"):
        default_scheme().admit(alpha_service({"pinned": {"configuration": alpha_config()}}))
