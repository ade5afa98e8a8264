"""The Deployment running a Revision's pods (Knative's ``MakeDeployment``, without sidecars).

What Knative adds around the user's container and kingress does not (yet):
the queue-proxy sidecar (request queueing, concurrency limits, metrics for the
autoscaler), digest-resolved images, and replica counts driven by the
autoscaler. The user's container runs as written, one replica, probed directly.
"""

from __future__ import annotations

from typing import Any, Final

from kingress.api.annotations import (
    APP_LABEL,
    CONFIGURATION_LABEL,
    LAST_APPLIED,
    REVISION_LABEL,
    ROUTE_LABEL,
    ROUTES_ANNOTATION,
    ROUTING_STATE_LABEL,
    SERVICE_LABEL,
)
from kingress.api.serving import Container, Revision
from kingress.cluster.port import Object
from kingress.serving import names
from kingress.serving.resources.meta import owner_reference, without

#: Knative's ``DefaultUserPort``: the port a container listens on when it names none.
DEFAULT_USER_PORT: Final = 8080
#: Knative's name for the serving port of the user container.
USER_PORT_NAME: Final = "user-port"
#: Knative's ``progress-deadline`` default (config-deployment), in seconds.
PROGRESS_DEADLINE_SECONDS: Final = 600
#: The replicas a Revision starts with (Knative's ``initial-scale`` default).
INITIAL_REPLICAS: Final = 1
#: A container port with this name serves HTTP/2 without TLS (Knative's h2c).
H2C_PORT_NAME: Final = "h2c"

#: Revision labels that change while the Revision serves; copying them into the
#: pod template would roll the pods (Knative's ``excludeLabels``).
_EXCLUDED_LABELS = frozenset({ROUTE_LABEL, ROUTING_STATE_LABEL})
_EXCLUDED_ANNOTATIONS = frozenset({ROUTES_ANNOTATION, LAST_APPLIED})


def serving_container(revision: Revision) -> Container:
    """The container receiving requests: the one with a port, else the first."""
    containers = revision.spec.containers
    with_port = next((c for c in containers if c.ports), None)
    return with_port or (containers[0] if containers else Container())


def user_port(revision: Revision) -> int:
    """The serving container's port (Knative's ``getUserPort``)."""
    ports = serving_container(revision).ports
    if ports and ports[0].container_port:
        return ports[0].container_port
    return DEFAULT_USER_PORT


def is_h2c(revision: Revision) -> bool:
    """Whether the Revision serves cleartext HTTP/2 (its port is named ``h2c``)."""
    ports = serving_container(revision).ports
    return bool(ports) and ports[0].name == H2C_PORT_NAME


def make_labels(revision: Revision) -> dict[str, str]:
    """The Revision's labels minus routing state, plus its name and ``app``."""
    labels = without(revision.metadata.labels, _EXCLUDED_LABELS)
    labels[REVISION_LABEL] = revision.metadata.name
    labels.setdefault(APP_LABEL, revision.metadata.name)
    return labels


def make_annotations(revision: Revision) -> dict[str, str]:
    """The Revision's annotations minus the labeler's record and kubectl's."""
    return without(revision.metadata.annotations, _EXCLUDED_ANNOTATIONS)


def selector(revision: Revision) -> dict[str, str]:
    """The labels selecting exactly the Revision's pods."""
    return {REVISION_LABEL: revision.metadata.name}


def _probe(probe: dict[str, Any] | None, port: int) -> dict[str, Any]:
    """The user's readiness probe aimed at the serving port; TCP on it by default."""
    if not probe or not any(k in probe for k in ("httpGet", "tcpSocket", "exec", "grpc")):
        return {**(probe or {}), "tcpSocket": {"port": port}}
    result = dict(probe)
    if "tcpSocket" in result:
        result["tcpSocket"] = {**result["tcpSocket"], "port": port}
    if "httpGet" in result and not result["httpGet"].get("port"):
        result["httpGet"] = {**result["httpGet"], "port": port}
    return result


def _knative_env(revision: Revision) -> list[dict[str, str]]:
    labels = revision.metadata.labels
    return [
        {"name": "PORT", "value": str(user_port(revision))},
        {"name": "K_REVISION", "value": revision.metadata.name},
        {"name": "K_CONFIGURATION", "value": labels.get(CONFIGURATION_LABEL, "")},
        {"name": "K_SERVICE", "value": labels.get(SERVICE_LABEL, "")},
    ]


def _container(revision: Revision, container: Container, serving: bool) -> Object:
    body = container.to_dict()
    if not serving:
        return body
    port = user_port(revision)
    body["ports"] = [{"name": USER_PORT_NAME, "containerPort": port, "protocol": "TCP"}]
    body["env"] = [*body.get("env", ()), *_knative_env(revision)]
    body["readinessProbe"] = _probe(body.get("readinessProbe"), port)
    return body


def make_pod_spec(revision: Revision) -> Object:
    """The pod spec: the user's containers and pod fields, grace period = request timeout."""
    spec = revision.spec
    serving = serving_container(revision)
    pod: Object = dict(spec.model_extra or {})
    pod["containers"] = [_container(revision, c, c is serving) for c in spec.containers]
    if spec.service_account_name:
        pod["serviceAccountName"] = spec.service_account_name
    if spec.timeout_seconds is not None:
        pod["terminationGracePeriodSeconds"] = spec.timeout_seconds
    return pod


def make_deployment(revision: Revision) -> Object:
    """The ``apps/v1`` Deployment ``<revision>-deployment``, owned by the Revision."""
    labels = make_labels(revision)
    annotations = make_annotations(revision)
    metadata: Object = {
        "name": names.deployment(revision.metadata.name),
        "namespace": revision.metadata.namespace,
        "labels": labels,
        "ownerReferences": [owner_reference(revision).to_dict()],
    }
    template_metadata: Object = {"labels": dict(labels)}
    if annotations:
        metadata["annotations"] = annotations
        template_metadata["annotations"] = dict(annotations)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata,
        "spec": {
            "replicas": INITIAL_REPLICAS,
            "selector": {"matchLabels": selector(revision)},
            "progressDeadlineSeconds": PROGRESS_DEADLINE_SECONDS,
            "template": {"metadata": template_metadata, "spec": make_pod_spec(revision)},
        },
    }
