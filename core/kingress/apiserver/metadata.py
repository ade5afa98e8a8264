"""ObjectMeta validation for every kind, as Kubernetes does before anything is stored.

Kubernetes kinds and CRD-defined kinds are otherwise stored as given, and the
store, label selectors, the garbage collector and every controller read
``metadata``. A label that is a number or ``ownerReferences`` that are not a
list would be stored and then break every later list of that kind, so the
shape of ``metadata`` is checked for every write (``422 Invalid``, with
Kubernetes' field paths):

- ``name``, ``generateName``, ``namespace``, ``uid``, ``resourceVersion``: strings;
- ``labels``: qualified-name keys, values of at most 63 characters of
  ``[-A-Za-z0-9_.]`` starting and ending alphanumeric;
- ``annotations``: qualified-name keys, string values, 256 KiB in all;
- ``ownerReferences``: objects with ``apiVersion``, ``kind``, ``name`` and
  ``uid``, at most one of them the controller;
- ``finalizers``: qualified names.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from kingress.cluster.errors import Invalid

_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?"
_DNS_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
#: The optional ``<DNS subdomain>/`` prefix of a qualified name (always matches, maybe empty).
_QUALIFIED_PREFIX = re.compile(rf"^({_DNS_LABEL}(\.{_DNS_LABEL})*/)?")
_LABEL_VALUE = re.compile(rf"^({_NAME})?$")
_NAME_PART = re.compile(rf"^{_NAME}$")
MAX_ANNOTATIONS_BYTES = 256 * 1024
_STRING_FIELDS = ("name", "generateName", "namespace", "uid", "resourceVersion")
_OWNER_FIELDS = ("apiVersion", "kind", "name", "uid")


def _qualified_name_problem(key: str) -> str | None:
    prefix = _QUALIFIED_PREFIX.match(key)
    length = prefix.end() if prefix else 0
    name = key[length:]
    if length > 254:
        return "prefix part must be no more than 253 characters"
    if not name or len(name) > 63 or not _NAME_PART.match(name):
        return (
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must "
            "start and end with an alphanumeric character (at most 63 characters)"
        )
    return None


def _string_map(meta: Mapping[str, Any], field: str) -> Mapping[str, Any]:
    value = meta.get(field)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Invalid(f"metadata.{field}: Invalid value: must be a map of strings")
    for key, item in value.items():
        problem = _qualified_name_problem(key)
        if problem is not None:
            raise Invalid(f"metadata.{field}: Invalid value: {key!r}: {problem}")
        if not isinstance(item, str):
            raise Invalid(f"metadata.{field}[{key}]: Invalid value: must be a string")
    return value


def _check_owner_references(meta: Mapping[str, Any]) -> None:
    refs = meta.get("ownerReferences")
    if refs is None:
        return
    if not isinstance(refs, list):
        raise Invalid("metadata.ownerReferences: Invalid value: must be a list")
    controllers = 0
    for index, ref in enumerate(refs):
        where = f"metadata.ownerReferences[{index}]"
        if not isinstance(ref, dict):
            raise Invalid(f"{where}: Invalid value: must be an object")
        for field in _OWNER_FIELDS:
            if not isinstance(ref.get(field), str) or not ref[field]:
                raise Invalid(f"{where}.{field}: Required value")
        for field in ("controller", "blockOwnerDeletion"):
            if not isinstance(ref.get(field, False), bool):
                raise Invalid(f"{where}.{field}: Invalid value: must be a boolean")
        controllers += bool(ref.get("controller"))
    if controllers > 1:
        raise Invalid(
            "metadata.ownerReferences: Invalid value: only one reference can be a controller"
        )


def check_metadata(obj: Mapping[str, Any]) -> None:
    """``Invalid`` unless the object's ``metadata`` has the shape Kubernetes requires."""
    meta = obj.get("metadata")
    if meta is None:
        return
    if not isinstance(meta, dict):
        raise Invalid("metadata: Invalid value: must be an object")
    for field in _STRING_FIELDS:
        if field in meta and meta[field] is not None and not isinstance(meta[field], str):
            raise Invalid(f"metadata.{field}: Invalid value: must be a string")
    for key, value in _string_map(meta, "labels").items():
        if len(value) > 63 or not _LABEL_VALUE.match(value):
            raise Invalid(
                f"metadata.labels[{key}]: Invalid value: {value!r}: a valid label value must be "
                "63 characters or less and consist of alphanumeric characters, '-', '_' or '.', "
                "starting and ending with an alphanumeric character"
            )
    annotations = _string_map(meta, "annotations")
    if sum(len(k) + len(v) for k, v in annotations.items()) > MAX_ANNOTATIONS_BYTES:
        raise Invalid(
            f"metadata.annotations: Too long: must have at most {MAX_ANNOTATIONS_BYTES} bytes"
        )
    _check_owner_references(meta)
    finalizers = meta.get("finalizers")
    if finalizers is not None and (
        not isinstance(finalizers, list)
        or any(not isinstance(f, str) or _qualified_name_problem(f) for f in finalizers)
    ):
        raise Invalid("metadata.finalizers: Invalid value: must be a list of qualified names")
