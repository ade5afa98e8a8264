"""The pytest plugin (auto-loaded through its ``pytest11`` entry point) on a tiny project."""

from __future__ import annotations

import pytest

from kingress_conformance.report import Report

pytest_plugins = ["pytester"]


def test_plugin_adds_nothing_without_a_class(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_own():\n    assert True\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)


def test_plugin_runs_cases_for_a_class(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_own():\n    assert True\n")
    result = pytester.runpytest(
        "--kingress-ingress-class",
        "istio",
        "-k",
        "istio::basics or update or istio::tls or own",
        "-rfs",
        "--kingress-report",
        "report.yaml",
    )
    result.assert_outcomes(passed=3, failed=1, skipped=1)
    result.stdout.fnmatch_lines(
        [
            "istio::tls failed: translate: *does not copy secrets*",
            "*SKIPPED*not-supported: needs features the backend does not claim: update*",
        ]
    )
    report = Report.from_yaml((pytester.path / "report.yaml").read_text())
    assert [r.key for r in report.implementations[0].results] == [
        "basics",
        "basics/http2",
        "tls",
        "update",
    ]
