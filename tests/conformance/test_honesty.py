"""Every case runs offline against every installed backend, and never passes unclaimed."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from kingress import ClusterIngress, Feature, Readiness, TranslateContext, Translation
from kingress.backends import BackendRegistry
from kingress.plugin.manager import build_registry
from kingress_conformance.catalog import all_cases
from kingress_conformance.outcome import Outcome
from kingress_conformance.suite import Options, run
from kingress_istio import IstioBackend


class ClaimsLittle:
    """The Istio backend, claiming only ``basics``."""

    name = "claims-little"
    ingress_classes = frozenset({"claims-little.ingress.networking.knative.dev"})
    features = frozenset({Feature.BASICS})

    def translate(self, ingress: ClusterIngress, context: TranslateContext) -> Translation:
        return IstioBackend().translate(ingress, context)

    def check_ready(
        self, ingress: ClusterIngress, applied: Sequence[dict[str, object]]
    ) -> Readiness:
        return Readiness.serving()


def test_every_installed_backend_runs_every_case() -> None:
    entries = build_registry().entries()
    report = run(entries, all_cases(), Options())
    assert [i.backend for i in report.implementations] == [e.backend.name for e in entries]
    cases = {case.key: case for case in all_cases()}
    for implementation, entry in zip(report.implementations, entries, strict=True):
        assert [r.key for r in implementation.results] == list(cases)
        for result in implementation.results:
            needs = cases[result.key].features
            if result.outcome == Outcome.PASSED:
                assert needs <= entry.backend.features, result.key
            if not needs <= entry.backend.features:
                assert result.outcome == Outcome.NOT_SUPPORTED, result.key
                assert result.reason.startswith("needs features the backend does not claim")


def test_unclaimed_features_are_not_supported_never_passed() -> None:
    registry = BackendRegistry()
    registry.add(ClaimsLittle(), distribution="tests")
    report = run(registry.entries(), all_cases(), Options())
    outcomes = {r.key: r.outcome for r in report.implementations[0].results}
    assert {k for k, o in outcomes.items() if o == Outcome.PASSED} <= {
        "basics",
        "ingressclass",
        "contract/class-change",
    }
    assert outcomes["dispatch/percentage"] == Outcome.NOT_SUPPORTED


@pytest.mark.parametrize("feature", sorted(Feature))
def test_claiming_via_options_overrides_the_declaration(feature: Feature) -> None:
    options = Options(features=frozenset({feature}))
    report = run(build_registry().entries()[:1], all_cases(), options)
    for result in report.implementations[0].results:
        case = next(c for c in all_cases() if c.key == result.key)
        if not case.features <= {feature}:
            assert result.outcome == Outcome.NOT_SUPPORTED
