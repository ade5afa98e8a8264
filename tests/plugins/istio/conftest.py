"""Fixtures for the Istio backend tests: the backend and a translate helper."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import pytest

from kingress import BackendService, ClusterIngress, Translation, insert_probe
from kingress.testing import translate_context
from kingress_istio import IstioBackend

Translate = Callable[..., Translation]


@pytest.fixture
def backend() -> IstioBackend:
    """A fresh backend."""
    return IstioBackend()


@pytest.fixture
def translate(backend: IstioBackend) -> Translate:
    """Translate an ingress the way the core calls the backend.

    Keyword arguments: ``config`` (config map data), ``services`` (BackendServices),
    ``cluster_domain`` and ``probe`` (insert the probe paths first, as the core does).
    """

    def run(
        ingress: ClusterIngress,
        *,
        config: Mapping[str, str] | None = None,
        services: tuple[BackendService, ...] = (),
        cluster_domain: str = "cluster.local",
        probe: bool = False,
    ) -> Translation:
        if probe:
            ingress, _ = insert_probe(ingress)
        context = translate_context(config=config, services=services, cluster_domain=cluster_domain)
        return backend.translate(ingress, context)

    return run
