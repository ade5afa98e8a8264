"""Docs that must not drift from the code: hooks in docs/plugins.md, reasons in the contract."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from kingress.api.annotations import INGRESS_LABEL
from kingress.controller.ingress import APPLIED_KINDS, Reason
from kingress.plugin import spec

DOCS = Path(__file__).resolve().parents[2] / "docs" / "plugins.md"
HOOKS = [
    (name, fn)
    for name, fn in inspect.getmembers(spec, inspect.isfunction)
    if hasattr(fn, "kingress_spec")
]


def test_there_are_hooks() -> None:
    assert HOOKS


@pytest.mark.parametrize(("name", "hook"), HOOKS, ids=[name for name, _ in HOOKS])
def test_hook_is_documented(name: str, hook: object) -> None:
    params = list(inspect.signature(hook).parameters)  # type: ignore[arg-type]
    doc = inspect.getdoc(hook) or ""
    assert len(doc.splitlines()) >= 3, f"{name} needs a real docstring"
    for param in params:
        assert f":param {param}:" in doc, f"{name} docstring lacks :param {param}:"
    assert f"`{name}({', '.join(params)})`" in DOCS.read_text(), f"{name} missing in {DOCS}"


CONTRACT = DOCS.with_name("clusteringress.md")


@pytest.mark.parametrize("reason", list(Reason), ids=[r.value for r in Reason])
def test_every_status_reason_is_in_the_contract(reason: Reason) -> None:
    assert f"`{reason.value}`" in CONTRACT.read_text(), f"{reason} missing in {CONTRACT}"


def test_the_contract_names_the_conventions() -> None:
    text = CONTRACT.read_text()
    for convention in (APPLIED_KINDS, "config-<backend name>", "knative-serving", INGRESS_LABEL):
        assert convention in text
