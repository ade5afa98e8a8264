"""``check_ready``: ready once VirtualServices exist, failed on Istio validation errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kingress import Translation
from kingress.testing import simple_ingress
from kingress_istio import IstioBackend

Object = dict[str, Any]
Translate = Callable[..., Translation]


def vs(name: str = "hello-ingress", generation: int = 2, status: Object | None = None) -> Object:
    obj: Object = {
        "apiVersion": "networking.istio.io/v1",
        "kind": "VirtualService",
        "metadata": {"name": name, "namespace": "default", "generation": generation},
        "spec": {},
    }
    if status is not None:
        obj["status"] = status
    return obj


def error(code: str = "IST0101", name: str = "ReferencedResourceNotFound") -> Object:
    return {"level": "ERROR", "type": {"code": code, "name": name}}


@pytest.mark.parametrize(
    ("applied", "want_ready", "want_reason", "want_in_message"),
    [
        pytest.param([], None, "Uninitialized", "VirtualServices", id="nothing-applied"),
        pytest.param(
            [{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"}}],
            None,
            "Uninitialized",
            "",
            id="only-foreign-objects",
        ),
        pytest.param([vs()], True, "", "", id="vs-without-status"),
        pytest.param(
            [vs(status={"conditions": [{"type": "Reconciled", "status": "False"}]})],
            True,
            "",
            "",
            id="reconciled-condition-ignored",
        ),
        pytest.param(
            [vs(status={"observedGeneration": 2, "validationMessages": [error()]})],
            False,
            "IstioValidationFailed",
            "VirtualService hello-ingress: IST0101 ReferencedResourceNotFound",
            id="current-error",
        ),
        pytest.param(
            [vs(status={"observedGeneration": "2", "validationMessages": [error()]})],
            False,
            "IstioValidationFailed",
            "IST0101",
            id="observed-generation-as-string",
        ),
        pytest.param(
            [vs(status={"validationMessages": [error()]})],
            False,
            "IstioValidationFailed",
            "IST0101",
            id="error-without-observed-generation",
        ),
        pytest.param(
            [vs(status={"observedGeneration": 1, "validationMessages": [error()]})],
            True,
            "",
            "",
            id="stale-error-ignored",
        ),
        pytest.param(
            [
                vs(
                    status={
                        "validationMessages": [
                            {"level": "WARNING", "type": {"code": "IST0132"}},
                            {"level": "INFO", "type": {"code": "IST0102"}},
                        ]
                    }
                )
            ],
            True,
            "",
            "",
            id="warnings-ignored",
        ),
        pytest.param(
            [
                vs(),
                {
                    "apiVersion": "networking.istio.io/v1",
                    "kind": "Gateway",
                    "metadata": {"name": "hello-tls"},
                    "status": {
                        "validationMessages": [error("IST0104", "GatewayPortNotDefinedOnService")]
                    },
                },
            ],
            False,
            "IstioValidationFailed",
            "Gateway hello-tls: IST0104",
            id="gateway-error",
        ),
    ],
)
def test_check_ready(
    applied: list[Object], want_ready: bool | None, want_reason: str, want_in_message: str
) -> None:
    readiness = IstioBackend().check_ready(simple_ingress(), applied)
    assert readiness.ready is want_ready
    assert readiness.reason == want_reason
    assert want_in_message in readiness.message


def test_translated_objects_read_back_are_ready(translate: Translate) -> None:
    translation = translate(simple_ingress(), probe=True)
    readiness = IstioBackend().check_ready(simple_ingress(), list(translation.objects))
    assert readiness.ready is True
