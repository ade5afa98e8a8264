"""Schema checks against upstream CRDs (fixtures outside the project)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kingress.schemas import CRD_DIR_ENV, SchemaUnavailable, schema_errors, schema_for


def _require(api_version: str, kind: str) -> None:
    try:
        schema_for(api_version, kind)
    except SchemaUnavailable as reason:
        pytest.skip(str(reason))


def test_a_valid_kingress_passes_and_a_broken_one_fails() -> None:
    _require("networking.internal.knative.dev/v1alpha1", "Ingress")
    good = {
        "apiVersion": "networking.internal.knative.dev/v1alpha1",
        "kind": "Ingress",
        "metadata": {"name": "x"},
        "spec": {
            "rules": [
                {
                    "http": {
                        "paths": [
                            {
                                "splits": [
                                    {"serviceName": "a", "serviceNamespace": "b", "servicePort": 80}
                                ]
                            }
                        ]
                    }
                }
            ]
        },
    }
    assert schema_errors(good) == []
    bad = {**good, "spec": {"rules": [{"http": {"paths": [{"splits": [{"serviceName": 1}]}]}}]}}
    errors = schema_errors(bad)
    assert any("serviceName: 1 is not of type 'string'" in e for e in errors)
    assert any("'serviceNamespace' is a required property" in e for e in errors)


def test_int_or_string_fields_accept_both() -> None:
    _require("networking.internal.knative.dev/v1alpha1", "Ingress")
    for port in (80, "http"):
        obj = {
            "apiVersion": "networking.internal.knative.dev/v1alpha1",
            "kind": "Ingress",
            "metadata": {"name": "x"},
            "spec": {
                "rules": [
                    {
                        "http": {
                            "paths": [
                                {
                                    "splits": [
                                        {
                                            "serviceName": "a",
                                            "serviceNamespace": "b",
                                            "servicePort": port,
                                        }
                                    ]
                                }
                            ]
                        }
                    }
                ]
            },
        }
        assert schema_errors(obj) == []


def test_missing_directory_is_unavailable_with_a_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CRD_DIR_ENV, str(tmp_path / "absent"))
    with pytest.raises(SchemaUnavailable, match="does not exist"):
        schema_errors({"apiVersion": "projectcontour.io/v1", "kind": "HTTPProxy"})


def test_unknown_kind_is_unavailable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CRD_DIR_ENV, str(tmp_path))
    with pytest.raises(SchemaUnavailable, match="no CRD schema for Thing"):
        schema_for("x.io/v1", "Thing")
