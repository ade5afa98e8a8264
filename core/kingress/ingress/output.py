"""The rules a backend's output must follow before anything of it is applied.

``output_problems`` lists every way a translation breaks them (empty: none):

- it is a ``Translation`` whose ``objects`` are a tuple and whose load
  balancers are ``LoadBalancerStatus``;
- each object is a JSON dict (no NaN, no sets, no cycles; the standard
  library's rules, checked at orjson's speed by ``kingress.jsoncodec.strict``)
  with a string ``apiVersion`` and ``kind`` and a valid ``metadata.name``,
  unique by kind, namespace and name;
- ``metadata`` holds only ``name``, ``namespace``, ``labels``, ``annotations``
  and owner references to the ingress itself (uid, finalizers, timestamps… are
  the API server's and the core's, not a backend's);
- each object is in the ingress's namespace (a namespaced ClusterIngress
  cannot own cluster-scoped objects) — or, for a kind the backend declares in
  ``cross_namespace_kinds``, in a namespace the ``Placement`` allows: one the
  ingress's own TLS entries name *and* the controller's settings allow. Such an
  object carries no owner reference (Kubernetes forbids one across
  namespaces); the core labels it with the ingress and its namespace and
  removes it itself;
- labels naming an ingress (``networking.internal.knative.dev/ingress`` and
  ``.../ingress-namespace``) name this one.

``checked_objects`` runs the checks without ever raising (a check that trips
over a hostile object is itself a problem) and returns JSON copies (decoded
from the JSON the check encoded), so nothing the backend keeps a reference to
can change what is applied later.
``labelled`` adds the labels that tie an object to its ingress.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from kingress import jsoncodec
from kingress.api.annotations import INGRESS_LABEL, INGRESS_NAMESPACE_LABEL
from kingress.api.ingress import ClusterIngress, LoadBalancerStatus
from kingress.backends import Backend, Object, Translation, cross_namespace_kinds
from kingress.cluster.errors import Invalid
from kingress.cluster.memory import CLUSTER_SCOPED, validate_name
from kingress.cluster.port import Kind, ObjectRef

#: The only ``metadata`` keys a backend may set.
BACKEND_METADATA = frozenset({"name", "namespace", "labels", "annotations", "ownerReferences"})


@dataclass(frozen=True, slots=True)
class Placement:
    """Where, besides the ingress's own namespace, a translation may put objects."""

    #: Kinds the backend declares it places in other namespaces.
    kinds: frozenset[Kind] = frozenset()
    #: Namespaces named by the ingress's TLS entries and allowed by the controller.
    namespaces: frozenset[str] = frozenset()

    @classmethod
    def of(cls, backend: Backend, ingress: ClusterIngress, allowed: frozenset[str]) -> Placement:
        """The placement for ``ingress`` translated by ``backend``, within ``allowed``."""
        own = ingress.metadata.namespace
        named = {tls.secret_namespace for tls in ingress.spec.tls} - {own}
        return cls(kinds=cross_namespace_kinds(backend), namespaces=frozenset(named & allowed))

    def allows(self, kind: Kind, namespace: str) -> bool:
        """Whether an object of ``kind`` may be put in ``namespace`` (not the ingress's)."""
        return kind in self.kinds and namespace in self.namespaces


def checked_objects(
    result: object, ingress: ClusterIngress, placement: Placement
) -> tuple[list[str], tuple[Object, ...]]:
    """The problems of ``result`` and, when there are none, JSON copies of its objects."""
    try:
        problems, encoded = _output_problems(result, ingress, placement)
        if problems or not isinstance(result, Translation):
            return problems, ()
        # Each object was encoded once to check it; decoding gives the copy.
        return [], tuple(map(jsoncodec.decode, encoded))
    except Exception as error:  # a hostile object: a dict subclass that raises, say
        return [f"could not be checked: {type(error).__name__}: {error}"], ()


def output_problems(
    result: object, ingress: ClusterIngress, placement: Placement = Placement()
) -> list[str]:
    """Every way ``result`` breaks the output rules for ``ingress`` (empty: none)."""
    return _output_problems(result, ingress, placement)[0]


def _output_problems(
    result: object, ingress: ClusterIngress, placement: Placement
) -> tuple[list[str], list[bytes | str]]:
    """``output_problems``, and the JSON of each object when it has no problem."""
    if not isinstance(result, Translation):
        return [f"translate returned a {type(result).__name__}, not a Translation"], []
    problems = [
        f"{field} is a {type(value).__name__}, not a LoadBalancerStatus"
        for field, value in (
            ("public_load_balancer", result.public_load_balancer),
            ("private_load_balancer", result.private_load_balancer),
        )
        if not isinstance(value, LoadBalancerStatus)
    ]
    if not isinstance(result.objects, tuple):
        return [*problems, f"objects is a {type(result.objects).__name__}, not a tuple"], []
    seen: dict[ObjectRef, int] = {}
    encoded: list[bytes | str] = []
    for index, obj in enumerate(result.objects):
        found, text = _object_problems(obj, ingress, placement)
        problems.extend(f"objects[{index}]{_label(obj)}: {problem}" for problem in found)
        if found:
            continue
        encoded.append(text)
        ref = ObjectRef.of(obj)
        if ref in seen:
            problems.append(f"objects[{index}]{_label(obj)}: duplicates objects[{seen[ref]}]")
        seen.setdefault(ref, index)
    return problems, encoded


