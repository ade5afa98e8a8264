"""The local runtime's pure decisions: which process a Deployment wants, and its Endpoints.

Nothing here touches a process or the cluster; the reconciler reads the world,
asks these functions what it should look like, and makes it so.

- ``make_process_spec``: what to run for a Deployment — the serving
  container's image (recorded, never run: every image is served by the
  built-in ``helloworld`` sample) and its literal environment — or nothing
  when the Deployment is scaled to zero.
- ``decide``: keep, start, restart, recover or stop, from what runs and what is wanted.
- ``selects`` and ``make_endpoints``: the Endpoints Kubernetes' endpoints
  controller would write for a Service selecting the Deployment's pods, with
  the one local process as the only address.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from kingress.cluster.port import Kind, Object

DEPLOYMENT: Final = Kind("apps", "Deployment")
SERVICE: Final = Kind("", "Service")
ENDPOINTS: Final = Kind("", "Endpoints")

#: Marks the Endpoints the local runtime wrote (Kubernetes' own carry none).
RUNTIME_LABEL: Final = "kingress.dev/local-runtime"
#: The one address every local process listens on.
LOOPBACK: Final = "127.0.0.1"
#: The port a container listens on when it declares none (Knative's ``DefaultUserPort``).
DEFAULT_CONTAINER_PORT: Final = 8080


@dataclass(frozen=True, slots=True)
class ContainerPort:
    """The port the serving container listens on in its pod, as Services target it."""

    number: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class ProcessSpec:
    """What one local process runs for a Deployment; a different spec means a restart."""

    #: The serving container's image: recorded for logs, never pulled or run.
    image: str
    #: The container's literal environment, in order, one value per name.
    env: tuple[tuple[str, str], ...]
    #: The port Services target; the process itself gets a free loopback port.
    port: ContainerPort
    #: A digest of the whole pod template: any template change rolls the process,
    #: as any change rolls a Deployment's pods.
    template_hash: str


class ProcessAction(StrEnum):
    """What to do with a Deployment's process."""

    #: Running with the wanted spec.
    KEEP = "keep"
    #: Nothing runs and one is wanted.
    START = "start"
    #: One runs (or ran) with an older template.
    RESTART = "restart"
    #: It died: the Deployment is unavailable until a new one answers.
    RECOVER = "recover"
    #: One runs and none is wanted (scaled to zero).
    STOP = "stop"
    #: Nothing runs and nothing is wanted.
    IDLE = "idle"


def _template(deployment: Object) -> dict[str, Any]:
    return dict((deployment.get("spec") or {}).get("template") or {})


def template_labels(deployment: Object) -> dict[str, str]:
    """The labels of the Deployment's pods (what Service selectors match)."""
    return dict((_template(deployment).get("metadata") or {}).get("labels") or {})


def serving_container(pod_spec: Mapping[str, Any]) -> dict[str, Any]:
    """The container receiving requests: the first with a port, else the first (as Knative)."""
    containers = list(pod_spec.get("containers") or ())
    with_port = next((c for c in containers if c.get("ports")), None)
    return dict(with_port or (containers[0] if containers else {}))


