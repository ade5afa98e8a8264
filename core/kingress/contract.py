"""Contract checks for backend tests: the rules the core holds every backend to.

A backend's own tests call these with their own ingresses (build them with
``kingress.testing``)::

    from kingress.contract import check_backend

    def test_contract() -> None:
        check_backend(MyGateway(), simple_ingress(ingress_class=MY_CLASS))

Each check takes the ingress as a user would write it and runs it through the
same pipeline the controller uses (default, validate, insert probe paths,
translate, check the output). A broken rule raises ``ContractViolation``, an
``AssertionError``, so pytest reports it as a test failure naming the rule.
"""

from __future__ import annotations

import json
from typing import Any

from kingress.api.ingress import ClusterIngress
from kingress.backends import Backend, Readiness, TranslateContext, Translation
from kingress.features import ALL_FEATURES, Feature
from kingress.headers import HASH_HEADER
from kingress.ingress.pipeline import BackendFailure, Prepared, prepare, translate


class ContractViolation(AssertionError):
    """A backend broke a rule of the backend contract; the message names it."""


def translated(
    backend: Backend, ingress: ClusterIngress, context: TranslateContext | None = None
) -> Translation:
    """What the core would apply for ``ingress`` (labelled, checked objects).

    The ingress must be valid; a backend failure or invalid output is a
    ``ContractViolation`` carrying the reason and message the controller would set.
    """
    return _translate(backend, prepare(ingress), context or TranslateContext())


def check_declarations(backend: Backend) -> None:
    """``name``, ``ingress_classes`` and ``features`` are what the registry expects."""
    if not isinstance(backend.name, str) or not backend.name:
        raise ContractViolation(f"name must be a non-empty string, got {backend.name!r}")
    classes = backend.ingress_classes
    if not isinstance(classes, frozenset) or not classes:
        raise ContractViolation("ingress_classes must be a non-empty frozenset")
    if not all(isinstance(c, str) and "." in c for c in classes):
        raise ContractViolation(f"ingress classes must be full class names, got {sorted(classes)}")
    features = backend.features
    if not isinstance(features, frozenset) or not features <= ALL_FEATURES:
        raise ContractViolation(f"features must be a frozenset of kingress.Feature: {features!r}")


def check_deterministic(
    backend: Backend, ingress: ClusterIngress, context: TranslateContext | None = None
) -> None:
    """Same input, same output: twice in a row, and with every input map in another order."""
    context = context or TranslateContext()
    first = translated(backend, ingress, context)
    if translated(backend, ingress, context) != first:
        raise ContractViolation("translate is not deterministic: two calls gave different output")
    if translated(backend, reordered(ingress), context) != first:
        raise ContractViolation(
            "translate depends on the order of keys in the ingress's maps "
            "(headers, appendHeaders, annotations, labels)"
        )


def check_probe(
    backend: Backend, ingress: ClusterIngress, context: TranslateContext | None = None
) -> None:
    """A backend claiming ``probe`` carries the probe paths' header and hash to the gateway."""
    if Feature.PROBE not in backend.features:
        return
    prepared = prepare(ingress)
    text = json.dumps(_translate(backend, prepared, context or TranslateContext()).objects)
    if prepared.hash not in text or HASH_HEADER.lower() not in text.lower():
        raise ContractViolation(
            f"the probe paths are missing: the output never mentions {HASH_HEADER} "
            f"and the ingress hash {prepared.hash}"
        )


def check_readiness(
    backend: Backend, ingress: ClusterIngress, context: TranslateContext | None = None
) -> None:
    """``check_ready`` answers a ``Readiness`` for the objects as applied, and for none yet."""
    prepared = prepare(ingress)
    objects = _translate(backend, prepared, context or TranslateContext()).objects
    for applied in (objects, ()):
        verdict: object = backend.check_ready(prepared.probed, applied)
        if not isinstance(verdict, Readiness):
            raise ContractViolation(
                f"check_ready returned a {type(verdict).__name__}, not a Readiness"
            )


def check_backend(
    backend: Backend, ingress: ClusterIngress, context: TranslateContext | None = None
) -> Translation:
    """Every check above; returns the translation for further, backend-specific asserts."""
    check_declarations(backend)
    check_deterministic(backend, ingress, context)
    check_probe(backend, ingress, context)
    check_readiness(backend, ingress, context)
    return translated(backend, ingress, context)


def reordered(ingress: ClusterIngress) -> ClusterIngress:
    """The same ingress with the keys of every map in reverse order."""
    return ClusterIngress.from_dict(_reverse_maps(ingress.to_dict()))


def _reverse_maps(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _reverse_maps(data[key]) for key in reversed(list(data))}
    if isinstance(data, list):
        return [_reverse_maps(item) for item in data]
    return data


def _translate(backend: Backend, prepared: Prepared, context: TranslateContext) -> Translation:
    try:
        return translate(backend, prepared, context)
    except BackendFailure as failure:
        raise ContractViolation(f"{failure.reason}: {failure.message}") from failure
