"""The YAML report round-trips; the command's progress, summary and exit codes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kingress.cli.main import main
from kingress.plugin.manager import build_registry
from kingress_conformance.catalog import select
from kingress_conformance.outcome import Outcome
from kingress_conformance.report import API_VERSION, KIND, Report
from kingress_conformance.suite import Options, run


def test_report_round_trips() -> None:
    report = run(build_registry().entries(), select(("basics", "update", "tls")), Options())
    text = report.to_yaml()
    assert Report.from_yaml(text) == report
    data = yaml.safe_load(text)
    assert (data["apiVersion"], data["kind"], data["depth"]) == (API_VERSION, KIND, "offline")
    istio = next(i for i in data["implementations"] if i["backend"] == "istio")
    assert istio["ingressClass"] == "istio.ingress.networking.knative.dev"
    assert set(istio["summary"]) == {o.value for o in Outcome}
    assert {r["key"]: r["outcome"] for r in istio["results"]}["update"] == "not-supported"


def test_report_rejects_other_documents() -> None:
    with pytest.raises(ValueError, match="ConformanceReport"):
        Report.from_yaml("apiVersion: v1\nkind: ConfigMap\n")


def test_exit_zero_when_nothing_failed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.yaml"
    code = main(["conformance", "--ingress-class", "istio", "--case", "basics,update",
                 "--report", str(report)])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "istio::basics" in out and "N/S  istio::update" in out
    assert "backend  passed  failed  skipped  not-supported" in out
    assert Report.from_yaml(report.read_text()).implementations[0].backend == "istio"


def test_exit_one_when_a_case_failed(capsys: pytest.CaptureFixture[str]) -> None:
    # The istio backend refuses TLS secrets outside the gateway namespace (its docs say
    # so), and the tls case keeps its secret in the test namespace as Knative's does.
    code = main(["conformance", "--ingress-class", "istio.ingress.networking.knative.dev",
                 "--case", "tls"])  # fmt: skip
    assert code == 1
    assert "FAIL istio::tls" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--ingress-class", "nope"], "no installed backend claims ingress class 'nope'"),
        (["--case", "nope"], "unknown case keys: nope"),
        (["--features", "nope"], "unknown features: nope"),
        (["--depth", "local"], "--depth local needs --ingress-class"),
        (["--depth", "cluster", "--ingress-class", "istio"], "needs --kubeconfig"),
    ],
)
def test_exit_two_for_a_bad_selection(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["conformance", *argv]) == 2
    assert message in capsys.readouterr().err