def literal_env(container: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """The container's ``env`` entries with a literal value; a later entry wins a name.

    ``valueFrom`` (ConfigMaps, Secrets, the downward API) and ``envFrom`` are
    not resolved: those variables are left unset.
    """
    values: dict[str, str] = {}
    for entry in container.get("env") or ():
        name = entry.get("name")
        if not name or "valueFrom" in entry:
            continue
        values[name] = str(entry.get("value") or "")
    return tuple(values.items())


def container_port(container: Mapping[str, Any]) -> ContainerPort:
    """Its first declared port, else ``$PORT`` from its env, else 8080."""
    ports = container.get("ports") or ()
    if ports and ports[0].get("containerPort"):
        return ContainerPort(int(ports[0]["containerPort"]), ports[0].get("name") or "")
    declared = dict(literal_env(container)).get("PORT", "")
    return ContainerPort(int(declared) if declared.isdigit() else DEFAULT_CONTAINER_PORT)


def serving_port(deployment: Object) -> ContainerPort:
    """The port of the Deployment's serving container."""
    return container_port(serving_container(_template(deployment).get("spec") or {}))


def template_hash(deployment: Object) -> str:
    """A short digest of the pod template (stable across dict ordering)."""
    text = json.dumps(_template(deployment), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def wanted_replicas(deployment: Object) -> int:
    """1, or 0 when the Deployment is scaled to zero: one process serves any replica count."""
    replicas = (deployment.get("spec") or {}).get("replicas")
    return 0 if replicas == 0 else 1


def make_process_spec(deployment: Object) -> ProcessSpec | None:
    """The process the Deployment wants, or ``None`` when it is scaled to zero."""
    if not wanted_replicas(deployment):
        return None
    container = serving_container(_template(deployment).get("spec") or {})
    return ProcessSpec(
        image=str(container.get("image") or ""),
        env=literal_env(container),
        port=container_port(container),
        template_hash=template_hash(deployment),
    )


def decide(running: ProcessSpec | None, alive: bool, wanted: ProcessSpec | None) -> ProcessAction:
    """What to do, given the spec of the process we started (if any) and whether it lives."""
    if wanted is None:
        return ProcessAction.IDLE if running is None else ProcessAction.STOP
    if running is None:
        return ProcessAction.START
    if running != wanted:
        return ProcessAction.RESTART
    return ProcessAction.KEEP if alive else ProcessAction.RECOVER


def selects(service: Object, pod_labels: Mapping[str, str]) -> bool:
    """Whether the endpoints controller would put these pods behind ``service``.

    Only Services with a selector get Endpoints from Kubernetes (the others'
    are written by hand), and ExternalName Services get none.
    """
    spec = service.get("spec") or {}
    selector = spec.get("selector") or {}
    if not selector or spec.get("type") == "ExternalName":
        return False
    return all(pod_labels.get(key) == value for key, value in selector.items())


def _targets(service_port: Mapping[str, Any], port: ContainerPort) -> bool:
    """Whether a Service port's ``targetPort`` (number or name) is the container's port."""
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, str):
        return bool(port.name) and target == port.name
    return bool(target == port.number)


def _endpoint_port(service_port: Mapping[str, Any], local_port: int) -> dict[str, Any]:
    result: dict[str, Any] = {"port": local_port, "protocol": service_port.get("protocol") or "TCP"}
    if service_port.get("name"):
        result["name"] = service_port["name"]
    if service_port.get("appProtocol"):
        result["appProtocol"] = service_port["appProtocol"]
    return result


def make_endpoints(service: Object, deployment: Object, port: int | None) -> Object:
    """The Endpoints of ``service`` with the Deployment's process, listening on ``port``, behind it.

    Named and labelled like the Service (as Kubernetes writes them) plus
    ``RUNTIME_LABEL``. Each Service port aimed at the container's port maps to
    the local ``port``, keeping its name and ``appProtocol``; with no process
    serving (``port`` is ``None``) or no such Service port, there are no subsets.
    """
    meta = service.get("metadata") or {}
    labels = {**(meta.get("labels") or {}), RUNTIME_LABEL: "true"}
    endpoints: Object = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {"name": meta["name"], "namespace": meta.get("namespace"), "labels": labels},
    }
    if port is None:
        return endpoints
    container = serving_port(deployment)
    ports = [
        _endpoint_port(p, port)
        for p in (service.get("spec") or {}).get("ports") or ()
        if _targets(p, container)
    ]
    if ports:
        endpoints["subsets"] = [{"addresses": [{"ip": LOOPBACK}], "ports": ports}]
    return endpoints


def is_runtime_endpoints_of(endpoints: Object, deployment_name: str) -> bool:
    """Whether the runtime wrote ``endpoints`` for the Deployment named ``deployment_name``."""
    meta = endpoints.get("metadata") or {}
    if (meta.get("labels") or {}).get(RUNTIME_LABEL) != "true":
        return False
    return any(
        ref.get("controller")
        and ref.get("kind") == DEPLOYMENT.kind
        and ref.get("apiVersion", "").startswith(f"{DEPLOYMENT.group}/")
        and ref.get("name") == deployment_name
        for ref in meta.get("ownerReferences") or ()
    )
