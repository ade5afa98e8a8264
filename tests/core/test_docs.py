"""Docs that must not drift from the code: hooks, reasons, conventions, the tests security cites."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from kingress.api.annotations import INGRESS_LABEL, INGRESS_NAMESPACE_LABEL
from kingress.controller.ingress import APPLIED_KINDS, FINALIZER, GRANTED_HOSTS, Reason
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
    for convention in (
        APPLIED_KINDS,
        GRANTED_HOSTS,
        FINALIZER,
        INGRESS_NAMESPACE_LABEL,
        "config-<backend name>",
        "knative-serving",
        INGRESS_LABEL,
    ):
        assert convention in text, convention


ROOT = DOCS.parents[1]
SECURITY = DOCS.with_name("security.md")


def test_every_test_the_security_page_cites_exists() -> None:
    text = SECURITY.read_text()
    files = set(re.findall(r"`(tests/[\w/]+\.(?:py|yaml))`", text))
    names = set(re.findall(r"`(test_\w+)(?:\[\*\])?`", text))
    assert files and names
    sources = "".join(path.read_text() for path in (ROOT / "tests").rglob("*.py"))
    corpus = (ROOT / "tests" / "fuzz" / "corpus.yaml").read_text()
    assert [f for f in sorted(files) if not (ROOT / f).is_file()] == []
    assert [n for n in sorted(names) if f"def {n}(" not in sources] == []
    cases = set(re.findall(r"corpus cases? ((?:`[\w-]+`(?:, )?)+)", text))
    for group in cases:
        for case in re.findall(r"`([\w-]+)`", group):
            assert f"- id: {case}\n" in corpus, case
