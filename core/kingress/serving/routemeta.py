"""The labeler's record on Configurations and Revisions of which Routes use them.

Knative's labeler v2 keeps the full set in the ``serving.knative.dev/routes``
annotation (names sorted, comma-separated); the older labeler kept one name in
the ``serving.knative.dev/route`` label and refused a second Route. kingress
writes the annotation always and the label only while exactly one Route uses
the object, so label selectors written for the older scheme keep working and a
second Route never makes the label lie. These functions are pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kingress.api.annotations import ROUTE_LABEL, ROUTES_ANNOTATION

#: The metadata keys the labeler owns (a label and an annotation).
LABELER_LABELS = (ROUTE_LABEL,)
LABELER_ANNOTATIONS = (ROUTES_ANNOTATION,)


def routes_of(labels: Mapping[str, str], annotations: Mapping[str, str]) -> frozenset[str]:
    """The Routes recorded on an object (annotation, or the older single label)."""
    listed = {name for name in annotations.get(ROUTES_ANNOTATION, "").split(",") if name}
    single = labels.get(ROUTE_LABEL)
    if single:
        listed.add(single)
    return frozenset(listed)


def with_routes(
    labels: Mapping[str, str], annotations: Mapping[str, str], routes: Iterable[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Labels and annotations recording exactly ``routes`` (none: both keys removed)."""
    names = sorted(set(routes))
    new_labels = {k: v for k, v in labels.items() if k != ROUTE_LABEL}
    new_annotations = {k: v for k, v in annotations.items() if k != ROUTES_ANNOTATION}
    if names:
        new_annotations[ROUTES_ANNOTATION] = ",".join(names)
    if len(names) == 1:
        new_labels[ROUTE_LABEL] = names[0]
    return new_labels, new_annotations


def carry_over(
    desired: tuple[Mapping[str, str], Mapping[str, str]],
    existing: tuple[Mapping[str, str], Mapping[str, str]],
) -> tuple[dict[str, str], dict[str, str]]:
    """``desired`` (labels, annotations) with the labeler's keys taken from ``existing``.

    A controller rebuilding an object the labeler also writes (the Service
    rebuilding its Configuration) keeps what the labeler recorded, so the two
    never undo each other's writes.
    """
    labels = {k: v for k, v in desired[0].items() if k not in LABELER_LABELS}
    annotations = {k: v for k, v in desired[1].items() if k not in LABELER_ANNOTATIONS}
    labels.update({k: existing[0][k] for k in LABELER_LABELS if k in existing[0]})
    annotations.update({k: existing[1][k] for k in LABELER_ANNOTATIONS if k in existing[1]})
    return labels, annotations
