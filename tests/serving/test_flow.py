"""The serving controllers together, driven by ``settle`` over the embedded store.

The seed's HelloWorld: a v1alpha1 ``runLatest`` Service becomes a
Configuration, Revision ``-00001``, its Deployment and Kubernetes Service, and
a Route; an update stamps ``-00002`` and keeps ``-00001``; a failing new
Revision leaves the last ready one serving.
"""

from __future__ import annotations

import copy
from typing import Any

from kingress.api.annotations import ROUTE_LABEL, ROUTES_ANNOTATION
from kingress.api.kinds import default_scheme
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, Object
from kingress.controller.clock import FakeClock
from kingress.controller.reconciler import Reconciler
from kingress.controller.registry import offline_reconcilers
from kingress.controller.settle import settle
from kingress.serving import access
from kingress.serving.configuration import ConfigurationReconciler
from kingress.serving.labeler import Labeler
from kingress.serving.revision import RevisionReconciler
from kingress.serving.service import ServiceReconciler
from tests.serving.tabletest import START

IMAGE = "registry.cn-shanghai.aliyuncs.com/larus/helloworld-go"
NS = "default"


def helloworld(target: str = "Go Sample v1", form: dict[str, Any] | None = None) -> Object:
    """The seed's sample Service (``runLatest`` unless another form is given)."""
    configuration = {
        "revisionTemplate": {
            "spec": {"container": {"image": IMAGE, "env": [{"name": "TARGET", "value": target}]}}
        }
    }
    spec = {"runLatest": {"configuration": configuration}}
    if form is not None:
        spec = {name: {**body, "configuration": configuration} for name, body in form.items()}
    return {
        "apiVersion": "serving.knative.dev/v1alpha1",
        "kind": "Service",
        "metadata": {"name": "helloworld-go", "namespace": NS},
        "spec": spec,
    }


def apply(store: MemoryCluster, manifest: Object) -> None:
    """Admit a manifest and create or update it, like ``kubectl apply``."""
    admitted = default_scheme().admit(copy.deepcopy(manifest))
    existing = access.get(store, access.SERVICE, NS, admitted["metadata"]["name"])
    if existing is None:
        store.create(admitted)
    else:
        store.update(admitted)


def get(store: MemoryCluster, kind: Kind, name: str) -> Object:
    return store.get(kind, NS, name)


def names(store: MemoryCluster, kind: Kind) -> list[str]:
    return [o["metadata"]["name"] for o in store.list(kind, NS)]


def ready(obj: Object) -> tuple[str, str]:
    condition = next(c for c in obj.get("status", {}).get("conditions", ()) if c["type"] == "Ready")
    return condition["status"], condition.get("reason", "")


def new_store() -> MemoryCluster:
    return MemoryCluster(clock=lambda: START)


