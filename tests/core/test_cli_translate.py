"""``kingress translate`` and ``kingress plugins``: errors and exit codes.

What a real backend produces through them is tested with the example backend
(tests/examples/), which is installed as its own distribution.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kingress.api.annotations import INGRESS_CLASS
from kingress.cli.main import main
from kingress.testing import ingress, path, rule, split


def write(tmp_path: Path, *objects: object) -> str:
    target = tmp_path / "in.yaml"
    target.write_text(yaml.safe_dump_all(objects))
    return str(target)


def hello(**changes: object) -> dict[str, object]:
    obj = ingress(rules=[rule(["hello.example.com"], paths=[path(splits=[split("a")])])]).to_dict()
    obj.update(changes)
    return obj


def test_help_lists_the_new_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "translate" in out
    assert "plugins" in out


def test_invalid_input_prints_knatives_message_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = hello()
    bad["spec"]["rules"][0]["http"]["paths"][0]["splits"][0]["percent"] = 90  # type: ignore[index]
    assert main(["translate", "-f", write(tmp_path, bad)]) == 2
    err = capsys.readouterr().err
    assert (
        "document 0 (ClusterIngress/hello): traffic split percentage must total to 100, "
        "but was 90: spec.rules[0].http.paths[0].splits"
    ) in err
    assert "Traceback" not in err


def test_input_without_an_ingress_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}}
    assert main(["translate", "-f", write(tmp_path, service)]) == 2
    assert capsys.readouterr().err == (
        "kingress: error: the input holds no ClusterIngress (or Ingress)\n"
    )


def test_an_unclaimed_class_lists_the_installed_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = write(tmp_path, hello())
    assert main(["translate", "-f", source, "--ingress-class", "nope"]) == 2
    assert capsys.readouterr().err.startswith(
        "kingress: error: ClusterIngress default/hello: no installed backend claims ingress "
        "class 'nope.ingress.networking.knative.dev' (installed: "
    )


def test_an_ingress_without_class_asks_for_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["translate", "-f", write(tmp_path, hello())]) == 2
    err = capsys.readouterr().err
    assert f"ClusterIngress default/hello has no {INGRESS_CLASS} annotation" in err
    assert "pass --ingress-class (installed: " in err


def test_objects_that_cannot_coexist_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "a"}}
    assert main(["translate", "-f", write(tmp_path, hello(), service, service)]) == 2
    assert capsys.readouterr().err == ('kingress: error: Service a: Service "a" already exists\n')
