"""The Kubernetes Service in front of a Revision's pods.

Named after the Revision, it selects the Revision's pods and exposes port 80,
named ``http`` (or ``http2`` with ``appProtocol: kubernetes.io/h2c`` when the
container's port is named ``h2c``), as Knative's private revision Service does
(``networking.ServicePortName``). Knative targets its queue-proxy; kingress,
having no queue-proxy, targets the container port directly.
"""

from __future__ import annotations

from typing import Final

from kingress.api.serving import Revision
from kingress.cluster.port import Object
from kingress.serving import names
from kingress.serving.resources.deployment import (
    is_h2c,
    make_annotations,
    make_labels,
    selector,
    user_port,
)
from kingress.serving.resources.meta import owner_reference

#: The port every revision Service listens on (Knative's ``ServiceHTTPPort``).
SERVICE_PORT: Final = 80
PORT_NAME_HTTP1: Final = "http"
PORT_NAME_H2C: Final = "http2"
APP_PROTOCOL_H2C: Final = "kubernetes.io/h2c"


def make_kubernetes_service(revision: Revision) -> Object:
    """The ``v1`` Service ``<revision>``, owned by the Revision."""
    port: Object = {
        "name": PORT_NAME_H2C if is_h2c(revision) else PORT_NAME_HTTP1,
        "protocol": "TCP",
        "port": SERVICE_PORT,
        "targetPort": user_port(revision),
    }
    if is_h2c(revision):
        port["appProtocol"] = APP_PROTOCOL_H2C
    metadata: Object = {
        "name": names.kubernetes_service(revision.metadata.name),
        "namespace": revision.metadata.namespace,
        "labels": make_labels(revision),
        "ownerReferences": [owner_reference(revision).to_dict()],
    }
    annotations = make_annotations(revision)
    if annotations:
        metadata["annotations"] = annotations
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": metadata,
        "spec": {"ports": [port], "selector": selector(revision)},
    }
