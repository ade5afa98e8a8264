# The kubernetes client accepts dicts where its generated signatures name model classes,
# returns `object` from the custom-objects API and leaves much untyped: relax those checks.
# mypy: disable-error-code="arg-type,index,union-attr,no-untyped-call,operator"
"""An API server per test, and the real ``kubernetes`` client pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kubernetes import client

from kingress.apiserver.server import ApiServer
from kingress.cluster.kube import load_api_client
from kingress.runtime.testing import running_apiserver


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[ApiServer, Path]]:
    with running_apiserver(tmp_path) as running:
        yield running


@pytest.fixture
def api_client(server: tuple[ApiServer, Path]) -> Iterator[client.ApiClient]:
    api = load_api_client(str(server[1]))
    yield api
    api.close()
