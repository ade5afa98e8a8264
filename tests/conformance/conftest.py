"""Shared fixtures: the CRD folder for schema checks, and the in-tree backends."""

from __future__ import annotations

import pytest

from kingress.schemas import CRD_DIR_ENV, SchemaUnavailable, schema_for


@pytest.fixture
def schemas_or_skip() -> None:
    """Skip (printing why) when the Istio CRD schemas are not available."""
    try:
        schema_for("networking.istio.io/v1", "VirtualService")
    except SchemaUnavailable as error:
        pytest.skip(f"{error} (set {CRD_DIR_ENV})")
