"""The wire-form objects the cluster depth creates for a case (pure builders, no I/O).

Each served test Service becomes a Deployment running the suite's own test
server (``conformance/Dockerfile``: ``python -m kingress_conformance.servers``
on port 8080, here with the Service's name, kind and suffix) and a Service on
port 80 named ``http`` (``http2`` with appProtocol ``kubernetes.io/h2c`` for
h2c servers), exactly the shape ``pipeline.service_objects`` gives the offline
and local depths. Every object carries ``LABEL`` so cleanup can find it.
Case objects are written in ``case.NAMESPACE``; ``relocated`` moves an
ingress (its splits and TLS secrets too) into the namespace of the run.
"""

from __future__ import annotations

from typing import Any

from kingress import INGRESS_CLASS, ClusterIngress
from kingress.cluster.port import Object
from kingress_conformance.case import NAMESPACE, SERVICE_PORT, TestService

#: The label on every object the cluster depth creates (value: the case key, slashes dashed).
LABEL = "conformance.kingress.dev/case"
#: The port the test server listens on inside its container (the Dockerfile's EXPOSE).
SERVER_PORT = 8080


def case_label(key: str) -> str:
    """A label value for a case key (``dispatch/path`` → ``dispatch-path``)."""
    return key.replace("/", "-")


def selector(key: str) -> str:
    """The label selector of every object of case ``key``."""
    return f"{LABEL}={case_label(key)}"


def namespace(name: str) -> Object:
    """The test namespace."""
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def _metadata(name: str, ns: str, key: str) -> dict[str, Any]:
    return {"name": name, "namespace": ns, "labels": {"app": name, LABEL: case_label(key)}}


def deployment(service: TestService, ns: str, key: str, image: str) -> Object:
    """One replica of the test server standing behind ``service``; ready once it listens."""
    args = ["--name", service.name, "--kind", service.server_kind]
    if service.suffix:
        args += ["--suffix", service.suffix]
    container = {
        "name": "server",
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "args": args,
        "ports": [{"name": "http", "containerPort": SERVER_PORT, "protocol": "TCP"}],
        "readinessProbe": {"tcpSocket": {"port": SERVER_PORT}, "periodSeconds": 1},
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(service.name, ns, key),
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": service.name}},
            "template": {
                "metadata": {"labels": {"app": service.name, LABEL: case_label(key)}},
                "spec": {"containers": [container]},
            },
        },
    }


def service(test_service: TestService, ns: str, key: str) -> Object:
    """The Service in front of the test server: port 80, named and typed for its protocol."""
    port: dict[str, Any] = {
        "name": test_service.port_name,
        "port": SERVICE_PORT,
        "targetPort": SERVER_PORT,
        "protocol": "TCP",
    }
    if test_service.app_protocol:
        port["appProtocol"] = test_service.app_protocol
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(test_service.name, ns, key),
        "spec": {"type": "ClusterIP", "selector": {"app": test_service.name}, "ports": [port]},
    }


def relocated(obj: Object, ns: str) -> Object:
    """``obj`` with every reference to ``case.NAMESPACE`` moved to ``ns`` (a no-op for it)."""
    if ns == NAMESPACE:
        return obj

    def move(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: ns if k.lower().endswith("namespace") and v == NAMESPACE else move(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [move(v) for v in value]
        return value

    moved: Object = move(obj)
    return moved


def ingress(source: ClusterIngress, ingress_class: str, ns: str, key: str) -> Object:
    """The case's ingress with the class under test, in ``ns``, labelled for cleanup."""
    wire = relocated(source.to_dict(), ns)
    written = wire.get("metadata") or {}
    # Only what a client writes: the builders' uid or generation would be preconditions.
    wire["metadata"] = {
        "name": written["name"],
        "namespace": written["namespace"],
        "labels": {**(written.get("labels") or {}), LABEL: case_label(key)},
        "annotations": {**(written.get("annotations") or {}), INGRESS_CLASS: ingress_class},
    }
    wire.pop("status", None)
    return wire


def labelled(obj: Object, key: str) -> Object:
    """``obj`` with the cleanup label of case ``key`` added."""
    metadata = obj.setdefault("metadata", {})
    metadata.setdefault("labels", {})[LABEL] = case_label(key)
    return obj
