"""Every controller, run by the runtime against ``kingress apiserver`` through the real client.

No in-process shortcut: objects go in over HTTP with the ``kubernetes``
client, the runtime's informers watch them, and the reconcilers write back
over HTTP. Deployments are marked available by the stand-in kubelet (there is
no kubelet here), and gateways are assumed to serve what they are given
(no gateway pods to probe).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kingress.api.annotations import INGRESS_CLASS
from kingress.cluster.errors import Conflict, NotFound
from kingress.cluster.kube import KubeCluster
from kingress.cluster.port import Kind
from kingress.controller.registry import offline_reconcilers
from kingress.plugin.manager import build_registry
from kingress.runtime import testing
from kingress.runtime.testing import connect, running_apiserver, running_controller

#: Generous bounds: the whole suite may be running on two busy cores.
wait_until = functools.partial(testing.wait_until, timeout=90.0)
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
KSVC = Kind("serving.knative.dev", "Service")
ROUTE = Kind("serving.knative.dev", "Route")
REVISION = Kind("serving.knative.dev", "Revision")
INGRESS = Kind("networking.internal.knative.dev", "ClusterIngress")
VIRTUAL_SERVICE = Kind("networking.istio.io", "VirtualService")
HTTP_PROXY = Kind("projectcontour.io", "HTTPProxy")


@pytest.fixture
def kube(tmp_path: Path) -> Iterator[KubeCluster]:
    with (
        running_apiserver(tmp_path, backends=build_registry()) as (_server, kubeconfig),
        running_controller(kubeconfig, offline_reconcilers(), "e2e", lease_namespace="default"),
    ):
        yield connect(kubeconfig)


def _example(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((EXAMPLES / name).read_text())
    return loaded


def _ready(obj: dict[str, Any]) -> bool:
    status = obj.get("status") or {}
    conditions = {c["type"]: c["status"] for c in status.get("conditions") or ()}
    return conditions.get("Ready") == "True" and status.get("observedGeneration") == obj[
        "metadata"
    ].get("generation")


def _get(kube: KubeCluster, kind: Kind, name: str) -> dict[str, Any] | None:
    try:
        return kube.get(kind, "default", name)
    except NotFound:
        return None


def _change_service(kube: KubeCluster, change: Callable[[dict[str, Any]], None]) -> None:
    """Read, change and write the Service, again on a conflict (controllers write it too)."""
    for _ in range(20):
        current = kube.get(KSVC, "default", "helloworld-go")
        change(current)
        try:
            kube.update(current)
            return
        except Conflict:
            continue
    raise AssertionError("the Service kept changing under the test")


def _service_ready(kube: KubeCluster) -> bool:
    service = _get(kube, KSVC, "helloworld-go")
    return service is not None and _ready(service)


def test_a_service_becomes_ready_splits_and_changes_class(kube: KubeCluster) -> None:
    kube.create(_example("helloworld.yaml"))
    wait_until(lambda: _service_ready(kube), what="the Service to become Ready")
    service = kube.get(KSVC, "default", "helloworld-go")
    assert service["status"]["url"] == "http://helloworld-go.default.example.com"
    assert [v["metadata"]["name"] for v in kube.list(VIRTUAL_SERVICE, "default")] == [
        "helloworld-go-ingress",
        "helloworld-go-mesh",
    ]

    # A second revision, then a 50/50 split between the two (v1 traffic block).
    def to_v2(current: dict[str, Any]) -> None:
        update = _example("helloworld-v2.yaml")
        update["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
        current.clear()
        current.update(update)

    _change_service(kube, to_v2)
    wait_until(lambda: _get(kube, REVISION, "helloworld-go-00002") is not None, what="-00002")
    wait_until(lambda: _service_ready(kube), what="the update to become Ready")

    def split(current: dict[str, Any]) -> None:
        current["apiVersion"] = "serving.knative.dev/v1"
        current["spec"] = {
            "template": current["spec"]["template"],
            "traffic": [
                {"revisionName": "helloworld-go-00001", "percent": 50},
                {"revisionName": "helloworld-go-00002", "percent": 50},
            ],
        }
        current["metadata"]["annotations"].pop("serving.kingress.dev/v1alpha1-form", None)

    _change_service(kube, split)

    def split_is_served() -> bool:
        ingress = _get(kube, INGRESS, "helloworld-go")
        if ingress is None or not _ready(ingress):
            return False
        paths = ingress["spec"]["rules"][0]["http"]["paths"]
        return sorted((s["serviceName"], s["percent"]) for s in paths[-1]["splits"]) == [
            ("helloworld-go-00001", 50),
            ("helloworld-go-00002", 50),
        ]

    wait_until(split_is_served, what="the 50/50 split on a Ready ClusterIngress")
    route = kube.get(ROUTE, "default", "helloworld-go")
    assert sorted((t["revisionName"], t["percent"]) for t in route["status"]["traffic"]) == [
        ("helloworld-go-00001", 50),
        ("helloworld-go-00002", 50),
    ]

    # Move the Service to Contour: the Istio objects go, Contour's come, one ClusterIngress.
    _change_service(
        kube,
        lambda latest: (
            latest["metadata"].setdefault("annotations", {}).update({INGRESS_CLASS: "contour"})
        ),
    )
    wait_until(
        lambda: not kube.list(VIRTUAL_SERVICE, "default") and kube.list(HTTP_PROXY, "default"),
        what="the class change to replace VirtualServices with HTTPProxies",
    )
    [ingress] = kube.list(INGRESS, "default")
    assert ingress["metadata"]["annotations"][INGRESS_CLASS] == (
        "contour.ingress.networking.knative.dev"
    )

    # No Contour runs here: until it accepts the HTTPProxies the route waits for it.
    def waiting_for_contour() -> bool:
        conditions = kube.get(KSVC, "default", "helloworld-go")["status"]["conditions"]
        return any(c["type"] == "RoutesReady" and c["status"] == "Unknown" for c in conditions)

    wait_until(waiting_for_contour, what="the Service to wait for Contour")
    # Play Contour's part: mark every HTTPProxy valid, as Contour's status writer would.
    for proxy in kube.list(HTTP_PROXY, "default"):
        proxy["status"] = {"currentStatus": "valid", "description": "Valid HTTPProxy"}
        kube.update_status(proxy)
    wait_until(lambda: _service_ready(kube), what="the Service Ready on Contour")
