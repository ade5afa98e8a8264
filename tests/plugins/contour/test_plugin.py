"""The backend is found through its entry point and declares exactly what Contour can do."""

from __future__ import annotations

from kingress import Backend, Feature
from kingress.plugin.manager import build_registry
from kingress_contour import CONTOUR_INGRESS_CLASS, FEATURES, ContourBackend


def test_discovered_through_entry_point() -> None:
    registry = build_registry(blocked=())
    backend = registry.for_class("contour.ingress.networking.knative.dev")
    assert isinstance(backend, ContourBackend)
    assert backend.name == "contour"
    entry = next(e for e in registry.entries() if e.backend.name == "contour")
    assert entry.distribution == "kingress"


def test_blocked_by_name() -> None:
    assert not build_registry(blocked=["contour"]).claims(CONTOUR_INGRESS_CLASS)


def test_is_a_backend() -> None:
    backend = ContourBackend()
    assert isinstance(backend, Backend)
    assert backend.ingress_classes == frozenset({CONTOUR_INGRESS_CLASS})


def test_declared_features() -> None:
    assert ContourBackend().features == FEATURES
    assert frozenset(Feature) - FEATURES == {Feature.HOST_REWRITE, Feature.UPDATE}
