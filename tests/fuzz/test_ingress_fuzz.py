"""Property-based fuzzing of the pipeline: any ClusterIngress, every installed backend.

Each example is a wire-form ClusterIngress, usually valid and often hostile in
one to three strings (``strategies``); ``properties.check_ingress`` asserts
that the core refuses it with a clear validation error or that every backend
either refuses it with a ``TranslationError`` or produces safe, deterministic,
faithful output. The schema test adds that every emitted object validates
against its CRD (skipped, printing why, when the fixtures are absent).

``KINGRESS_FUZZ_EXAMPLES`` sets the number of examples per test (default 30,
derandomized so CI runs are repeatable); set it higher, e.g. 5000, for a deep
local run, which also draws fresh random examples each time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

from kingress.backends import TranslateContext
from tests.fuzz.properties import BACKENDS, check_ingress
from tests.fuzz.schemas import object_schema_errors
from tests.fuzz.strategies import cluster_ingress, translate_context

DEEP = "KINGRESS_FUZZ_EXAMPLES" in os.environ
FUZZ = settings(
    max_examples=int(os.environ.get("KINGRESS_FUZZ_EXAMPLES", "30")),
    deadline=None,
    derandomize=not DEEP,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_every_in_tree_backend_is_fuzzed() -> None:
    names = {backend.name for backend in BACKENDS}
    assert {"istio", "contour", "nginx", "ingress-nginx", "envoy"} <= names


@FUZZ
@given(raw=cluster_ingress(), context=translate_context())
def test_any_ingress_is_refused_clearly_or_translated_safely(
    raw: dict[str, Any], context: TranslateContext
) -> None:
    check_ingress(raw, context)


@FUZZ
@given(raw=cluster_ingress(), context=translate_context())
def test_every_translation_validates_against_its_schema(
    crds: Path, raw: dict[str, Any], context: TranslateContext
) -> None:
    check_ingress(raw, context, schema=object_schema_errors)
