"""Shared helpers for the Contour backend tests (exposed as fixtures)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pytest

from kingress import BackendService, ClusterIngress, Translation, insert_probe
from kingress.testing import translate_context
from kingress_contour import ContourBackend

Translate = Callable[..., Translation]


def run_translate(
    ingress: ClusterIngress,
    *,
    config: Mapping[str, str] | None = None,
    services: Iterable[BackendService] = (),
    cluster_domain: str = "cluster.local",
    probe: bool = False,
) -> Translation:
    """Translate with a context built from the arguments (probe paths added on request)."""
    if probe:
        ingress, _ = insert_probe(ingress)
    context = translate_context(config=config, services=services, cluster_domain=cluster_domain)
    return ContourBackend().translate(ingress, context)


def proxies_by_host(translation: Translation) -> dict[str, dict[str, Any]]:
    """HTTPProxies keyed ``"<contour class> <fqdn>"``."""
    return {
        f"{obj['spec']['ingressClassName']} {obj['spec']['virtualhost']['fqdn']}": obj
        for obj in translation.objects
        if obj["kind"] == "HTTPProxy"
    }


@pytest.fixture
def translate() -> Translate:
    """``translate(ingress, config=..., services=..., cluster_domain=..., probe=...)``."""
    return run_translate
