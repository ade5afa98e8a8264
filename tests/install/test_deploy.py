"""``deploy/``: generated, parseable, structural CRDs, RBAC covering what the code uses."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from kingress.apiserver.resources import BUILTIN
from kingress.cluster.port import Kind
from kingress.controller.reconciler import ANY_KIND
from kingress.controller.registry import Options, all_reconcilers
from kingress.install.crds import CRDS
from kingress.install.manifests import render
from kingress.install.rbac import LEASE_VERBS, READ, STATUS, WRITE, allowed
from kingress.runtime.leader import LEASE

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def documents() -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for path in sorted(DEPLOY.glob("*.yaml")):
        found.extend(d for d in yaml.safe_load_all(path.read_text()) if d)
    return found


def test_committed_files_are_up_to_date() -> None:
    expected = render()
    actual = {p.name: p.read_text() for p in DEPLOY.iterdir() if p.is_file()}
    assert actual == expected, "regenerate with: python -m kingress.install deploy"


def test_every_manifest_parses_into_named_objects() -> None:
    for doc in documents():
        assert doc["apiVersion"] and doc["kind"] and doc["metadata"]["name"]


def structural_problems(node: Any, path: str = "") -> list[str]:
    problems = []
    if not isinstance(node, dict):
        return [f"{path}: not a schema"]
    if not (
        {"type", "x-kubernetes-int-or-string", "x-kubernetes-preserve-unknown-fields"} & node.keys()
    ):
        problems.append(f"{path}: no type")
    for banned in ("$ref", "anyOf", "oneOf", "allOf", "$defs", "definitions"):
        if banned in node:
            problems.append(f"{path}: {banned}")
    if "properties" in node and "additionalProperties" in node:
        problems.append(f"{path}: properties with additionalProperties")
    for name, child in (node.get("properties") or {}).items():
        problems += structural_problems(child, f"{path}.{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(node.get(key), dict):
            problems += structural_problems(node[key], f"{path}[{key}]")
    return problems


def test_crds_are_structural_with_names_columns_and_status() -> None:
    crds = [d for d in documents() if d["kind"] == "CustomResourceDefinition"]
    assert {c["spec"]["names"]["kind"] for c in crds} == {s.kind for s in CRDS}
    short_names = {n for c in crds for n in c["spec"]["names"]["shortNames"]}
    assert {"ksvc", "kservice", "config", "rev", "rt", "kingress"} <= short_names
    for crd in crds:
        versions = crd["spec"]["versions"]
        assert sum(v["storage"] for v in versions) == 1
        for version in versions:
            assert structural_problems(version["schema"]["openAPIV3Schema"]) == []
            assert version["subresources"] == {"status": {}}
            columns = [c["name"] for c in version["additionalPrinterColumns"]]
            assert {"Ready", "Reason"} <= set(columns)
    services = next(c for c in crds if c["metadata"]["name"] == "services.serving.knative.dev")
    assert [(v["name"], v["storage"]) for v in services["spec"]["versions"]] == [
        ("v1", True),
        ("v1alpha1", False),
    ]


def _plural(group: str, kind: str) -> str:
    for spec in CRDS:
        if (spec.group, spec.kind) == (group, kind):
            return spec.plural
    return BUILTIN[Kind(group, kind)].plural


@pytest.mark.parametrize("spec", CRDS, ids=lambda s: s.kind)
def test_rbac_covers_our_kinds_and_their_status(spec: Any) -> None:
    assert all(allowed(spec.group, spec.plural, verb) for verb in WRITE)
    assert all(allowed(spec.group, f"{spec.plural}/status", verb) for verb in STATUS)


def test_rbac_covers_every_registered_reconciler_and_the_runtime() -> None:
    for reconciler in all_reconcilers(Options()):
        kinds = [reconciler.kind, *(w.kind for w in reconciler.watches())]
        for kind in kinds:
            if kind == ANY_KIND:  # children of any kind: the backends' kinds, checked below
                continue
            assert all(allowed(kind.group, _plural(kind.group, kind.kind), v) for v in READ)
    assert all(allowed(LEASE.group, "leases", verb) for verb in LEASE_VERBS)
    for group, resource in (
        ("", "services"),
        ("apps", "deployments"),
        ("networking.istio.io", "virtualservices"),
        ("networking.istio.io", "gateways"),
        ("projectcontour.io", "httpproxies"),
        ("projectcontour.io", "tlscertificatedelegations"),
        ("k8s.nginx.org", "virtualservers"),
        ("networking.k8s.io", "ingresses"),
    ):
        assert allowed(group, resource, "create") and allowed(group, resource, "delete")
    assert not allowed("", "secrets", "create"), "secrets are read-only"
    assert not allowed("", "configmaps", "update"), "configmaps are read-only"


def test_controller_runs_non_root_read_only_with_probes() -> None:
    deployment = next(d for d in documents() if d["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
