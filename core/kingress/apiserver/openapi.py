"""OpenAPI v3, as much as ``kubectl`` reads.

kubectl (1.27 and later) fetches ``/openapi/v3`` and, per group-version, the
document it points to, to learn whether the server validates fields itself
(a ``fieldValidation`` query parameter on the PATCH operation tagged with the
kind's ``x-kubernetes-group-version-kind``). It does, so kubectl sends
``fieldValidation=Strict`` and skips client-side schema validation. No
component schemas are published: kubectl then computes apply patches from its
built-in types (strategic merge for Kubernetes kinds, JSON merge patch for
custom ones), as it does with any server lacking them. ``/openapi/v2`` is not
served (kubectl tolerates its absence).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from kingress.apiserver.resources import Resource, ResourceTable

_QUERY_PARAMETERS = ("dryRun", "fieldManager", "fieldValidation", "force", "pretty")


def _prefix(group: str, version: str) -> str:
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _operation(resource: Resource, version: str, action: str) -> dict[str, Any]:
    return {
        "operationId": f"{action}{resource.kind}",
        "parameters": [
            {"name": name, "in": "query", "schema": {"type": "string"}}
            for name in _QUERY_PARAMETERS
        ],
        "responses": {"200": {"description": "OK"}},
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": {
            "group": resource.group,
            "version": version,
            "kind": resource.kind,
        },
    }


def group_version_document(table: ResourceTable, group: str, version: str) -> dict[str, Any]:
    """The OpenAPI v3 document of one group-version."""
    paths: dict[str, Any] = {}
    for resource in table.all():
        if resource.group != group or version not in resource.versions:
            continue
        scope = "namespaces/{namespace}/" if resource.namespaced else ""
        base = f"/{_prefix(group, version)}/{scope}{resource.plural}/{{name}}"
        paths[base] = {
            "get": _operation(resource, version, "get"),
            "put": _operation(resource, version, "put"),
            "patch": _operation(resource, version, "patch"),
            "delete": _operation(resource, version, "delete"),
        }
    return {
        "openapi": "3.0.0",
        "info": {"title": "kingress", "version": version},
        "paths": paths,
        "components": {"schemas": {}},
    }


def root(table: ResourceTable) -> dict[str, Any]:
    """``/openapi/v3``: one entry per group-version, with a content hash in its URL."""
    paths: dict[str, Any] = {}
    for group, versions in table.groups().items():
        for version in versions:
            prefix = _prefix(group, version)
            body = json.dumps(group_version_document(table, group, version), sort_keys=True)
            digest = hashlib.sha256(body.encode()).hexdigest()[:16].upper()
            paths[prefix] = {"serverRelativeURL": f"/openapi/v3/{prefix}?hash={digest}"}
    return {"paths": paths}
