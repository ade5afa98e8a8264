"""The serving controllers with the local runtime: a Knative Service answers real HTTP.

The seed's HelloWorld goes through the Service, Configuration and Revision
reconcilers; the local runtime runs each Revision's Deployment, writes the
Endpoints of its Kubernetes Service and reports it available, so the
Revision becomes Ready for real — and its address answers as the sample.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest

from kingress.api.kinds import default_scheme
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, Object
from kingress.controller.clock import FakeClock
from kingress.controller.reconciler import Reconciler
from kingress.controller.settle import settle
from kingress.localrt import LocalRuntime
from kingress.serving.configuration import ConfigurationReconciler
from kingress.serving.labeler import Labeler
from kingress.serving.revision import RevisionReconciler
from kingress.serving.service import ServiceReconciler
from tests.localrt.support import get

REVISION = Kind("serving.knative.dev", "Revision")
ENDPOINTS = Kind("", "Endpoints")
KNATIVE_SERVICE = Kind("serving.knative.dev", "Service")
CLOCK = FakeClock()


def helloworld(target: str) -> Object:
    """The seed's v1alpha1 ``runLatest`` Service, admitted as the API would."""
    manifest = {
        "apiVersion": "serving.knative.dev/v1alpha1",
        "kind": "Service",
        "metadata": {"name": "helloworld-go", "namespace": "default"},
        "spec": {
            "runLatest": {
                "configuration": {
                    "revisionTemplate": {
                        "spec": {
                            "container": {
                                "image": "registry.cn-shanghai.aliyuncs.com/larus/helloworld-go",
                                "env": [{"name": "TARGET", "value": target}],
                            }
                        }
                    }
                }
            }
        },
    }
    return default_scheme().admit(copy.deepcopy(manifest))


@pytest.fixture
def controllers(tmp_path: Path) -> Iterator[list[Reconciler]]:
    with LocalRuntime(tmp_path) as runtime:
        yield [
            ServiceReconciler(),
            ConfigurationReconciler(),
            RevisionReconciler(),
            Labeler(),
            runtime,
        ]


def ready(obj: Object) -> str:
    conditions = obj.get("status", {}).get("conditions", ())
    return str(next(c["status"] for c in conditions if c["type"] == "Ready"))


def answer(store: MemoryCluster, revision: str) -> str:
    """What the address in the revision's Endpoints answers."""
    endpoints = store.get(ENDPOINTS, "default", revision)
    (subset,) = endpoints["subsets"]
    assert subset["addresses"] == [{"ip": "127.0.0.1"}]
    (port,) = subset["ports"]
    assert port["name"] == "http"
    return get(port["port"]).body


def test_each_revision_becomes_ready_and_answers_with_its_target(
    controllers: list[Reconciler],
) -> None:
    store = MemoryCluster()
    store.create(helloworld("Go Sample v1"))
    settle(store, controllers, CLOCK)

    assert ready(store.get(REVISION, "default", "helloworld-go-00001")) == "True"
    assert answer(store, "helloworld-go-00001") == "Hello Go Sample v1!\n"

    service = store.get(KNATIVE_SERVICE, "default", "helloworld-go")
    updated = helloworld("Go Sample v2")
    updated["metadata"]["resourceVersion"] = service["metadata"]["resourceVersion"]
    store.update(updated)
    settle(store, controllers, CLOCK)

    assert ready(store.get(REVISION, "default", "helloworld-go-00002")) == "True"
    assert answer(store, "helloworld-go-00002") == "Hello Go Sample v2!\n"
    assert answer(store, "helloworld-go-00001") == "Hello Go Sample v1!\n"
