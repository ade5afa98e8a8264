"""The cluster depth against ``kingress apiserver`` and the real ClusterIngress controller.

Objects go in over HTTP through ``KubeCluster``; the controller (offline
reconcilers: istio translation, the offline prober) marks ingresses Ready.
There is no kubelet or endpoints controller here, so a stand-in writes an
Endpoints object for every test Service, and no gateway: the tests stand a
test server (or nothing) behind the gateway Service's NodePort or load
balancer address to see the depth find it, pass, fail and clean up.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from kingress.cli.main import main as conformance_main
from kingress.cluster.errors import AlreadyExists
from kingress.cluster.kube import KubeCluster
from kingress.cluster.port import Kind, Object
from kingress.controller.registry import offline_reconcilers
from kingress.plugin.manager import build_registry
from kingress.runtime.testing import connect, running_apiserver, running_controller
from kingress_conformance.case import NAMESPACE, Case
from kingress_conformance.cases import (
    basics,
    basics_http2,
    contract_class_change,
    update,
    visibility,
)
from kingress_conformance.depths import Depth
from kingress_conformance.depths import cluster_objects as objects
from kingress_conformance.depths.cluster import PRIVATE_REASON, ClusterSession
from kingress_conformance.depths.cluster_gateway import GatewayLocator, GatewayUnreachable
from kingress_conformance.depths.cluster_wait import ready_problem
from kingress_conformance.outcome import Outcome
from kingress_conformance.selection import backends_for
from kingress_conformance.servers import ServerConfig, TestServer
from kingress_conformance.suite import Options

SERVICE = Kind("", "Service")
ENDPOINTS = Kind("", "Endpoints")
DEPLOYMENT = Kind("apps", "Deployment")
INGRESS = Kind("networking.internal.knative.dev", "ClusterIngress")
GATEWAY = ("istio-system", "istio-ingressgateway")
ISTIO_CLASS = "istio.ingress.networking.knative.dev"


@dataclass
class Recording:
    """A ``Cluster`` that remembers what was created and every ClusterIngress it read."""

    inner: KubeCluster
    created: list[Object] = field(default_factory=list)
    ingresses_read: list[Object] = field(default_factory=list)

    def get(self, kind: Kind, namespace: str, name: str) -> Object:
        obj = self.inner.get(kind, namespace, name)
        if kind == INGRESS:
            self.ingresses_read.append(obj)
        return obj

    def create(self, obj: Object) -> Object:
        self.created.append(obj)
        return self.inner.create(obj)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def of_kind(self, kind: str) -> list[Object]:
        return [o for o in self.created if o["kind"] == kind]


def _stand_in_endpoints(kube: KubeCluster, stop: threading.Event) -> None:
    """The endpoints controller's part: one ready address for every selecting Service."""
    while not stop.wait(0.05):
        for service in kube.list(SERVICE, NAMESPACE):
            meta = service["metadata"]
            port = service["spec"]["ports"][0]
            endpoints = {
                "apiVersion": "v1",
                "kind": "Endpoints",
                "metadata": {"name": meta["name"], "namespace": NAMESPACE},
                "subsets": [
                    {
                        "addresses": [{"ip": "10.0.0.7"}],
                        "ports": [{"name": port["name"], "port": port["targetPort"]}],
                    }
                ],
            }
            with contextlib.suppress(AlreadyExists):
                kube.create(endpoints)


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Iterator[Path]:
    stop = threading.Event()
    with running_apiserver(tmp_path, backends=build_registry()) as (_server, config):
        thread = threading.Thread(target=_stand_in_endpoints, args=(connect(config), stop))
        thread.start()
        try:
            yield config
        finally:
            stop.set()
            thread.join()


@pytest.fixture
def controlled(kubeconfig: Path) -> Iterator[Path]:
    with running_controller(kubeconfig, offline_reconcilers(), "conformance"):
        yield kubeconfig


def _gateway_service(kube: KubeCluster, node_port: int) -> Object:
    namespace, name = GATEWAY
    with contextlib.suppress(AlreadyExists):
        kube.create(objects.namespace(namespace))
    return kube.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {
                "type": "NodePort",
                "selector": {"istio": "ingressgateway"},
                "ports": [
                    {"name": "http2", "port": 80, "targetPort": 8080, "nodePort": node_port},
                    {"name": "https", "port": 443, "targetPort": 8443, "nodePort": 1},
                ],
            },
        }
    )


def _session(
    kubeconfig: Path, endpoint: str | None = "127.0.0.1"
) -> tuple[ClusterSession, Recording]:
    [entry] = backends_for(build_registry(), ("istio",))
    options = Options(
        depth=Depth.CLUSTER,
        kubeconfig=kubeconfig,
        ingress_endpoint=endpoint,
        ready_timeout=20.0,
        max_time_to_consistency=3.0,
    )
    opened = ClusterSession.open(entry.backend, options)
    assert isinstance(opened, ClusterSession)
    recording = Recording(connect(kubeconfig))
    return ClusterSession(entry.backend, recording, options), recording


def _left(kube: KubeCluster, case: Case) -> list[str]:
    selector = objects.selector(case.key)
    return [
        f"{o['kind']} {o['metadata']['name']}"
        for kind in (INGRESS, DEPLOYMENT, SERVICE)
        for o in kube.list(kind, NAMESPACE, selector)
    ]


def _closed_port() -> int:
    with TestServer(ServerConfig(name="closed")) as server:
        return server.address[1]


def test_basics_passes_through_the_nodeport_and_cleans_up(controlled: Path) -> None:
    kube = connect(controlled)
    with TestServer(ServerConfig(name="basics")) as gateway:
        _gateway_service(kube, gateway.address[1])
        session, recording = _session(controlled)
        result = session.run(basics.CASE)
    assert result.outcome == Outcome.PASSED, result.reason

    [deployment] = recording.of_kind("Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "kingress/conformance:dev"
    assert container["args"] == ["--name", "basics", "--kind", "runtime"]
    [service] = recording.of_kind("Service")
    assert service["spec"]["selector"] == {"app": "basics"}
    assert service["spec"]["ports"] == [
        {"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}
    ]
    [ingress] = recording.of_kind("ClusterIngress")
    assert ingress["metadata"]["annotations"]["networking.knative.dev/ingress.class"] == (
        ISTIO_CLASS
    )
    # Ready was awaited: the last read before traffic saw Ready for the current generation.
    ready = recording.ingresses_read[-1]
    assert ready["status"]["observedGeneration"] == ready["metadata"]["generation"]
    assert {"type": "Ready", "status": "True"}.items() <= ready["status"]["conditions"][-1].items()
    assert _left(kube, basics.CASE) == []


def test_a_failed_check_still_cleans_up(controlled: Path) -> None:
    kube = connect(controlled)
    with TestServer(ServerConfig(name="someone-else")) as gateway:
        _gateway_service(kube, gateway.address[1])
        session, _ = _session(controlled)
        result = session.run(basics.CASE)
    assert result.outcome == Outcome.FAILED
    assert "someone-else" in result.reason
    assert _left(kube, basics.CASE) == []


def test_h2c_service_shape_and_an_unreachable_gateway(controlled: Path) -> None:
    kube = connect(controlled)
    _gateway_service(kube, _closed_port())
    session, recording = _session(controlled)
    result = session.run(basics_http2.CASE)
    assert result.outcome == Outcome.FAILED
    assert "reach: gateway unreachable: 127.0.0.1:" in result.reason
    [service] = recording.of_kind("Service")
    assert service["spec"]["ports"][0]["name"] == "http2"
    assert service["spec"]["ports"][0]["appProtocol"] == "kubernetes.io/h2c"
    assert _left(kube, basics_http2.CASE) == []


def test_without_a_load_balancer_address_the_reason_says_so(controlled: Path) -> None:
    _gateway_service(connect(controlled), _closed_port())
    session, _ = _session(controlled, endpoint=None)
    result = session.run(basics.CASE)
    assert result.outcome == Outcome.FAILED
    assert (
        "gateway unreachable: Service istio-system/istio-ingressgateway has no load balancer"
        in (result.reason)
    )


def test_ready_is_awaited_with_a_bound_and_reported(kubeconfig: Path) -> None:
    # No controller: nothing ever marks the ingress Ready.
    session, _ = _session(kubeconfig)
    session.options = Options(depth=Depth.CLUSTER, kubeconfig=kubeconfig, ready_timeout=2.0)
    result = session.run(basics.CASE)
    assert result.outcome == Outcome.FAILED
    assert "ready: ClusterIngress kingress-conformance/basics not Ready within 2s" in result.reason
    assert _left(connect(kubeconfig), basics.CASE) == []


def test_private_gateway_cases_are_skipped_saying_why(kubeconfig: Path) -> None:
    session, recording = _session(kubeconfig)
    result = session.run(visibility.CASE)
    assert (result.outcome, result.reason) == (Outcome.SKIPPED, PRIVATE_REASON)
    assert recording.created == []


def test_locator_follows_the_load_balancer_status(kubeconfig: Path) -> None:
    kube = connect(kubeconfig)
    service = _gateway_service(kube, 31080)
    status = {
        "ingress": [{"domainInternal": "istio-ingressgateway.istio-system.svc.cluster.local"}]
    }
    assert GatewayLocator(kube, "127.0.0.1").endpoint(status) == ("127.0.0.1", 31080)
    with pytest.raises(GatewayUnreachable, match="no NodePort for port 443"):
        service["spec"]["ports"].pop()
        kube.update(service)
        GatewayLocator(kube, "127.0.0.1").endpoint(status, tls=True)
    current = kube.get(SERVICE, *GATEWAY)
    current["status"] = {"loadBalancer": {"ingress": [{"ip": "192.0.2.10"}]}}
    kube.update_status(current)
    assert GatewayLocator(kube).endpoint(status, tls=True) == ("192.0.2.10", 443)
    assert GatewayLocator(kube).endpoint({"ingress": [{"ip": "192.0.2.1"}]}) == ("192.0.2.1", 80)
    with pytest.raises(GatewayUnreachable, match="reports no load balancer"):
        GatewayLocator(kube).endpoint({})
    with pytest.raises(GatewayUnreachable, match="no Service"):
        GatewayLocator(kube).endpoint({"ingress": [{"domainInternal": "gone.nowhere.svc"}]})


def test_the_command_runs_the_cluster_depth(
    controlled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _gateway_service(connect(controlled), _closed_port())
    code = conformance_main(
        [
            "conformance", "--depth", "cluster", "--kubeconfig", str(controlled),
            "--ingress-class", "istio", "--ingress-endpoint", "127.0.0.1",
            "--case", "basics", "--ready-timeout", "20",
        ]
    )  # fmt: skip
    assert code == 1
    assert "gateway unreachable" in capsys.readouterr().out


def test_relocated_moves_every_namespace_reference() -> None:
    wire = objects.ingress(basics.CASE.ingresses[0], ISTIO_CLASS, "elsewhere", basics.CASE.key)
    assert wire["metadata"]["namespace"] == "elsewhere"
    assert NAMESPACE not in str(wire)


def test_class_change_deletes_the_ingress_then_restores_it(controlled: Path) -> None:
    kube = connect(controlled)
    # The stand-in gateway answers for the backend whatever the ingresses say.
    with TestServer(ServerConfig(name="class-change")) as gateway:
        _gateway_service(kube, gateway.address[1])
        session, recording = _session(controlled)
        result = session.run(contract_class_change.CASE)
    assert result.outcome == Outcome.FAILED
    assert "after the change: not consistent within 3s: answered 200" in result.reason
    assert len(recording.of_kind("ClusterIngress")) == 2, "deleted, then created again"
    assert _left(kube, contract_class_change.CASE) == []


def test_update_waits_for_each_version_to_be_ready(controlled: Path) -> None:
    kube = connect(controlled)
    with TestServer(ServerConfig(name="nobody")) as gateway:
        _gateway_service(kube, gateway.address[1])
        session, recording = _session(controlled)
        result = session.run(update.CASE)
    assert result.outcome == Outcome.FAILED
    assert "via public: version 1, first request after ready:" in result.reason
    generations = {
        o["metadata"]["generation"] for o in recording.ingresses_read if not ready_problem(o)
    }
    assert {1, 2} <= generations, "Ready seen for the first version and for the update"
    assert _left(kube, update.CASE) == []
