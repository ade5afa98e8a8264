"""Every emitted object validates against Contour's CRD schema (skipped, with the reason,
when the CRD fixtures are not available)."""

from __future__ import annotations

from typing import Any

import pytest

from kingress import BackendService, ClusterIngress, ServicePort, Visibility
from kingress.schemas import SchemaUnavailable, schema_errors
from kingress.testing import ingress, path, rule, simple_ingress, split, tls

from .conftest import run_translate
from .test_builder import ROWS

SERVICES = (
    BackendService(namespace="default", name="grpc", ports=(ServicePort(name="http2", port=81),)),
    BackendService(
        namespace="default",
        name="app",
        ports=(ServicePort(name="web", port=8080, app_protocol="kubernetes.io/h2c"),),
    ),
    BackendService(namespace="default", name="named", ports=(ServicePort(name="http", port=8012),)),
)


def _errors(obj: dict[str, Any]) -> list[str]:
    try:
        return schema_errors(obj)
    except SchemaUnavailable as reason:
        pytest.skip(str(reason))


@pytest.mark.parametrize(("ing", "options", "_expected"), ROWS)
def test_builder_rows_validate(
    ing: ClusterIngress, options: dict[str, Any], _expected: Any
) -> None:
    translation = run_translate(ing, services=SERVICES, **options)
    proxies = [o for o in translation.objects if o["kind"] == "HTTPProxy"]
    assert proxies
    for obj in proxies:
        assert _errors(obj) == [], obj["metadata"]["name"]


@pytest.mark.parametrize(
    ("ing", "options"),
    [
        pytest.param(simple_ingress(), {"probe": True}, id="probed"),
        pytest.param(
            ingress(
                rules=[
                    rule(["a.example.com"], paths=[path(splits=[split("s")])]),
                    rule(
                        ["a.default.svc.cluster.local"],
                        visibility=Visibility.CLUSTER_LOCAL,
                        paths=[path("/x", splits=[split("s", 30), split("t", 70)])],
                    ),
                ],
                http_option="Enabled",
            ),
            {"probe": True, "config": {"timeout-policy-idle": "90s"}},
            id="mixed-probed",
        ),
    ],
)
def test_more_ingresses_validate(ing: ClusterIngress, options: dict[str, Any]) -> None:
    for obj in run_translate(ing, **options).objects:
        assert _errors(obj) == [], obj["metadata"]["name"]


def test_schema_rejects_what_contour_rejects() -> None:
    """The check can fail: an uppercase fqdn and a negative weight are schema errors."""
    (obj,) = run_translate(simple_ingress()).objects
    obj["spec"]["virtualhost"]["fqdn"] = "Hello.Example.com"
    obj["spec"]["routes"][0]["services"][0]["weight"] = -1
    errors = _errors(obj)
    assert any(e.startswith("spec.virtualhost.fqdn") for e in errors), errors
    assert any(e.startswith("spec.routes.0.services.0.weight") for e in errors), errors


def test_tls_delegation_validates() -> None:
    translation = run_translate(
        ingress(
            rules=[rule(["a.example.com"], paths=[path(splits=[split("s")])])],
            tls_entries=[tls(["a.example.com"], "c", namespace="certs")],
        )
    )
    (delegation,) = [o for o in translation.objects if o["kind"] == "TLSCertificateDelegation"]
    assert _errors(delegation) == []
