"""Deployments and Services as the Revision controller writes them, built option by option.

``deployment("hello-00001", with_env("TARGET", "v1"))`` reads like the object
it means; every option returns a modified copy.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from kingress.api.annotations import REVISION_LABEL
from kingress.cluster.port import Object

Option = Callable[[Object], Object]
NAMESPACE = "default"
IMAGE = "gcr.io/knative-samples/helloworld-go"


def _apply(obj: Object, options: tuple[Option, ...]) -> Object:
    for option in options:
        obj = option(copy.deepcopy(obj))
    return obj


def deployment(revision: str, *options: Option) -> Object:
    """The Deployment ``<revision>-deployment``: one replica, the sample image, ``PORT=8080``."""
    labels = {REVISION_LABEL: revision, "app": revision}
    container: dict[str, Any] = {
        "name": "user-container",
        "image": IMAGE,
        "ports": [{"name": "user-port", "containerPort": 8080, "protocol": "TCP"}],
        "env": [{"name": "PORT", "value": "8080"}],
    }
    obj: Object = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"{revision}-deployment", "namespace": NAMESPACE, "labels": labels},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {REVISION_LABEL: revision}},
            "template": {"metadata": {"labels": dict(labels)}, "spec": {"containers": [container]}},
        },
    }
    return _apply(obj, options)


def _container(obj: Object) -> dict[str, Any]:
    container: dict[str, Any] = obj["spec"]["template"]["spec"]["containers"][0]
    return container


def with_env(name: str, value: str) -> Option:
    """The container gets ``name=value`` (after what it has)."""

    def option(obj: Object) -> Object:
        _container(obj).setdefault("env", []).append({"name": name, "value": value})
        return obj

    return option


def with_env_from(name: str, source: dict[str, Any]) -> Option:
    """The container gets ``name`` from ``valueFrom``."""

    def option(obj: Object) -> Object:
        _container(obj).setdefault("env", []).append({"name": name, "valueFrom": source})
        return obj

    return option


def with_container_port(number: int | None, name: str = "") -> Option:
    """The container declares this port (``None``: no port at all)."""

    def option(obj: Object) -> Object:
        container = _container(obj)
        if number is None:
            container.pop("ports", None)
        else:
            container["ports"] = (
                [{"name": name, "containerPort": number}] if name else [{"containerPort": number}]
            )
        return obj

    return option


def with_sidecar(image: str) -> Option:
    """A portless container before the serving one."""

    def option(obj: Object) -> Object:
        containers = obj["spec"]["template"]["spec"]["containers"]
        containers.insert(0, {"name": "sidecar", "image": image})
        return obj

    return option


def with_replicas(replicas: int | None) -> Option:
    """``spec.replicas`` (``None``: unset)."""

    def option(obj: Object) -> Object:
        if replicas is None:
            obj["spec"].pop("replicas", None)
        else:
            obj["spec"]["replicas"] = replicas
        return obj

    return option


def with_finalizer(name: str) -> Option:
    """A finalizer, so deletion only marks the object."""

    def option(obj: Object) -> Object:
        obj["metadata"].setdefault("finalizers", []).append(name)
        return obj

    return option


def service(revision: str, *options: Option) -> Object:
    """The revision's Kubernetes Service: port 80 ``http`` to 8080, selecting its pods."""
    obj: Object = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {
            "name": revision,
            "namespace": NAMESPACE,
            "labels": {REVISION_LABEL: revision},
        },
        "spec": {
            "selector": {REVISION_LABEL: revision},
            "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080}],
        },
    }
    return _apply(obj, options)


def h2c(obj: Object) -> Object:
    """The port is ``http2`` with ``appProtocol: kubernetes.io/h2c``."""
    obj["spec"]["ports"][0].update(name="http2", appProtocol="kubernetes.io/h2c")
    return obj


def with_target_port(target: int | str | None) -> Option:
    """The port's ``targetPort`` (``None``: unset, so it is the port itself)."""

    def option(obj: Object) -> Object:
        port = obj["spec"]["ports"][0]
        if target is None:
            port.pop("targetPort", None)
        else:
            port["targetPort"] = target
        return obj

    return option


def with_extra_port(name: str, port: int, target: int | str) -> Option:
    """Another Service port."""

    def option(obj: Object) -> Object:
        obj["spec"]["ports"].append({"name": name, "port": port, "targetPort": target})
        return obj

    return option


def with_selector(selector: dict[str, str] | None) -> Option:
    """The selector (``None``: none, so Kubernetes writes no Endpoints)."""

    def option(obj: Object) -> Object:
        if selector is None:
            obj["spec"].pop("selector", None)
        else:
            obj["spec"]["selector"] = selector
        return obj

    return option


def external_name(obj: Object) -> Object:
    """An ExternalName Service."""
    obj["spec"]["type"] = "ExternalName"
    obj["spec"]["externalName"] = "example.com"
    return obj
