"""The three depths a case runs at: ``offline``, ``local`` and ``cluster``."""

from __future__ import annotations

from enum import StrEnum


class Depth(StrEnum):
    """How deep a conformance run goes."""

    #: Translate, schema-check, and route every request through a model of the target.
    OFFLINE = "offline"
    #: Real test servers, the backend's real local gateway, real HTTP on loopback.
    LOCAL = "local"
    #: A Kubernetes cluster (``--kubeconfig``): Deployments, Services, ClusterIngresses.
    CLUSTER = "cluster"
