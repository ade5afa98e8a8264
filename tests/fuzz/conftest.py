"""The fuzz tests' shared fixture: one folder holding every CRD schema there is."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kingress.schemas import SchemaUnavailable
from tests.fuzz.schemas import UNCHECKED, every_crd


@pytest.fixture(scope="module")
def crds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Every CRD fixture plus the Envoy backend's, in one folder; skip if there are none."""
    scratch = tmp_path_factory.mktemp("crds")
    try:
        with every_crd(scratch):
            yield scratch
    except SchemaUnavailable as reason:
        print(f"skipping: {reason}")
        pytest.skip(str(reason))
    for unchecked in sorted(UNCHECKED):
        print(f"not schema-checked: {unchecked}")
