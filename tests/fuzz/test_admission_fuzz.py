"""Fuzzing admission: whatever object arrives, ``Scheme.admit`` answers with a clear refusal.

Routes, Services, Configurations and Revisions (v1 and the seed's v1alpha1
forms) with hostile names, tags, traffic and annotations, ClusterIngresses of
any shape, and plain junk go through ``default_scheme().admit``, the boundary
every manifest and API write crosses. It either returns the object at its
storage version or raises one of the three documented errors; anything else
(a ``KeyError``, a ``TypeError`` from a field of the wrong type…) is a bug.
An admitted ClusterIngress must then translate without surprise too.
"""

from __future__ import annotations

import os
from typing import Any

import pydantic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kingress.api.fielderrors import ValidationError
from kingress.api.ingress import KIND
from kingress.api.kinds import default_scheme
from kingress.api.scheme import UnknownKind
from kingress.backends import TranslateContext
from tests.fuzz.properties import check_ingress
from tests.fuzz.strategies import anything, cluster_ingress, serving_object

FUZZ = settings(
    max_examples=int(os.environ.get("KINGRESS_FUZZ_EXAMPLES", "60")),
    deadline=None,
    derandomize="KINGRESS_FUZZ_EXAMPLES" not in os.environ,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SCHEME = default_scheme()
REFUSALS = (UnknownKind, ValidationError, pydantic.ValidationError)


def admitted(obj: Any) -> dict[str, Any] | None:
    """The admitted object, or ``None`` when it was refused the documented way."""
    try:
        return SCHEME.admit(obj)
    except REFUSALS as error:
        assert str(error), "a refusal must say why"
        return None


@FUZZ
@given(obj=serving_object())
def test_serving_objects_are_admitted_or_refused_clearly(obj: Any) -> None:
    result = admitted(obj)
    if result is not None:
        assert result["apiVersion"] == "serving.knative.dev/v1"


def _junk_ingress() -> st.SearchStrategy[Any]:
    shapes = st.fixed_dictionaries(
        {"apiVersion": st.just("networking.internal.knative.dev/v1alpha1"), "kind": st.just(KIND)},
        optional={"metadata": anything, "spec": anything, "status": anything},
    )
    return st.one_of(cluster_ingress(), shapes)


@FUZZ
@given(obj=_junk_ingress())
def test_cluster_ingresses_are_admitted_or_refused_clearly(obj: Any) -> None:
    result = admitted(obj)
    if result is not None:
        check_ingress(result, TranslateContext())