def test_helloworld_runs_to_a_ready_revision() -> None:
    store = new_store()
    apply(store, helloworld())
    settle(store, offline_reconcilers(), FakeClock(START))

    configuration = get(store, access.CONFIGURATION, "helloworld-go")
    assert configuration["status"]["latestCreatedRevisionName"] == "helloworld-go-00001"
    assert configuration["status"]["latestReadyRevisionName"] == "helloworld-go-00001"
    assert configuration["status"]["observedGeneration"] == 1
    assert ready(configuration) == ("True", "")
    assert ready(get(store, access.REVISION, "helloworld-go-00001")) == ("True", "")

    deployment = get(store, access.DEPLOYMENT, "helloworld-go-00001-deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == IMAGE
    assert {"name": "TARGET", "value": "Go Sample v1"} in container["env"]
    assert (
        get(store, access.KUBERNETES_SERVICE, "helloworld-go-00001")["spec"]["ports"][0]["port"]
        == 80
    )

    route = get(store, access.ROUTE, "helloworld-go")
    assert route["spec"]["traffic"] == [
        {"configurationName": "helloworld-go", "latestRevision": True, "percent": 100}
    ]
    service = get(store, access.SERVICE, "helloworld-go")
    assert service["status"]["latestReadyRevisionName"] == "helloworld-go-00001"
    # The Route and ClusterIngress controllers run too: the whole Service is Ready.
    assert ready(service) == ("True", "")
    assert service["status"]["url"] == "http://helloworld-go.default.example.com"
    assert service["status"]["traffic"] == [
        {"revisionName": "helloworld-go-00001", "latestRevision": True, "percent": 100}
    ]
    for kind in (access.CONFIGURATION, access.REVISION):
        recorded = store.list(kind, NS)[0]["metadata"]
        assert recorded["labels"][ROUTE_LABEL] == "helloworld-go"
        assert recorded["annotations"][ROUTES_ANNOTATION] == "helloworld-go"

    settled_at = store.resource_version
    settle(store, offline_reconcilers(), FakeClock(START))
    assert store.resource_version == settled_at


def test_updating_the_service_stamps_a_second_revision_and_keeps_the_first() -> None:
    store = new_store()
    apply(store, helloworld())
    settle(store, offline_reconcilers(), FakeClock(START))
    apply(store, helloworld("Go Sample v2"))
    settle(store, offline_reconcilers(), FakeClock(START))

    assert names(store, access.REVISION) == ["helloworld-go-00001", "helloworld-go-00002"]
    assert names(store, access.DEPLOYMENT) == [
        "helloworld-go-00001-deployment",
        "helloworld-go-00002-deployment",
    ]
    configuration = get(store, access.CONFIGURATION, "helloworld-go")
    assert configuration["metadata"]["generation"] == 2
    assert configuration["status"]["latestReadyRevisionName"] == "helloworld-go-00002"
    second = get(store, access.REVISION, "helloworld-go-00002")
    assert second["spec"]["containers"][0]["env"] == [{"name": "TARGET", "value": "Go Sample v2"}]
    assert second["metadata"]["labels"]["serving.knative.dev/configurationGeneration"] == "2"
    service = get(store, access.SERVICE, "helloworld-go")
    assert service["status"]["observedGeneration"] == 2
    assert service["status"]["latestCreatedRevisionName"] == "helloworld-go-00002"


def test_a_failing_new_revision_leaves_the_last_ready_one() -> None:
    store = new_store()
    apply(store, helloworld())
    settle(store, offline_reconcilers(), FakeClock(START))
    apply(store, helloworld("Go Sample v2"))
    serving_only: list[Reconciler] = [
        ServiceReconciler(),
        ConfigurationReconciler(),
        RevisionReconciler(),
        Labeler(),
    ]
    settle(store, serving_only, FakeClock(START))
    deployment = get(store, access.DEPLOYMENT, "helloworld-go-00002-deployment")
    message = 'ReplicaSet "helloworld-go-00002-deployment-7c" has timed out progressing.'
    store.update_status(
        {
            **deployment,
            "status": {
                "conditions": [
                    {
                        "type": "Progressing",
                        "status": "False",
                        "reason": "ProgressDeadlineExceeded",
                        "message": message,
                    }
                ]
            },
        }
    )
    settle(store, serving_only, FakeClock(START))

    assert ready(get(store, access.REVISION, "helloworld-go-00002")) == (
        "False",
        "ProgressDeadlineExceeded",
    )
    configuration = get(store, access.CONFIGURATION, "helloworld-go")
    assert configuration["status"]["latestCreatedRevisionName"] == "helloworld-go-00002"
    assert configuration["status"]["latestReadyRevisionName"] == "helloworld-go-00001"
    condition = configuration["status"]["conditions"][0]
    assert condition["reason"] == "RevisionFailed"
    assert condition["message"] == (
        f'Revision "helloworld-go-00002" failed with message: {message}.'
    )
    assert ready(get(store, access.SERVICE, "helloworld-go")) == ("False", "RevisionFailed")


def test_pending_deployments_keep_revisions_deploying() -> None:
    store = new_store()
    apply(store, helloworld())
    settle(store, offline_reconcilers(pending=True), FakeClock(START))
    assert ready(get(store, access.REVISION, "helloworld-go-00001")) == ("Unknown", "Deploying")
    configuration = get(store, access.CONFIGURATION, "helloworld-go")
    assert "latestReadyRevisionName" not in configuration["status"]


def test_release_with_latest_records_both_revisions() -> None:
    store = new_store()
    apply(store, helloworld())
    settle(store, offline_reconcilers(), FakeClock(START))
    release = {"release": {"revisions": ["helloworld-go-00001", "@latest"], "rolloutPercent": 20}}
    apply(store, helloworld("Go Sample v2", form=release))
    settle(store, offline_reconcilers(), FakeClock(START))

    route = get(store, access.ROUTE, "helloworld-go")
    assert [
        (t.get("tag"), t.get("revisionName"), t.get("percent")) for t in route["spec"]["traffic"]
    ] == [
        ("current", "helloworld-go-00001", 80),
        ("candidate", None, 20),
        ("latest", None, None),
    ]
    for name in ("helloworld-go-00001", "helloworld-go-00002"):
        meta = get(store, access.REVISION, name)["metadata"]
        assert meta["annotations"][ROUTES_ANNOTATION] == "helloworld-go"


def test_manual_service_leaves_user_managed_children_alone() -> None:
    store = new_store()
    scheme = default_scheme()
    store.create(
        scheme.admit(
            {
                "apiVersion": "serving.knative.dev/v1alpha1",
                "kind": "Service",
                "metadata": {"name": "helloworld-go", "namespace": NS},
                "spec": {"manual": {}},
            }
        )
    )
    user_route = scheme.admit(
        {
            "apiVersion": "serving.knative.dev/v1",
            "kind": "Route",
            "metadata": {"name": "helloworld-go", "namespace": NS},
            "spec": {"traffic": [{"configurationName": "mine", "percent": 100}]},
        }
    )
    store.create(user_route)
    settle(store, offline_reconcilers(), FakeClock(START))
    assert names(store, access.CONFIGURATION) == []
    route = get(store, access.ROUTE, "helloworld-go")
    assert route["spec"] == user_route["spec"]
    assert not route["metadata"].get("ownerReferences")
    assert ready(get(store, access.SERVICE, "helloworld-go")) == ("Unknown", "Manual")
