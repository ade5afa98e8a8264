"""docs/serving.md names every condition reason the serving controllers write."""

from __future__ import annotations

from pathlib import Path

import pytest

from kingress.localrt import status as deployment_status
from kingress.serving import lifecycle, revision_lifecycle

DOCS = (Path(__file__).resolve().parents[2] / "docs" / "serving.md").read_text()
README = (Path(__file__).resolve().parents[2] / "README.md").read_text()

REASONS = [
    lifecycle.NOT_OWNED,
    lifecycle.OUT_OF_DATE,
    lifecycle.TRAFFIC_NOT_MIGRATED,
    lifecycle.REVISION_NAME_TAKEN,
    lifecycle.MANUAL,
    lifecycle.REVISION_FAILED,
    lifecycle.CONFIGURATION_OUT_OF_DATE,
    lifecycle.ROUTE_OUT_OF_DATE,
    lifecycle.TRAFFIC_NOT_MIGRATED_MESSAGE,
    lifecycle.MANUAL_MESSAGE,
    revision_lifecycle.DEPLOYING,
    revision_lifecycle.NOT_OWNED,
    revision_lifecycle.PROGRESS_DEADLINE_EXCEEDED,
    deployment_status.AVAILABLE[0],
    deployment_status.UNAVAILABLE[0],
]


@pytest.mark.parametrize("reason", REASONS)
def test_reason_is_documented(reason: str) -> None:
    assert reason in DOCS


def test_readme_says_the_kubelet_is_a_stand_in() -> None:
    assert "There is no kubelet offline" in README
    assert "--pending" in README
