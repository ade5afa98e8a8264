"""Structural OpenAPI v3 schemas from pydantic models, for CRDs.

Kubernetes only accepts *structural* schemas: every node has a ``type`` (or
``x-kubernetes-int-or-string`` / ``x-kubernetes-preserve-unknown-fields``), no
``$ref``, no ``additionalProperties`` beside ``properties``, and no type
unions. ``model_json_schema`` produces JSON Schema with references, ``anyOf``
for optional fields and titles; ``structural`` rewrites it into that form.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

Node = dict[str, Any]

#: JSON Schema keys that carry no meaning for a CRD (or are not allowed in one).
_DROPPED = frozenset({"title", "default", "$defs", "additionalProperties", "const"})


def structural(model: type[BaseModel]) -> Node:
    """The structural schema of a model (wire form: camelCase, by alias)."""
    raw = model.model_json_schema(by_alias=True, mode="validation")
    return _rewrite(raw, raw.get("$defs", {}))


def _resolve(node: Node, defs: dict[str, Node]) -> Node:
    while "$ref" in node:
        target = defs[node["$ref"].rpartition("/")[2]]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def _rewrite(node: Node, defs: dict[str, Node]) -> Node:
    node = _resolve(node, defs)
    variants = [_resolve(v, defs) for v in node.get("anyOf", [])]
    concrete = [v for v in variants if v.get("type") != "null"]
    if {v.get("type") for v in concrete} == {"integer", "string"}:
        return _described({"x-kubernetes-int-or-string": True}, node)
    if len(concrete) == 1:
        merged = {**concrete[0], **{k: v for k, v in node.items() if k != "anyOf"}}
        return _rewrite(merged, defs)
    out: Node = {}
    for key, value in node.items():
        if key in _DROPPED or key == "anyOf":
            continue
        if key == "properties":
            out[key] = {name: _rewrite(child, defs) for name, child in value.items()}
        elif key == "items":
            out[key] = _rewrite(value, defs)
        elif key == "description":
            out[key] = _first_paragraph(value)
        else:
            out[key] = value
    extra = node.get("additionalProperties")
    if isinstance(extra, dict) and "properties" not in node:
        out["additionalProperties"] = _rewrite(extra, defs)
    elif extra is True and "properties" not in node:
        out["x-kubernetes-preserve-unknown-fields"] = True
    out.setdefault("type", "object")
    return out


def _described(out: Node, node: Node) -> Node:
    if "description" in node:
        out["description"] = _first_paragraph(node["description"])
    return out


def _first_paragraph(text: str) -> str:
    return " ".join(text.split("\n\n", maxsplit=1)[0].split())
