"""Each deliberately broken backend fails exactly the cases that catch its breakage, offline."""

from __future__ import annotations

import pytest

from kingress_conformance.catalog import all_cases
from kingress_conformance.outcome import Outcome
from kingress_conformance.suite import DepthRunner, Options, run_case
from kingress_istio import IstioBackend
from tests.conformance.broken import BREAKAGES, BrokenBackend

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
