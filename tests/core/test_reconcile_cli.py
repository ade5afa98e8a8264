"""``kingress reconcile``: manifests in, every object out, errors on stderr."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from kingress.cli import reconcile
from kingress.cli.errors import CliError
from kingress.cli.main import main
from kingress.cluster.errors import NotFound
from kingress.cluster.port import Kind, ObjectRef
from kingress.controller.reconciler import Context, Result, Watch
from kingress.controller.registry import offline_reconcilers

ROUTE = Kind("serving.knative.dev", "Route")
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
HELLO = str(EXAMPLES / "helloworld.yaml")
HELLO_V2 = str(EXAMPLES / "helloworld-v2.yaml")


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["reconcile", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def find(
    objects: Sequence[dict[str, Any]], api_version: str, kind: str, name: str
) -> dict[str, Any]:
    matches = [
        o
        for o in objects
        if (o["apiVersion"], o["kind"], o["metadata"]["name"]) == (api_version, kind, name)
    ]
    assert len(matches) == 1, f"{api_version} {kind} {name}: {len(matches)} found"
    return matches[0]


def test_helloworld(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys, "-f", HELLO)
    assert (code, err) == (0, "")
    objects = list(yaml.safe_load_all(out))
    configuration = find(objects, "serving.knative.dev/v1", "Configuration", "helloworld-go")
    assert configuration["status"]["latestCreatedRevisionName"] == "helloworld-go-00001"
    assert configuration["status"]["latestReadyRevisionName"] == "helloworld-go-00001"
    assert configuration["status"]["observedGeneration"] == 1
    find(objects, "serving.knative.dev/v1", "Revision", "helloworld-go-00001")
    find(objects, "serving.knative.dev/v1", "Route", "helloworld-go")
    find(objects, "apps/v1", "Deployment", "helloworld-go-00001-deployment")
    find(objects, "v1", "Service", "helloworld-go-00001")
    service = find(objects, "serving.knative.dev/v1alpha1", "Service", "helloworld-go")
    assert "runLatest" in service["spec"]
    assert service["status"]["latestReadyRevisionName"] == "helloworld-go-00001"
    keys = [
        (o["apiVersion"], o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"])
        for o in objects
    ]
    assert keys == sorted(keys)
    assert list(configuration) == ["apiVersion", "kind", "metadata", "spec", "status"]
    for field in ("labels", "annotations", "ownerReferences", "generation", "resourceVersion"):
        assert field in configuration["metadata"]


def test_json_output_is_the_same_list(capsys: pytest.CaptureFixture[str]) -> None:
    _, out_json, _ = run_cli(capsys, "-f", HELLO, "-o", "json")
    objects = json.loads(out_json)
    assert [o["kind"] for o in objects] == [
        "Deployment",
        "ClusterIngress",
        "VirtualService",
        "VirtualService",
        "Configuration",
        "Revision",
        "Route",
        "Service",
        "Service",
        "Service",
    ]


def test_a_second_manifest_updates_and_keeps_the_first_revision(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run_cli(capsys, "-f", HELLO, "-f", HELLO_V2, "-o", "json")
    assert code == 0
    objects = json.loads(out)
    for name in ("helloworld-go-00001", "helloworld-go-00002"):
        find(objects, "serving.knative.dev/v1", "Revision", name)
        find(objects, "apps/v1", "Deployment", f"{name}-deployment")
    configuration = find(objects, "serving.knative.dev/v1", "Configuration", "helloworld-go")
    assert configuration["status"]["latestReadyRevisionName"] == "helloworld-go-00002"
    assert configuration["status"]["observedGeneration"] == 2


def test_pending_leaves_revisions_deploying(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(capsys, "-f", HELLO, "--pending", "-o", "json")
    revision = find(json.loads(out), "serving.knative.dev/v1", "Revision", "helloworld-go-00001")
    ready = next(c for c in revision["status"]["conditions"] if c["type"] == "Ready")
    assert (ready["status"], ready["reason"]) == ("Unknown", "Deploying")


def test_invalid_manifests_print_nothing_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "serving.knative.dev/v1",
                "kind": "Service",
                "metadata": {"name": "bad", "namespace": "default"},
                "spec": {
                    "template": {"spec": {"containers": [{"image": "i"}]}},
                    "traffic": [{"latestRevision": True, "percent": 90}],
                },
            }
        )
    )
    code, out, err = run_cli(capsys, "-f", HELLO, "-f", str(bad))
    assert code == 2
    assert out == ""
    assert "Traffic targets sum to 90, want 100: spec.traffic" in err


def test_config_maps_from_flags_override_the_manifests(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    maps = tmp_path / "config.yaml"
    maps.write_text(
        yaml.safe_dump_all(
            [
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "config-network", "namespace": "knative-serving"},
                    "data": {"ingress-class": "istio", "domain-template": "{{.Name}}.{{.Domain}}"},
                },
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": "config-domain", "namespace": "knative-serving"},
                    "data": {"old.example": "", "internal.example": "selector:\n  app: x\n"},
                },
            ]
        )
    )
    code, out, _ = run_cli(
        capsys, "-f", str(maps), "--ingress-class", "envoy", "--domain", "example.com", "-o", "json"
    )
    assert code == 0
    objects = json.loads(out)
    network = find(objects, "v1", "ConfigMap", "config-network")
    assert network["data"] == {
        "ingress-class": "envoy.ingress.networking.knative.dev",
        "domain-template": "{{.Name}}.{{.Domain}}",
    }
    domain = find(objects, "v1", "ConfigMap", "config-domain")
    assert domain["data"] == {"internal.example": "selector:\n  app: x\n", "example.com": ""}
    find(objects, "v1", "Namespace", "knative-serving")


def test_flags_alone_create_the_config_maps(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(capsys, "-f", HELLO, "--domain", "example.com", "-o", "json")
    objects = json.loads(out)
    assert find(objects, "v1", "ConfigMap", "config-domain")["data"] == {"example.com": ""}
    assert not [o for o in objects if o["metadata"]["name"] == "config-network"]


def test_help_lists_reconcile(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "reconcile" in capsys.readouterr().out


@dataclass
class Flapper:
    """A controller that never agrees with itself: flips a label on every Route."""

    name: str = "flapper"
    kind: Kind = ROUTE

    def watches(self) -> Sequence[Watch]:
        return ()

    def reconcile(self, ctx: Context, ref: ObjectRef) -> Result:
        try:
            obj = ctx.cluster.get(ref.kind, ref.namespace, ref.name)
        except NotFound:
            return Result()
        labels = dict(obj["metadata"].get("labels") or {})
        labels["flip"] = "b" if labels.get("flip") == "a" else "a"
        ctx.cluster.update({**obj, "metadata": {**obj["metadata"], "labels": labels}})
        return Result()


def test_controllers_that_never_settle_are_an_error_not_a_hang() -> None:
    args = argparse.Namespace(
        paths=[HELLO], ingress_class=None, domain=None, output="yaml", pending=False
    )
    with pytest.raises(CliError) as raised:
        reconcile.run(args, reconcilers=[*offline_reconcilers(), Flapper()])
    assert raised.value.code == 1
    assert "did not settle" in str(raised.value)
    assert "flapper" in str(raised.value)


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        pytest.param("--ingress-class", "--ingress-class must not be empty", id="class"),
        pytest.param("--domain", "--domain must not be empty", id="domain"),
    ],
)
def test_empty_flags_are_refused(
    capsys: pytest.CaptureFixture[str], flag: str, message: str
) -> None:
    code, out, err = run_cli(capsys, "-f", HELLO, flag, " ")
    assert (code, out) == (2, "")
    assert message in err


def test_unparsable_domain_selectors_are_left_for_the_route_controller() -> None:
    change = reconcile.with_default_domain("example.com")
    assert change({"odd.example": "selector: [", "old.example": ""}) == {
        "odd.example": "selector: [",
        "example.com": "",
    }


def test_manifest_config_maps_get_their_namespace(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    maps = tmp_path / "network.yaml"
    maps.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "config-network", "namespace": "knative-serving"},
                "data": {"ingress-class": "istio.ingress.networking.knative.dev"},
            }
        )
    )
    _, out, _ = run_cli(capsys, "-f", str(maps), "-o", "json")
    objects = json.loads(out)
    find(objects, "v1", "Namespace", "knative-serving")
    assert find(objects, "v1", "ConfigMap", "config-network")["data"] == {
        "ingress-class": "istio.ingress.networking.knative.dev"
    }
