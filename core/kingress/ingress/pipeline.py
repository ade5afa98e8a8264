"""From a ClusterIngress to a backend's checked objects: the steps the core always takes.

The ClusterIngress reconciler, ``kingress translate`` and the contract checks
(``kingress.contract``) all go through here, so a backend sees the same input
and is held to the same output rules everywhere:

1. ``prepare``: default and validate (Knative's messages), drop what a pure
   translation must not depend on (status, resourceVersion), insert the probe
   paths (``insert_probe``).
2. ``translate``: call the backend; any exception it raises, and any output
   that breaks the rules below, becomes a ``BackendFailure`` (a condition reason
   and a message) instead of escaping into the caller.
3. The output rules (``output_problems``): a ``Translation`` whose objects are a
   tuple of JSON-able wire dicts with apiVersion, kind and a valid
   ``metadata.name``, each in the ingress's namespace (a namespaced ClusterIngress
   cannot own cluster-scoped objects), unique, owned by nobody else and not
   labelled for another ingress.
4. Every object gets the label ``networking.internal.knative.dev/ingress: <name>``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from kingress.api.annotations import INGRESS_LABEL
from kingress.api.ingress import ClusterIngress, IngressStatus, LoadBalancerStatus
from kingress.api.ingress_validation import check
from kingress.backends import Backend, Object, TranslateContext, Translation, TranslationError
from kingress.cluster.errors import Invalid
from kingress.cluster.memory import CLUSTER_SCOPED, validate_name
from kingress.cluster.port import Kind, ObjectRef
from kingress.ingress.probe import insert_probe

#: The reason of a failed translation that carries no reason of its own.
TRANSLATION_FAILED = "TranslationFailed"


@dataclass(frozen=True, slots=True)
class Prepared:
    """A ClusterIngress ready to translate."""

    #: Defaulted and validated, without status or resourceVersion.
    ingress: ClusterIngress
    #: ``ingress`` with the probe paths inserted: what backends translate.
    probed: ClusterIngress
    #: The ``K-Network-Hash`` the probe paths set (``compute_hash(ingress)``).
    hash: str


def prepare(ingress: ClusterIngress) -> Prepared:
    """Default, validate and add the probe paths; ``ValidationError`` if invalid."""
    checked = check(ingress)
    metadata = checked.metadata.model_copy(update={"resource_version": None})
    clean = checked.model_copy(update={"metadata": metadata, "status": IngressStatus()})
    probed, hash_ = insert_probe(clean)
    return Prepared(ingress=clean, probed=probed, hash=hash_)


class BackendFailure(Exception):
    """A backend could not translate an ingress, or returned something unusable."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def translate(backend: Backend, prepared: Prepared, context: TranslateContext) -> Translation:
    """The backend's translation, checked and labelled; ``BackendFailure`` otherwise."""
    try:
        result: object = backend.translate(prepared.probed, context)
    except TranslationError as error:
        raise BackendFailure(error.reason or TRANSLATION_FAILED, str(error)) from error
    except Exception as error:
        raise BackendFailure(
            TRANSLATION_FAILED,
            f"backend {backend.name} raised {type(error).__name__}: {error}",
        ) from error
    problems = output_problems(result, prepared.ingress)
    if problems or not isinstance(result, Translation):
        raise BackendFailure(
            TRANSLATION_FAILED,
            f"backend {backend.name} returned invalid output: {'; '.join(problems)}",
        )
    name = prepared.ingress.metadata.name
    return replace(result, objects=tuple(labelled(obj, name) for obj in result.objects))


def labelled(obj: Object, ingress_name: str) -> Object:
    """``obj`` carrying the label that ties it to its ClusterIngress."""
    metadata = dict(obj["metadata"])
    metadata["labels"] = {**(metadata.get("labels") or {}), INGRESS_LABEL: ingress_name}
    return {**obj, "metadata": metadata}


def output_problems(result: object, ingress: ClusterIngress) -> list[str]:
    """Every way ``result`` breaks the output rules for ``ingress`` (empty: none)."""
    if not isinstance(result, Translation):
        return [f"translate returned a {type(result).__name__}, not a Translation"]
    problems = [
        f"{field} is a {type(value).__name__}, not a LoadBalancerStatus"
        for field, value in (
            ("public_load_balancer", result.public_load_balancer),
            ("private_load_balancer", result.private_load_balancer),
        )
        if not isinstance(value, LoadBalancerStatus)
    ]
    if not isinstance(result.objects, tuple):
        return [*problems, f"objects is a {type(result.objects).__name__}, not a tuple"]
    seen: dict[ObjectRef, int] = {}
    for index, obj in enumerate(result.objects):
        found = object_problems(obj, ingress)
        problems.extend(f"objects[{index}]{_label(obj)}: {problem}" for problem in found)
        if found:
            continue
        ref = ObjectRef.of(obj)
        if ref in seen:
            problems.append(f"objects[{index}]{_label(obj)}: duplicates objects[{seen[ref]}]")
        seen.setdefault(ref, index)
    return problems


def object_problems(obj: object, ingress: ClusterIngress) -> list[str]:
    """Every way one output object breaks the output rules (empty: none)."""
    if not isinstance(obj, dict):
        return [f"is a {type(obj).__name__}, not a dict"]
    problems = [
        f"{key} must be a non-empty string"
        for key in ("apiVersion", "kind")
        if not isinstance(obj.get(key), str) or not obj[key]
    ]
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        return [*problems, "metadata must be a mapping"]
    problems += _name_problems(metadata.get("name"))
    problems += _scope_problems(obj, metadata, ingress.metadata.namespace or "")
    for key in ("labels", "annotations"):
        if not _is_string_map(metadata.get(key) or {}):
            problems.append(f"metadata.{key} must map strings to strings")
    labels = metadata.get("labels") or {}
    label = labels.get(INGRESS_LABEL, ingress.metadata.name) if _is_string_map(labels) else None
    if label not in (None, ingress.metadata.name):
        problems.append(f"label {INGRESS_LABEL} is {label!r}, not {ingress.metadata.name!r}")
    problems += _owner_problems(metadata.get("ownerReferences"), ingress.metadata.uid)
    try:
        json.dumps(obj)
    except (TypeError, ValueError) as error:
        problems.append(f"is not JSON-serialisable: {error}")
    return problems


def _label(obj: object) -> str:
    if not isinstance(obj, dict):
        return ""
    metadata = obj.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return f" ({obj.get('kind', '?')} {name or '?'})"


def _name_problems(name: object) -> list[str]:
    if not isinstance(name, str) or not name:
        return ["metadata.name must be a non-empty string"]
    try:
        validate_name(name)
    except Invalid as error:
        return [error.message]
    return []


def _scope_problems(obj: Mapping[str, Any], metadata: Mapping[str, Any], want: str) -> list[str]:
    kind = Kind.of(obj)
    if kind in CLUSTER_SCOPED:
        return [f"{kind} is cluster-scoped; a namespaced ClusterIngress cannot own it"]
    namespace = metadata.get("namespace")
    if namespace != want:
        got = repr(namespace) if namespace else "missing"
        return [f"metadata.namespace is {got}, must be the ingress's namespace {want!r}"]
    return []


def _owner_problems(refs: object, uid: str | None) -> list[str]:
    if refs is None:
        return []
    if not isinstance(refs, list) or not all(isinstance(ref, dict) for ref in refs):
        return ["metadata.ownerReferences must be a list of mappings"]
    return [
        f"carries a foreign owner reference ({ref.get('kind')} {ref.get('name')})"
        for ref in refs
        if uid is None or ref.get("uid") != uid
    ]


def _is_string_map(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )
