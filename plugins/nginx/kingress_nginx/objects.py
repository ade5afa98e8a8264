"""The metadata every object the NGINX backends emit carries.

Only labels and annotations kingress generates are written: a ClusterIngress's
own annotations are never copied onto gateway objects, because on an Ingress
an annotation such as ``nginx.ingress.kubernetes.io/configuration-snippet``
would be raw NGINX configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kingress import INGRESS_LABEL, ClusterIngress
from kingress_nginx.names import LABEL_LIMIT


def make_object(
    ingress: ClusterIngress,
    *,
    api_version: str,
    kind: str,
    name: str,
    spec: dict[str, Any],
    annotations: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A namespaced wire-form object owned (by label) by ``ingress``."""
    metadata: dict[str, Any] = {"name": name, "namespace": ingress.metadata.namespace}
    if len(ingress.metadata.name) <= LABEL_LIMIT:
        metadata["labels"] = {INGRESS_LABEL: ingress.metadata.name}
    if annotations:
        metadata["annotations"] = dict(sorted(annotations.items()))
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, "spec": spec}


def sort_objects(objects: list[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    """Objects in a stable order: by kind, then name."""
    return tuple(sorted(objects, key=lambda o: (o["kind"], o["metadata"]["name"])))
