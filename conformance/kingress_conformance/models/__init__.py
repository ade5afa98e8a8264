"""Documented models of the targets' routing rules, one module per target.

Each model is a pure ``decide(objects, request, env) -> Decision`` written from
the target's documentation (sources listed on the model and in
docs/conformance.md), deliberately separate from the translator it judges. A
model is chosen by the objects a translation produced (their API group and
kind), so it judges any backend that emits that target's objects, in-tree or
third-party.
"""

from __future__ import annotations

from collections.abc import Sequence

from kingress_conformance.models.contour import ContourModel
from kingress_conformance.models.decision import Decision, Model, ModelEnv, ModelError, Object
from kingress_conformance.models.envoy import EnvoyModel
from kingress_conformance.models.ingress_nginx import IngressNginxModel
from kingress_conformance.models.istio import IstioModel
from kingress_conformance.models.nginx import NginxVirtualServerModel

#: Every model, tried in order.
MODELS: tuple[Model, ...] = (
    IstioModel(),
    EnvoyModel(),
    ContourModel(),
    NginxVirtualServerModel(),
    IngressNginxModel(),
)


def model_for(objects: Sequence[Object]) -> Model | None:
    """The model that recognizes these objects, if any."""
    return next((model for model in MODELS if model.recognizes(objects)), None)


__all__ = ["MODELS", "Decision", "Model", "ModelEnv", "ModelError", "model_for"]
