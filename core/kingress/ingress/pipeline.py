"""From a ClusterIngress to a backend's checked objects: the steps the core always takes.

The ClusterIngress reconciler, ``kingress translate`` and the contract checks
(``kingress.contract``) all go through here, so a backend sees the same input
and is held to the same output rules everywhere:

1. ``prepare``: default and validate (Knative's messages, then kingress's
   syntax rules), drop what a pure translation must not depend on (status,
   resourceVersion), insert the probe paths (``insert_probe``).
2. ``translate``: call the backend — through a ``CallGuard`` when one is given,
   so a hung call is abandoned after its deadline — and turn any exception it
   raises, and any output that breaks the output rules (``kingress.ingress.output``),
   into a ``BackendFailure`` (a condition reason and a bounded message)
   instead of letting it escape into the caller.
3. Every object is copied to plain JSON and labelled with its ingress.

A caller that keeps a translation once it is applied (the reconciler's memo)
keeps ``kept(translation, applied)``: the same objects, frozen with their
parts shared with the stored ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from kingress.api.ingress import ClusterIngress, IngressStatus
from kingress.api.ingress_validation import check
from kingress.backends import Backend, Object, TranslateContext, Translation, TranslationError
from kingress.cluster.port import ObjectRef
from kingress.controller.recent import Recent
from kingress.frozen import FrozenDict, freeze_like
from kingress.ingress.guard import CallGuard, Overdue
from kingress.ingress.messages import condition_message, condition_reason, raised
from kingress.ingress.output import Placement, checked_objects, labelled
from kingress.ingress.probe import insert_probe

#: The reason of a failed translation that carries no (valid) reason of its own.
TRANSLATION_FAILED = "TranslationFailed"
#: The reason of a translation that ran past the guard's deadline (or was refused).
TRANSLATION_TIMEOUT = "TranslationTimeout"


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


class PreparedCache:
    """``prepare`` of stored ingresses, remembered for the last ``size`` ingresses.

    A ClusterIngress is prepared several times per version of its spec: by the
    reconcile, after each of its own status writes, and by the host-ownership
    watch on every change. ``prepare`` is a pure function of the spec and the
    metadata (but ``resourceVersion``), and the store's objects are frozen, so
    a stored ingress whose spec is the same object (or equal) and whose
    metadata is equal prepares to the same result: it is returned again. A
    spec that is not frozen (could change in place) is never remembered.
    Validation errors are not remembered either. Thread-safe.
    """

    def __init__(self, size: int = 256) -> None:
        self._recent: Recent[ObjectRef, Prepared] = Recent(size)

    def prepare(self, raw: Object) -> Prepared:
        """``prepare`` of the stored ingress ``raw``; ``ValidationError`` if invalid."""
        spec = raw.get("spec")
        metadata = {k: v for k, v in (raw.get("metadata") or {}).items() if k != "resourceVersion"}
        return self._recent.get(
            ObjectRef.of(raw),
            (spec, metadata),
            lambda: prepare(ClusterIngress.from_dict({**raw, "status": {}})),
            remember=type(spec) is FrozenDict,
        )


class BackendFailure(Exception):
    """A backend could not translate an ingress, or returned something unusable."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


def translate(
    backend: Backend,
    prepared: Prepared,
    context: TranslateContext,
    *,
    guard: CallGuard | None = None,
    shared_namespaces: frozenset[str] = frozenset(),
) -> Translation:
    """The backend's translation, checked, copied and labelled; ``BackendFailure`` otherwise.

    ``shared_namespaces`` are the namespaces (besides the ingress's) where the
    controller lets a backend place the kinds it declares in
    ``cross_namespace_kinds``, when the ingress's TLS entries name them.
    """
    result = _call_translate(backend, prepared, context, guard)
    placement = Placement.of(backend, prepared.ingress, shared_namespaces)
    problems, objects = checked_objects(result, prepared.ingress, placement)
    if problems or not isinstance(result, Translation):
        raise BackendFailure(
            TRANSLATION_FAILED,
            condition_message(
                f"backend {backend.name} returned invalid output: {'; '.join(problems)}"
            ),
        )
    return Translation(
        objects=tuple(labelled(obj, prepared.ingress) for obj in objects),
        public_load_balancer=result.public_load_balancer,
        private_load_balancer=result.private_load_balancer,
    )


def kept(translation: Translation, applied: Sequence[Object]) -> Translation:
    """``translation`` frozen for keeping, its objects sharing the parts of ``applied``.

    ``applied`` holds the stored object for each of ``translation.objects``,
    in order. A translation's objects are private JSON copies; kept as they
    are, each costs its whole size, and freezing them part by part costs
    more CPU than the translation. Frozen like the stored objects they
    describe (``freeze_like``), each costs only its own top-level and
    metadata dicts (the stored object's carry more: uid, resourceVersion)
    and whatever part differs from what is stored, usually nothing else.
    """
    return replace(
        translation,
        objects=tuple(map(freeze_like, translation.objects, applied)),
    )


def _call_translate(
    backend: Backend, prepared: Prepared, context: TranslateContext, guard: CallGuard | None
) -> object:
    def call() -> object:
        return backend.translate(prepared.probed, context)

    try:
        return call() if guard is None else guard.call(backend.name, "translate", call)
    except Overdue as error:
        raise BackendFailure(TRANSLATION_TIMEOUT, str(error)) from error
    except TranslationError as error:
        reason = condition_reason(error.reason, TRANSLATION_FAILED)
        raise BackendFailure(reason, condition_message(error)) from error
    except Exception as error:
        message = raised(f"backend {backend.name}", error)
        raise BackendFailure(TRANSLATION_FAILED, message) from error