def object_problems(
    obj: object, ingress: ClusterIngress, placement: Placement = Placement()
) -> list[str]:
    """Every way one output object breaks the output rules (empty: none)."""
    return _object_problems(obj, ingress, placement)[0]


def _object_problems(
    obj: object, ingress: ClusterIngress, placement: Placement
) -> tuple[list[str], bytes | str]:
    """``object_problems``, and the object as JSON (empty if it is not serialisable)."""
    if not isinstance(obj, dict):
        return [f"is a {type(obj).__name__}, not a dict"], ""
    problems = [
        f"{key} must be a non-empty string"
        for key in ("apiVersion", "kind")
        if not isinstance(obj.get(key), str) or not obj[key]
    ]
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict):
        return [*problems, "metadata must be a mapping"], ""
    problems += [
        f"metadata.{key} is not for a backend to set"
        for key in sorted(map(str, metadata))
        if key not in BACKEND_METADATA
    ]
    problems += _name_problems(metadata.get("name"))
    foreign = metadata.get("namespace") != ingress.metadata.namespace
    problems += _scope_problems(obj, metadata, ingress.metadata.namespace or "", placement)
    for key in ("labels", "annotations"):
        if not _is_string_map(metadata.get(key) or {}):
            problems.append(f"metadata.{key} must map strings to strings")
    problems += _label_problems(metadata.get("labels") or {}, ingress)
    problems += _owner_problems(metadata.get("ownerReferences"), ingress.metadata.uid, foreign)
    try:
        text = jsoncodec.strict(obj)
    except (TypeError, ValueError) as error:
        problems.append(f"is not JSON-serialisable: {error}")
        text = ""
    return problems, text


def labelled(obj: Object, ingress: ClusterIngress) -> Object:
    """``obj`` carrying the labels that tie it to ``ingress``.

    Every object gets ``networking.internal.knative.dev/ingress: <name>``; one
    outside the ingress's namespace also gets ``.../ingress-namespace: <ns>``,
    by which the core finds and removes it (it has no owner reference).
    """
    metadata = dict(obj["metadata"])
    labels = {**(metadata.get("labels") or {}), INGRESS_LABEL: ingress.metadata.name}
    if metadata.get("namespace") != ingress.metadata.namespace:
        labels[INGRESS_NAMESPACE_LABEL] = ingress.metadata.namespace or ""
    metadata["labels"] = labels
    return {**obj, "metadata": metadata}


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


def _scope_problems(
    obj: Mapping[str, Any], metadata: Mapping[str, Any], want: str, placement: Placement
) -> list[str]:
    kind = Kind.of(obj)
    if kind in CLUSTER_SCOPED:
        return [f"{kind} is cluster-scoped; a namespaced ClusterIngress cannot own it"]
    namespace = metadata.get("namespace")
    if namespace == want or (isinstance(namespace, str) and placement.allows(kind, namespace)):
        return []
    got = repr(namespace) if namespace else "missing"
    problem = f"metadata.namespace is {got}, must be the ingress's namespace {want!r}"
    if kind in placement.kinds:
        problem += (
            f" (a {kind.kind} may go elsewhere only into a namespace the ingress's own "
            "spec.tls names and the controller allows: IngressSettings.shared_secret_namespaces)"
        )
    return [problem]


def _label_problems(labels: object, ingress: ClusterIngress) -> list[str]:
    if not _is_string_map(labels):
        return []
    return [
        f"label {key} is {labels[key]!r}, not {want!r}"
        for key, want in (
            (INGRESS_LABEL, ingress.metadata.name),
            (INGRESS_NAMESPACE_LABEL, ingress.metadata.namespace or ""),
        )
        if labels.get(key, want) != want
    ]


def _owner_problems(refs: object, uid: str | None, foreign: bool) -> list[str]:
    if refs is None:
        return []
    if not isinstance(refs, list) or not all(isinstance(ref, dict) for ref in refs):
        return ["metadata.ownerReferences must be a list of mappings"]
    if foreign and refs:
        return ["an object outside the ingress's namespace cannot have owner references"]
    return [
        f"carries a foreign owner reference ({ref.get('kind')} {ref.get('name')})"
        for ref in refs
        if uid is None or ref.get("uid") != uid
    ]


def _is_string_map(value: object) -> TypeGuard[dict[str, str]]:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    )
