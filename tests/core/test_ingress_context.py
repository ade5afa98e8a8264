"""Reading a translation's context from the cluster, and tracking what was read."""

from __future__ import annotations

from kingress.backends import BackendService, EndpointAddress, ServicePort
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Kind, ObjectRef
from kingress.controller.ingress.context import (
    CONFIG_MAP,
    ENDPOINTS,
    SERVICE,
    IngressSettings,
    backend_service,
    read_context,
    split_services,
)
from kingress.controller.tracker import Tracker
from kingress.testing import ingress, path, rule, split

TWO_SERVICES = ingress(
    rules=[
        rule(["a.example.com"], paths=[path(splits=[split("b", 50), split("a", 50)])]),
        rule(["b.example.com"], paths=[path("/x", splits=[split("a", port="http")])]),
    ]
)


def test_split_services_are_unique_and_sorted() -> None:
    assert split_services(TWO_SERVICES) == [("default", "a"), ("default", "b")]


def test_backend_service_reads_ports_type_and_ready_endpoints_only() -> None:
    service = {
        "metadata": {"name": "a", "namespace": "default"},
        "spec": {
            "type": "NodePort",
            "clusterIP": "10.96.0.1",
            "ports": [
                {"name": "http", "port": 80, "targetPort": "web"},
                {"port": 81, "targetPort": 8013, "appProtocol": "kubernetes.io/h2c"},
            ],
        },
    }
    endpoints = {
        "subsets": [
            {
                "addresses": [{"ip": "10.0.0.3"}, {"ip": "10.0.0.1"}],
                "notReadyAddresses": [{"ip": "10.0.0.2"}],
                "ports": [{"name": "web", "port": 8080}, {"port": 8013}],
            },
            {"addresses": [{"ip": "10.0.0.4"}]},
        ]
    }
    assert backend_service(service, endpoints) == BackendService(
        namespace="default",
        name="a",
        type="NodePort",
        cluster_ip="10.96.0.1",
        ports=(
            ServicePort(name="http", port=80, target_port="web"),
            ServicePort(port=81, target_port=8013, app_protocol="kubernetes.io/h2c"),
        ),
        endpoints=(
            EndpointAddress(ip="10.0.0.1", port=8013),
            EndpointAddress(ip="10.0.0.1", port=8080, port_name="web"),
            EndpointAddress(ip="10.0.0.3", port=8013),
            EndpointAddress(ip="10.0.0.3", port=8080, port_name="web"),
        ),
    )
    assert backend_service({"metadata": {"name": "x"}}, None).type == "ClusterIP"


def test_read_context_returns_what_exists_and_every_reference_it_tried() -> None:
    store = MemoryCluster()
    store.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}, "spec": {}})
    store.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "config-gw", "namespace": "gateways"},
            "data": {"b": "2", "a": "1"},
        }
    )
    settings = IngressSettings(system_namespace="gateways", cluster_domain="corp.local")
    context, reads = read_context(store, "gw", TWO_SERVICES, settings)
    assert dict(context.config) == {"a": "1", "b": "2"}
    assert context.cluster_domain == "corp.local"
    assert list(context.services) == [("default", "a")]
    assert reads == (
        ObjectRef(CONFIG_MAP, "gateways", "config-gw"),
        ObjectRef(SERVICE, "default", "a"),
        ObjectRef(ENDPOINTS, "default", "a"),
        ObjectRef(SERVICE, "default", "b"),
        ObjectRef(ENDPOINTS, "default", "b"),
    )


def test_the_tracker_maps_a_read_object_back_to_its_readers() -> None:
    kind = Kind("x", "Primary")
    one, two = ObjectRef(kind, "ns", "one"), ObjectRef(kind, "ns", "two")
    service = ObjectRef(SERVICE, "ns", "svc")
    config = ObjectRef(CONFIG_MAP, "system", "config")
    tracker = Tracker()
    tracker.track(one, [service, config])
    tracker.track(two, [config])
    mapper = tracker.mapper()
    config_map = {"apiVersion": "v1", "kind": "ConfigMap"}
    assert list(mapper({**config_map, "metadata": {"namespace": "system", "name": "config"}})) == [
        one,
        two,
    ]
    tracker.track(one, [service])
    assert tracker.readers(config) == [two]
    assert tracker.readers(service) == [one]
    tracker.forget(one)
    tracker.forget(two)
    assert tracker.readers(service) == tracker.readers(config) == []
