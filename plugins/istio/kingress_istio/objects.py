"""Wire-form envelopes of the Istio objects this backend emits.

Every object is a plain dict in the Kubernetes wire form (``apiVersion``,
``kind``, ``metadata``, ``spec``). The API version is ``networking.istio.io/v1``,
the version the Istio CRDs serve and store. Builders elsewhere fill ``spec``;
this module owns the envelope so every object carries the same namespace and
labels.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from kingress import INGRESS_LABEL, ClusterIngress, TranslationError

#: Istio's networking API group and the version we write (served and stored by the CRDs).
GROUP = "networking.istio.io"
API_VERSION = f"{GROUP}/v1"

#: The reserved gateway name that means "every sidecar in the mesh".
MESH_GATEWAY = "mesh"

Object = dict[str, Any]

# A Kubernetes label value: at most 63 characters, alphanumerics with -_. inside.
_LABEL_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?")


class Kind(StrEnum):
    """The Istio kinds this backend emits."""

    VIRTUAL_SERVICE = "VirtualService"
    GATEWAY = "Gateway"


def ingress_namespace(ingress: ClusterIngress) -> str:
    """The namespace every emitted object goes to: the ClusterIngress's own."""
    namespace = ingress.metadata.namespace
    if not namespace:
        raise TranslationError(
            "metadata.namespace: the istio backend needs a namespaced ClusterIngress"
        )
    return namespace


def make_object(kind: Kind, name: str, ingress: ClusterIngress, spec: Object) -> Object:
    """An Istio object named ``name`` in the ingress's namespace, labelled with the ingress.

    The ``networking.internal.knative.dev/ingress`` label is set here when the
    ingress name is a valid label value (the core sets it too); a longer name
    is left to the core rather than producing an invalid object.
    """
    metadata: Object = {"name": name, "namespace": ingress_namespace(ingress)}
    if ingress.metadata.name and _LABEL_VALUE.fullmatch(ingress.metadata.name):
        metadata["labels"] = {INGRESS_LABEL: ingress.metadata.name}
    return {"apiVersion": API_VERSION, "kind": str(kind), "metadata": metadata, "spec": spec}
