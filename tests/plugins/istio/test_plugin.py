"""The backend is found through its entry point and satisfies the Backend contract."""

from __future__ import annotations

from kingress import ALL_FEATURES, Backend, Feature
from kingress.plugin.manager import build_registry
from kingress_istio import FEATURES, IstioBackend

ISTIO_CLASS = "istio.ingress.networking.knative.dev"


def test_entry_point_registers_the_backend_for_its_class() -> None:
    registry = build_registry(blocked=())
    backend = registry.for_class(ISTIO_CLASS)
    assert isinstance(backend, IstioBackend)
    entry = next(e for e in registry.entries() if e.backend is backend)
    assert entry.distribution == "kingress"


def test_backend_contract() -> None:
    backend = IstioBackend()
    assert isinstance(backend, Backend)
    assert backend.name == "istio"
    assert backend.ingress_classes == frozenset({ISTIO_CLASS})
    assert backend.features == FEATURES


def test_blocked_plugin_is_not_registered() -> None:
    assert not build_registry(blocked=("istio",)).claims(ISTIO_CLASS)


def test_declared_features() -> None:
    assert FEATURES <= ALL_FEATURES
    # Everything but zero-downtime updates (see docs/backends/istio.md).
    assert {Feature.UPDATE} == ALL_FEATURES - FEATURES
