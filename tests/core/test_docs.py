"""Every hook is documented: in its docstring and in docs/plugins.md."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

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
