"""The local depth through a real Envoy: the backend passes, broken ones fail their catchers."""

from __future__ import annotations

import pytest

from kingress import Backend
from kingress_conformance.catalog import select
from kingress_conformance.depths import Depth
from kingress_conformance.outcome import Outcome
from kingress_conformance.suite import DepthRunner, Options, run_case
from kingress_envoy.backend import EnvoyBackend
from kingress_envoy.binary import EnvoyNotFound, find_envoy
from tests.conformance.broken_envoy import BREAKAGES, BrokenEnvoy
from tests.conformance.test_broken_backends import EXPECTED

#: Cheap cases covering every kind of check (the full run is the CLI's job).
REPRESENTATIVE = (
    "basics",
    "basics/http2",
    "grpc/split",
    "headers/pre-split",
    "headers/probe",
    "retry",
    "tls",
    "visibility",
    "websocket/split",
    "contract/class-change",
    "contract/path-precedence",
)


@pytest.fixture(scope="module", autouse=True)
def envoy_or_skip() -> None:
    try:
        find_envoy()
    except EnvoyNotFound as error:
        pytest.skip(f"no Envoy binary: {error}")


def _outcomes(
    backend: Backend, keys: tuple[str, ...], ready_timeout: float = 30.0
) -> dict[str, tuple[Outcome, str]]:
    options = Options(
        depth=Depth.LOCAL, ready_timeout=ready_timeout, max_time_to_consistency=ready_timeout
    )
    runner = DepthRunner(backend, options)
    try:
        return {
            case.key: (result.outcome, result.reason)
            for case in select(keys)
            for result in [run_case(case, runner)]
        }
    finally:
        runner.close()


def test_envoy_passes_representative_cases() -> None:
    outcomes = _outcomes(EnvoyBackend(), REPRESENTATIVE)
    assert {k: o for k, o in outcomes.items() if o[0] != Outcome.PASSED} == {}


def test_envoy_passes_host_rewrite_through_the_private_gateway() -> None:
    # The ExternalName Service points at the private listener's loopback address and
    # ephemeral port; the vanity hosts must come back from the private host's backend.
    outcome, reason = _outcomes(EnvoyBackend(), ("host-rewrite",))["host-rewrite"]
    assert outcome == Outcome.PASSED, reason


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_broken_envoy_fails_its_catchers(breakage: str) -> None:
    catchers = tuple(sorted(EXPECTED[breakage] - {"timeout"}))
    # A broken backend may never become ready (appending to K-Network-Hash breaks the
    # probe itself), which fails a case as surely; a short wait keeps that quick.
    outcomes = _outcomes(BrokenEnvoy(BREAKAGES[breakage]), ("basics", *catchers), 5.0)
    sanity = outcomes.pop("basics")[0]
    if breakage != "appends-headers":
        assert sanity == Outcome.PASSED
    assert {k: o[0] for k, o in outcomes.items()} == dict.fromkeys(catchers, Outcome.FAILED)


def test_short_timeout_fails_the_timeout_case() -> None:
    outcomes = _outcomes(BrokenEnvoy(BREAKAGES["short-timeout"]), ("timeout",))
    assert outcomes["timeout"][0] == Outcome.FAILED
