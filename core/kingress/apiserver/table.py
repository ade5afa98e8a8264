"""``kubectl get`` tables (``meta.k8s.io/v1`` Table) with each resource's printer columns.

kubectl asks for ``application/json;as=Table;v=v1;g=meta.k8s.io``; the answer
has a Name column, the resource's printer columns (from its CRD, so URL, Ready
and Reason for Knative kinds) and Age. Column paths are the JSONPath subset
CRDs use: ``.a.b``, ``['dotted.key']``, ``[0]`` and ``[?(@.field=='value')]``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from kingress.apiserver.resources import Resource

_TOKEN = re.compile(
    r"\.(?P<field>[A-Za-z0-9_-]+)"
    r"|\[\s*'(?P<quoted>(?:[^'\\]|\\.)*)'\s*\]"
    r"|\[(?P<index>\d+)\]"
    r"|\[\?\(@\.(?P<key>[A-Za-z0-9_-]+)\s*==\s*['\"](?P<value>[^'\"]*)['\"]\)\]"
)


def wants_table(accept: str) -> bool:
    """Whether the Accept header asks for a Table."""
    return "as=Table" in accept


def evaluate(obj: Any, path: str) -> Any:
    """The value at a JSONPath of the subset above, or ``None``."""
    node = obj
    position = 0
    while position < len(path) and node is not None:
        match = _TOKEN.match(path, position)
        if match is None:
            return None
        position = match.end()
        if match["field"] is not None or match["quoted"] is not None:
            name = match["field"] or re.sub(r"\\(.)", r"\1", match["quoted"])
            node = node.get(name) if isinstance(node, dict) else None
        elif match["index"] is not None:
            index = int(match["index"])
            node = node[index] if isinstance(node, list) and index < len(node) else None
        else:
            found = [
                item
                for item in node or ()
                if isinstance(item, dict) and str(item.get(match["key"])) == match["value"]
            ]
            node = found[0] if found else None
    return node


def _age(timestamp: str | None, now: datetime) -> str:
    if not timestamp:
        return "<unknown>"
    created = datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    seconds = max(0, int((now - created).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def table(
    resource: Resource, objects: Sequence[dict[str, Any]], resource_version: str
) -> dict[str, Any]:
    """A Table of objects with the resource's columns."""
    now = datetime.now(UTC)
    definitions = [{"name": "Name", "type": "string", "format": "name", "priority": 0}]
    definitions += [
        {"name": c.name, "type": c.type, "format": "", "priority": c.priority}
        for c in resource.columns
    ]
    definitions.append({"name": "Age", "type": "string", "format": "", "priority": 0})
    rows = []
    for obj in objects:
        meta = obj.get("metadata") or {}
        cells: list[Any] = [meta.get("name", "")]
        for column in resource.columns:
            value = evaluate(obj, column.json_path)
            cells.append("" if value is None else value)
        cells.append(_age(meta.get("creationTimestamp"), now))
        partial = {
            "kind": "PartialObjectMetadata",
            "apiVersion": "meta.k8s.io/v1",
            "metadata": meta,
        }
        rows.append({"cells": cells, "object": partial})
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": definitions,
        "rows": rows,
    }
