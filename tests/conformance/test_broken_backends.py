"""Each deliberately broken backend fails exactly the cases that catch its breakage, offline."""

from __future__ import annotations

import pytest

from kingress_conformance.catalog import all_cases
from kingress_conformance.outcome import Outcome
from kingress_conformance.suite import DepthRunner, Options, run_case
from kingress_contour.backend import ContourBackend
from kingress_envoy.backend import EnvoyBackend
from kingress_istio import IstioBackend
from tests.conformance.broken import BREAKAGES, BrokenBackend
from tests.conformance.broken_contour import BREAKAGES as CONTOUR_BREAKAGES
from tests.conformance.broken_contour import BrokenContour
from tests.conformance.broken_envoy import BREAKAGES as ENVOY_BREAKAGES
from tests.conformance.broken_envoy import BrokenEnvoy

EXPECTED = {
    "ignores-header-matches": {
        "headers/probe",
        "headers/tags",
        "contract/header-match-split",
        "contract/path-precedence",
    },
    "drops-a-split": {
        "dispatch/path_and_percentage",
        "dispatch/percentage",
        "grpc/split",
        "headers/post-split",
        "visibility/split",
        "websocket/split",
        "contract/header-match-split",
    },
    "appends-headers": {"headers/post-split", "headers/pre-split", "headers/probe"},
    "retries-503s": {"retry"},
    "short-timeout": {"timeout"},
    "leaks-cluster-local": {"visibility", "visibility/path", "visibility/split"},
}


def _outcomes(backend: object) -> dict[str, Outcome]:
    runner = DepthRunner(backend, Options())  # type: ignore[arg-type]
    return {case.key: run_case(case, runner).outcome for case in all_cases()}


@pytest.fixture(scope="module")
def real() -> dict[str, Outcome]:
    return _outcomes(IstioBackend())


def test_every_breakage_has_an_expectation() -> None:
    assert set(EXPECTED) == set(BREAKAGES)


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_broken_backend_fails_exactly_its_catchers(
    breakage: str, real: dict[str, Outcome], schemas_or_skip: None
) -> None:
    broken = _outcomes(BrokenBackend(BREAKAGES[breakage]))
    newly_failed = {
        key for key, outcome in broken.items() if outcome == Outcome.FAILED and real[key] != outcome
    }
    assert newly_failed == EXPECTED[breakage]
    assert all(real[key] == Outcome.PASSED for key in EXPECTED[breakage])


@pytest.fixture(scope="module")
def real_envoy() -> dict[str, Outcome]:
    return _outcomes(EnvoyBackend())


@pytest.mark.parametrize("breakage", sorted(ENVOY_BREAKAGES))
def test_broken_envoy_fails_exactly_its_catchers_offline(
    breakage: str, real_envoy: dict[str, Outcome]
) -> None:
    """The Envoy model catches the same breakages offline as the Istio model does."""
    broken = _outcomes(BrokenEnvoy(ENVOY_BREAKAGES[breakage]))
    newly_failed = {
        key
        for key, outcome in broken.items()
        if outcome == Outcome.FAILED and real_envoy[key] != outcome
    }
    assert newly_failed == EXPECTED[breakage]
    assert all(real_envoy[key] == Outcome.PASSED for key in EXPECTED[breakage])


@pytest.fixture(scope="module")
def real_contour() -> dict[str, Outcome]:
    return _outcomes(ContourBackend())


@pytest.mark.parametrize("breakage", sorted(CONTOUR_BREAKAGES))
def test_broken_contour_fails_exactly_its_catchers_offline(
    breakage: str, real_contour: dict[str, Outcome]
) -> None:
    """The Contour model catches every breakage HTTPProxy can express."""
    broken = _outcomes(BrokenContour(CONTOUR_BREAKAGES[breakage]))
    newly_failed = {
        key
        for key, outcome in broken.items()
        if outcome == Outcome.FAILED and real_contour[key] != outcome
    }
    assert newly_failed == EXPECTED[breakage]
    assert all(real_contour[key] == Outcome.PASSED for key in EXPECTED[breakage])
