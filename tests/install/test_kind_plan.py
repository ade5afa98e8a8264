"""The ``kingress cluster up`` plan (a pure function) and its command line."""

from __future__ import annotations

import shlex

import pytest
import yaml

from kingress.cli.main import build_parser, main
from kingress.install.kind import (
    CONFORMANCE_IMAGE,
    GATEWAYS,
    NODE_HTTP,
    NODE_HTTPS,
    plan_down,
    plan_up,
)


@pytest.mark.parametrize("ingress", sorted(GATEWAYS))
def test_plan_creates_loads_installs_and_selects_the_class(ingress: str) -> None:
    plan = plan_up(ingress, "demo")
    commands = [" ".join(step.argv) for step in plan.steps]
    assert commands[0].startswith("kind create cluster --name demo --config kind-config.yaml")
    assert any(c.startswith("docker build -t kingress/controller:dev") for c in commands)
    assert any(c.startswith("kind load docker-image kingress/controller:dev") for c in commands)
    assert any(GATEWAYS[ingress].version in c for c in commands), "gateway version is pinned"
    assert "kubectl --context kind-demo apply -f deploy/" in commands
    class_patch = next(c for c in commands if "config-network" in c)
    assert f"{ingress}.ingress.networking.knative.dev" in class_patch
    assert "extraPortMappings" in plan.files["kind-config.yaml"]
    assert any("conformance" in note for note in plan.notes)


def test_plan_without_a_conformance_image_says_so() -> None:
    plan = plan_up("contour", with_conformance_image=False)
    assert not any("conformance" in " ".join(s.argv) for s in plan.steps)
    assert any("does not exist yet" in note for note in plan.notes)


def test_dry_run_prints_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["cluster", "up", "--ingress", "istio", "--dry-run"]) == 0
    out = capsys.readouterr().out
    for step in plan_up("istio", with_conformance_image=False).steps:
        assert step.description in out
    assert main(["cluster", "down", "--dry-run"]) == 0
    assert plan_down().steps[0].argv == ("kind", "delete", "cluster", "--name", "kingress")


def test_running_without_the_tools_fails_clearly(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    assert main(["cluster", "down"]) == 2
    assert "missing kind" in capsys.readouterr().err


def test_the_printed_conformance_command_parses_and_reaches_the_mapped_node_ports() -> None:
    plan = plan_up("istio", "demo")
    note = next(n for n in plan.notes if n.startswith("Run conformance"))
    command = shlex.split(note.partition(": ")[2])
    assert command[:2] == ["kingress", "conformance"]
    args = build_parser().parse_args(command[1:])
    assert (args.depth, args.ingress_endpoint) == ("cluster", "127.0.0.1")
    assert args.image == CONFORMANCE_IMAGE
    assert args.ingress_class == ["istio.ingress.networking.knative.dev"]
    mappings = yaml.safe_load(plan.files["kind-config.yaml"])["nodes"][0]["extraPortMappings"]
    assert {(m["containerPort"], m["hostPort"]) for m in mappings} == {
        (NODE_HTTP, NODE_HTTP),
        (NODE_HTTPS, NODE_HTTPS),
    }
