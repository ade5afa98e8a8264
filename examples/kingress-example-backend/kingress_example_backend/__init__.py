"""An example third-party kingress backend, installed as its own distribution.

It claims ``example.ingress.networking.knative.dev`` and turns each
ClusterIngress into one ConfigMap, ``<ingress>-routes``, holding a readable
routing table. It uses only ``from kingress import ...``.
"""

from __future__ import annotations

from kingress_example_backend.backend import INGRESS_CLASS, ExampleBackend

__all__ = ["INGRESS_CLASS", "ExampleBackend"]
