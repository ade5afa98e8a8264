"""Finding a backend's local data plane through the registry (no plugin imported by the core)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kingress.backends import BackendRegistry, UnknownIngressClass
from kingress.dataplane import DataPlaneSettings, NoLocalDataPlane, local_data_plane
from kingress.plugin.manager import build_registry


def test_the_data_plane_is_found_by_class(tmp_path: Path) -> None:
    registry = build_registry()
    settings = DataPlaneSettings(workdir=tmp_path)
    assert local_data_plane(registry, "envoy.ingress.networking.knative.dev", settings)
    with pytest.raises(NoLocalDataPlane, match="backends that can: envoy"):
        local_data_plane(registry, "istio.ingress.networking.knative.dev", settings)
    with pytest.raises(UnknownIngressClass):
        local_data_plane(BackendRegistry(), "envoy.ingress.networking.knative.dev", settings)
