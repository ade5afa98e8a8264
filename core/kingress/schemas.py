"""Validating emitted objects against upstream CRD schemas.

The schemas are test fixtures, never shipped: they are read from the directory
named by ``KINGRESS_CRD_DIR`` or, by default, ``../shared/crds`` beside the
project checkout. Callers (tests, the conformance suite's offline depth) treat
a missing directory or a missing CRD as "skipped, with this reason", never as
a pass.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from kingress.cluster.port import group_of

CRD_DIR_ENV = "KINGRESS_CRD_DIR"


class SchemaUnavailable(LookupError):
    """No schema is available for a kind; the message says why (the skip reason)."""


def crd_dir() -> Path:
    """Where CRD fixtures are looked for."""
    configured = os.environ.get(CRD_DIR_ENV)
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[2].parent / "shared" / "crds"


@dataclass(frozen=True, slots=True)
class Schema:
    """The OpenAPI v3 schema of one served version of a CRD."""

    group: str
    kind: str
    version: str
    schema: dict[str, Any]
    source: str


def _crd_documents(directory: Path) -> Iterator[tuple[Path, dict[str, Any]]]:
    for path in sorted(directory.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                yield path, doc


@cache
def _schemas(directory: str) -> dict[tuple[str, str, str], Schema]:
    found: dict[tuple[str, str, str], Schema] = {}
    for path, doc in _crd_documents(Path(directory)):
        spec = doc.get("spec", {})
        group, kind = spec.get("group", ""), spec.get("names", {}).get("kind", "")
        for version in spec.get("versions", []):
            schema = (version.get("schema") or {}).get("openAPIV3Schema")
            if schema:
                key = (group, kind, version["name"])
                found[key] = Schema(group, kind, version["name"], schema, path.name)
    return found


def schema_for(api_version: str, kind: str) -> Schema:
    """The CRD schema of a kind, or ``SchemaUnavailable`` naming what is missing."""
    directory = crd_dir()
    if not directory.is_dir():
        raise SchemaUnavailable(
            f"CRD schemas not found: {directory} does not exist (set {CRD_DIR_ENV})"
        )
    group, version = group_of(api_version), api_version.rpartition("/")[2]
    schema = _schemas(str(directory)).get((group, kind, version))
    if schema is None:
        raise SchemaUnavailable(f"no CRD schema for {kind} {api_version} in {directory}")
    return schema


def _to_json_schema(node: Any) -> Any:
    """OpenAPI v3 → JSON Schema: handle the Kubernetes extensions that change meaning."""
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {k: _to_json_schema(v) for k, v in node.items() if not k.startswith("x-kubernetes-")}
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    if node.get("x-kubernetes-preserve-unknown-fields") and "properties" not in out:
        out.pop("type", None)
    out.pop("nullable", None)
    return out


def schema_errors(obj: dict[str, Any]) -> list[str]:
    """Every schema violation of an object, as ``path: message``; empty when valid.

    Raises ``SchemaUnavailable`` when the kind's schema cannot be found.
    """
    schema = schema_for(str(obj.get("apiVersion")), str(obj.get("kind")))
    validator = jsonschema.Draft4Validator(_to_json_schema(schema.schema))
    errors = []
    for error in sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path)):
        where = ".".join(str(p) for p in error.absolute_path) or "<root>"
        errors.append(f"{where}: {error.message}")
    return errors
