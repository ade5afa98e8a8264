"""Objects a backend places outside the ingress's namespace: applied, found and removed by label.

Some gateways need an object where the ingress cannot own one: Contour reads a
``TLSCertificateDelegation`` in the *secret's* namespace before it lets an
HTTPProxy use that secret. Kubernetes forbids owner references across
namespaces, so the garbage collector cannot remove such an object; the core
does, by label:

- the pipeline lets a backend return one only for a kind it declares
  (``cross_namespace_kinds``) and only into a namespace the ingress's own TLS
  entries name and the controller allows (``IngressSettings.shared_secret_namespaces``);
- it carries no owner reference, and the labels
  ``networking.internal.knative.dev/ingress: <name>`` and
  ``networking.internal.knative.dev/ingress-namespace: <namespace>``; an
  existing object of that name without them (or with an owner) is never
  touched (``NotOwned``);
- before the first one is created the ingress gets the finalizer
  ``FINALIZER``, so it cannot disappear before they are removed;
- every reconcile deletes the labelled ones the translation no longer returns
  (of every kind ever applied), and when none is wanted any more the
  finalizer is removed; on deletion all of them go, then the finalizer.

An ingress whose translation never leaves its namespace never gets the
finalizer, and an ingress of a class no backend claims is never given one
(Knative's ``ingressclass`` rule); a finalizer kingress added is still removed
when such an ingress is deleted, since only kingress would ever remove it.
"""

from __future__ import annotations

from collections.abc import Iterable

from kingress.api.annotations import INGRESS_LABEL, INGRESS_NAMESPACE_LABEL
from kingress.cluster.errors import NotFound
from kingress.cluster.port import Cluster, Kind, Object, ObjectRef
from kingress.controller.apply import NotOwned, ensure

#: The ClusterIngress finalizer held while objects in other namespaces may exist.
FINALIZER = "clusteringresses.networking.internal.knative.dev"


def marks(ingress: ObjectRef) -> dict[str, str]:
    """The labels that tie an object in another namespace to ``ingress``."""
    return {INGRESS_LABEL: ingress.name, INGRESS_NAMESPACE_LABEL: ingress.namespace}


def is_ours(obj: Object, ingress: ObjectRef) -> bool:
    """Whether ``obj`` (outside the ingress's namespace) was placed there for ``ingress``."""
    metadata = obj.get("metadata") or {}
    labels = metadata.get("labels") or {}
    return (
        metadata.get("namespace") != ingress.namespace
        and not metadata.get("ownerReferences")
        and all(labels.get(key) == value for key, value in marks(ingress).items())
    )


def ensure_foreign(cluster: Cluster, desired: Object, ingress: ObjectRef) -> Object:
    """Create or update ``desired`` in its namespace; ``NotOwned`` if the name is someone else's."""
    ref = ObjectRef.of(desired)
    try:
        existing = cluster.get(ref.kind, ref.namespace, ref.name)
    except NotFound:
        existing = None
    if existing is not None and not is_ours(existing, ingress):
        raise NotOwned(ref.kind.kind, ref.name)
    return ensure(cluster, desired)


def sweep(
    cluster: Cluster, ingress: ObjectRef, kinds: Iterable[Kind], keep: set[ObjectRef]
) -> None:
    """Delete every object of ``kinds`` placed elsewhere for ``ingress`` that is not in ``keep``."""
    for kind in sorted(set(kinds)):
        for obj in cluster.list(kind, None, marks(ingress)):
            ref = ObjectRef.of(obj)
            if ref in keep or not is_ours(obj, ingress):
                continue
            try:
                cluster.delete(kind, ref.namespace, ref.name)
            except NotFound:
                continue


def has_finalizer(raw: Object) -> bool:
    """Whether the ClusterIngress carries kingress's finalizer."""
    return FINALIZER in ((raw.get("metadata") or {}).get("finalizers") or ())


def set_finalizer(cluster: Cluster, raw: Object, present: bool) -> Object:
    """Add or remove kingress's finalizer on the ClusterIngress ``raw``; the stored object."""
    if has_finalizer(raw) == present:
        return raw
    metadata = dict(raw["metadata"])
    others = [item for item in metadata.get("finalizers") or () if item != FINALIZER]
    metadata["finalizers"] = [*others, FINALIZER] if present else others
    return cluster.update({**raw, "metadata": metadata})
