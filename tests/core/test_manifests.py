"""Loading manifests: clear errors with file, line, column, document and field."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kingress.api.kinds import default_scheme
from kingress.manifests import ManifestError, load

INGRESS = """\
apiVersion: networking.internal.knative.dev/v1alpha1
kind: Ingress
metadata: {name: hello, namespace: default}
spec:
  rules:
  - hosts: [hello.example.com]
    http:
      paths:
      - splits:
        - {serviceName: hello, serviceNamespace: default, servicePort: 80%s}
"""


def _write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_loads_multi_document_yaml_and_converts_kingress(tmp_path: Path) -> None:
    config_map = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: config-network}\n"
    path = _write(tmp_path, "all.yaml", INGRESS % "" + "---\n" + config_map)
    objects = load([path], default_scheme())
    assert [o["kind"] for o in objects] == ["ClusterIngress", "ConfigMap"]
    assert objects[0]["spec"]["rules"][0]["http"]["paths"][0]["splits"][0]["percent"] == 100


def test_directories_json_lists_and_stdin(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    _write(tmp_path / "d", "a.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
    _write(
        tmp_path / "d",
        "b.json",
        '{"apiVersion": "v1", "kind": "List", "items": '
        '[{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}}]}',
    )
    _write(tmp_path / "d", "ignored.txt", "not yaml: [")
    stdin = io.StringIO("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    objects = load([str(tmp_path / "d"), "-"], default_scheme(), stdin=stdin)
    assert [o["metadata"]["name"] for o in objects] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("name", "text", "want"),
    [
        pytest.param("bad.yaml", "a: [1, 2\nb: 3\n", r"bad\.yaml:2:\d+: invalid YAML", id="yaml"),
        pytest.param("bad.json", '{"a": 1,\n "b": }', r"bad\.json:2:7: invalid JSON", id="json"),
        pytest.param(
            "kind.yaml",
            "apiVersion: x/v1\nkind: Thing\nmetadata: {name: t}\n",
            r"kind\.yaml: document 0 \(Thing/t\): no kind 'Thing' is registered",
            id="kind",
        ),
        pytest.param(
            "field.yaml",
            INGRESS % ", bogus: 1",
            r"document 0 \(Ingress/hello\): spec\.rules\[0\]\.http\.paths\[0\]\.splits\[0\]"
            r"\.bogus: Extra inputs are not permitted",
            id="unknown-field",
        ),
        pytest.param(
            "sum.yaml",
            INGRESS % ", percent: 90",
            r"traffic split percentage must total to 100, but was 90: "
            r"spec\.rules\[0\]\.http\.paths\[0\]\.splits",
            id="knative-message",
        ),
        pytest.param(
            "scalar.yaml",
            "just a string\n",
            r"document 0 \(\?\): expected an object",
            id="not-an-object",
        ),
    ],
)
def test_errors_name_where(tmp_path: Path, name: str, text: str, want: str) -> None:
    path = _write(tmp_path, name, text)
    with pytest.raises(ManifestError, match=want):
        load([path], default_scheme())


def test_all_or_nothing_reports_every_problem(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.yaml", INGRESS % "")
    bad = _write(tmp_path, "bad.yaml", INGRESS % ", percent: 90" + "---\nkind: X\n")
    with pytest.raises(ManifestError) as raised:
        load([good, bad], default_scheme())
    assert len(raised.value.problems) == 2
    assert all("bad.yaml" in p for p in raised.value.problems)


def test_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="no such file or directory"):
        load([str(tmp_path / "nope.yaml")], default_scheme())
