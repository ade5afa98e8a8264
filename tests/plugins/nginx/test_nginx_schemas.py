"""Every emitted object validates against its schema: the VirtualServer CRD, Kubernetes' OpenAPI.

VirtualServers are checked with ``kingress.schemas`` against the upstream CRD
fixture; Ingresses and Services with ``kubernetes-validate``'s bundled
(strict) Kubernetes schemas. A missing schema skips with the reason printed.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kingress.schemas import SchemaUnavailable, schema_errors, schema_for
from kingress.testing import simple_ingress
from kingress_nginx import IngressNginxBackend, NginxBackend
from kingress_nginx.model import virtual_server_problems

Obj = dict[str, Any]


def crd_errors(obj: Obj) -> list[str]:
    try:
        return schema_errors(obj)
    except SchemaUnavailable as reason:
        print(f"skipping: {reason}")
        pytest.skip(str(reason))


def kubernetes_errors(obj: Obj) -> list[str]:
    try:
        import kubernetes_validate  # noqa: PLC0415 - optional: skip with a reason when absent
    except ImportError as error:
        reason = f"kubernetes-validate is not installed ({error}); install the dev extras"
        print(f"skipping: {reason}")
        pytest.skip(reason)
    version = kubernetes_validate.latest_version()
    try:
        kubernetes_validate.validate(obj, version, strict=True)
    except kubernetes_validate.SchemaNotFoundError as error:
        print(f"skipping: {error.message}")
        pytest.skip(error.message)
    except kubernetes_validate.ValidationError as error:
        where = ".".join(str(p) for p in error.path) or "<root>"
        return [f"{where}: {error.message}"]
    return []


def test_virtual_servers_validate(corpus_case: Any, context: Any) -> None:
    objects = NginxBackend().translate(corpus_case.ingress, context).objects
    assert objects
    for obj in objects:
        assert obj["kind"] == "VirtualServer"
        assert crd_errors(obj) == [], obj["metadata"]["name"]


def test_ingresses_and_services_validate(expressible_case: Any, context: Any) -> None:
    objects = IngressNginxBackend().translate(expressible_case.ingress, context).objects
    assert objects
    for obj in objects:
        assert obj["kind"] in ("Ingress", "Service")
        assert kubernetes_errors(obj) == [], obj["metadata"]["name"]


def test_crd_validation_can_fail(context: Any) -> None:
    [obj] = NginxBackend().translate(simple_ingress(), context).objects
    broken = copy.deepcopy(obj)
    broken["spec"]["upstreams"][0]["port"] = "eighty"
    assert crd_errors(broken) != []


def test_kubernetes_validation_can_fail(context: Any) -> None:
    [obj] = IngressNginxBackend().translate(simple_ingress(), context).objects
    broken = copy.deepcopy(obj)
    broken["spec"]["rules"][0]["http"]["paths"][0]["snippet"] = "x"
    assert kubernetes_errors(broken) != []


def _unknown_fields(node: Any, schema: dict[str, Any], where: str) -> list[str]:
    """Fields the API server would silently prune (structural schemas drop unknown keys)."""
    if isinstance(node, list):
        items = schema.get("items", {})
        return [e for i, item in enumerate(node) for e in _unknown_fields(item, items, where)]
    if not isinstance(node, dict) or schema.get("x-kubernetes-preserve-unknown-fields"):
        return []
    properties = schema.get("properties")
    if properties is None:
        return []
    found = []
    for key, value in node.items():
        if key not in properties:
            found.append(f"{where}.{key}")
        else:
            found += _unknown_fields(value, properties[key], f"{where}.{key}")
    return found


def test_virtual_servers_have_no_pruned_fields(corpus_case: Any, context: Any) -> None:
    for obj in NginxBackend().translate(corpus_case.ingress, context).objects:
        try:
            schema = schema_for(obj["apiVersion"], obj["kind"]).schema
        except SchemaUnavailable as reason:
            print(f"skipping: {reason}")
            pytest.skip(str(reason))
        spec_schema = schema["properties"]["spec"]
        assert _unknown_fields(obj["spec"], spec_schema, "spec") == []


def test_pruned_field_detection_can_fail() -> None:
    schema = {"properties": {"a": {"type": "string"}}}
    assert _unknown_fields({"a": "x", "b": "y"}, schema, "spec") == ["spec.b"]


def test_virtual_servers_pass_controller_validation(corpus_case: Any, context: Any) -> None:
    for obj in NginxBackend().translate(corpus_case.ingress, context).objects:
        assert virtual_server_problems(obj) == [], obj["metadata"]["name"]


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        pytest.param(
            lambda s: s["routes"].append(dict(s["routes"][0])), "duplicate paths", id="dup"
        ),
        pytest.param(lambda s: s["upstreams"].clear(), "is not defined", id="undefined-upstream"),
        pytest.param(
            lambda s: s["routes"][0].update(matches=[{"conditions": [], **s["routes"][0]}]),
            "at least one condition",
            id="empty-conditions",
        ),
        pytest.param(
            lambda s: s["routes"][0].update(
                splits=[{"weight": 100, "action": s["routes"][0].pop("action")}]
            ),
            "at least 2 splits",
            id="one-split",
        ),
    ],
)
def test_controller_validation_can_fail(mutate: Any, problem: str, context: Any) -> None:
    [obj] = NginxBackend().translate(simple_ingress(), context).objects
    broken = copy.deepcopy(obj)
    mutate(broken["spec"])
    assert any(problem in p for p in virtual_server_problems(broken))
