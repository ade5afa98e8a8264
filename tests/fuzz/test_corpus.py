"""The corpus of nasty ClusterIngresses (corpus.yaml), run as table tests.

Each case patches one base ingress and says whether the core refuses it (with
a message containing given text) or accepts it; an accepted case must then
satisfy every fuzz property on every installed backend, schemas included when
the CRD fixtures are there.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from kingress.backends import TranslateContext
from tests.fuzz.properties import check_ingress
from tests.fuzz.schemas import object_schema_errors

CORPUS = yaml.safe_load((Path(__file__).parent / "corpus.yaml").read_text(encoding="utf-8"))
BASE: dict[str, Any] = {
    "apiVersion": "networking.internal.knative.dev/v1alpha1",
    "kind": "ClusterIngress",
    "metadata": {"name": "hello", "namespace": "default", "uid": "u-1", "generation": 1},
    "spec": {
        "rules": [
            {
                "hosts": ["hello.example.com"],
                "visibility": "ExternalIP",
                "http": {
                    "paths": [
                        {
                            "splits": [
                                {
                                    "serviceNamespace": "default",
                                    "serviceName": "hello",
                                    "servicePort": 80,
                                    "percent": 100,
                                }
                            ]
                        }
                    ]
                },
            }
        ]
    },
}


def patched(case: dict[str, Any]) -> dict[str, Any]:
    """The base ingress with the case's patches merged in."""
    raw = copy.deepcopy(BASE)
    rule = raw["spec"]["rules"][0]
    path = rule["http"]["paths"][0]
    targets = {
        "metadata": raw["metadata"],
        "spec": raw["spec"],
        "rule": rule,
        "path": path,
        "split": path["splits"][0],
    }
    for key, target in targets.items():
        target.update(case.get(key, {}))
    return raw


def test_the_corpus_covers_both_outcomes() -> None:
    assert {"refused" in case for case in CORPUS} == {True, False}
    assert len({case["id"] for case in CORPUS}) == len(CORPUS)


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in CORPUS])
def test_corpus_case(case: dict[str, Any], crds: Path) -> None:
    outcome = check_ingress(patched(case), TranslateContext(), schema=object_schema_errors)
    if "refused" in case:
        assert outcome.invalid is not None, "accepted, but must be refused"
        assert case["refused"] in outcome.invalid
    else:
        assert outcome.invalid is None, outcome.invalid
        assert any(outcome.translated.values()), "no backend translated it"
