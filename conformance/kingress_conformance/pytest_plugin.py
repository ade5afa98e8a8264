"""The suite as a pytest plugin (entry point ``pytest11``), for a backend's own repository.

``pytest --kingress-ingress-class CLASS [--kingress-depth offline|local|cluster]``
adds one test per (backend, case), with ids like ``envoy::dispatch/percentage``;
``-k`` selects among them as usual. Without ``--kingress-ingress-class`` the
plugin adds nothing, so installing kingress never changes another project's
test run. A failed case fails its test with the case's reason; skipped and
not-supported cases are pytest skips whose reason says which.
``--kingress-report FILE`` writes the YAML report at the end of the session.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from kingress.backends import Registered
from kingress.plugin.manager import build_registry
from kingress.schemas import CRD_DIR_ENV
from kingress_conformance.case import Case
from kingress_conformance.catalog import all_cases
from kingress_conformance.depths import Depth
from kingress_conformance.outcome import Outcome
from kingress_conformance.selection import backends_for, features_from, split_list
from kingress_conformance.suite import DepthRunner, Options, report_of, run_case

_RUNNERS = pytest.StashKey[dict[str, Any]]()
_RESULTS = pytest.StashKey[list[Any]]()  # (Registered, Case, CaseResult) triples
_OPTIONS = pytest.StashKey[Any]()


def pytest_addoption(parser: pytest.Parser) -> None:
    """The plugin's options (all prefixed ``--kingress-``)."""
    group = parser.getgroup("kingress", "kingress ingress conformance")
    group.addoption("--kingress-ingress-class", action="append", default=None, metavar="CLASS")
    group.addoption("--kingress-depth", default="offline", choices=("offline", "local", "cluster"))
    group.addoption("--kingress-skip", action="append", default=None, metavar="KEY,...")
    group.addoption("--kingress-features", action="append", default=None, metavar="FEATURE,...")
    group.addoption("--kingress-kubeconfig", default=None, metavar="PATH")
    group.addoption("--kingress-ingress-endpoint", default=None, metavar="HOST")
    group.addoption("--kingress-report", default=None, metavar="FILE")
    group.addoption("--kingress-schema-dir", default=None, metavar="DIR")


class ConformanceFailure(Exception):
    """A case failed; the message is its reason."""


class ConformanceItem(pytest.Item):
    """One case against one backend."""

    def __init__(self, *, backend: Registered, case: Case, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.backend = backend
        self.case = case
        for feature in sorted(case.features):
            self.add_marker(pytest.mark.kingress_feature(feature.value))

    def runtest(self) -> None:
        """Run the case through the session's runner for this backend."""
        runner = self.config.stash[_RUNNERS][self.backend.backend.name]
        result = run_case(self.case, runner)
        self.config.stash[_RESULTS].append((self.backend, self.case, result))
        if result.outcome == Outcome.FAILED:
            raise ConformanceFailure(result.reason)
        if result.outcome in (Outcome.SKIPPED, Outcome.NOT_SUPPORTED):
            pytest.skip(f"{result.outcome.value}: {result.reason}")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """The case's reason, not a traceback into the suite."""
        if isinstance(excinfo.value, ConformanceFailure):
            return f"{self.name} failed: {excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[str, int | None, str]:
        """Where the case comes from."""
        return ("kingress-conformance", None, self.name)


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker; set the schema folder when given."""
    config.addinivalue_line("markers", "kingress_feature(name): a feature a conformance case needs")
    schema_dir = config.getoption("--kingress-schema-dir")
    if schema_dir:
        os.environ[CRD_DIR_ENV] = str(schema_dir)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Add one item per (backend, case) when a class is given."""
    classes = config.getoption("--kingress-ingress-class")
    if not classes:
        return
    kubeconfig = config.getoption("--kingress-kubeconfig")
    options = Options(
        depth=Depth(config.getoption("--kingress-depth")),
        skip=split_list(config.getoption("--kingress-skip")),
        features=features_from(split_list(config.getoption("--kingress-features"))),
        kubeconfig=Path(kubeconfig) if kubeconfig else None,
        ingress_endpoint=config.getoption("--kingress-ingress-endpoint"),
    )
    backends = backends_for(build_registry(), split_list(classes))
    config.stash[_RUNNERS] = {e.backend.name: DepthRunner(e.backend, options) for e in backends}
    config.stash[_RESULTS] = []
    config.stash[_OPTIONS] = options
    for entry in backends:
        for case in all_cases():
            items.append(
                ConformanceItem.from_parent(
                    session, name=f"{entry.backend.name}::{case.key}", backend=entry, case=case
                )
            )


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Close the runners; write the report when asked."""
    config = session.config
    runners = config.stash.get(_RUNNERS, {})
    for runner in runners.values():
        runner.close()
    path = config.getoption("--kingress-report")
    if not path or _RESULTS not in config.stash:
        return
    results: list[Any] = config.stash[_RESULTS]
    report = report_of(results, config.stash[_OPTIONS])
    Path(path).write_text(report.to_yaml(), encoding="utf-8")
