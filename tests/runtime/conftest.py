"""An API server per test, and a ``KubeCluster`` client for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kingress.apiserver.server import ApiServer
from kingress.cluster.kube import KubeCluster
from kingress.runtime.testing import connect, running_apiserver


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[ApiServer, Path]]:
    with running_apiserver(tmp_path) as running:
        yield running


@pytest.fixture
def kube(server: tuple[ApiServer, Path]) -> KubeCluster:
    return connect(server[1])
