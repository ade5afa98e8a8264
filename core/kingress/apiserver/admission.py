"""From request bodies to stored objects, and from stored objects to responses.

Writes are admitted through the scheme: the body's apiVersion and kind must be
the URL's (they are filled in when absent), known kinds are parsed, defaulted,
validated (Knative's messages) and converted to their storage version. Kinds
served only because a CRD defines them are stored as given. Reads are rendered
at the version the URL names (``scheme.convert``; for CRD-defined kinds only
the apiVersion changes, as with Kubernetes' ``None`` conversion strategy).
"""

from __future__ import annotations

from typing import Any

import pydantic

from kingress.api.fielderrors import ValidationError
from kingress.api.scheme import Scheme, UnknownKind
from kingress.apiserver.resources import CRD_KIND, Resource, check_definition
from kingress.cluster.errors import BadRequest, Invalid
from kingress.cluster.port import Object
from kingress.manifests import describe


def _invalid(resource: Resource, name: str, detail: str) -> Invalid:
    return Invalid(f'{resource.kind}.{resource.group or "core"} "{name}" is invalid: {detail}')


def admit(scheme: Scheme, resource: Resource, version: str, body: Any) -> Object:
    """The body, checked and at its storage version; ``BadRequest`` or ``Invalid`` if not."""
    if not isinstance(body, dict):
        raise BadRequest(f"expected a {resource.kind} object, got {type(body).__name__}")
    expected = resource.api_version(version)
    obj = {"apiVersion": expected, "kind": resource.kind, **body}
    if obj["apiVersion"] != expected or obj["kind"] != resource.kind:
        raise BadRequest(
            f"the object ({obj['apiVersion']}, {obj['kind']}) does not match the request "
            f"({expected}, {resource.kind})"
        )
    name = str((obj.get("metadata") or {}).get("name") or "")
    if resource.key == CRD_KIND:
        try:
            check_definition(obj)
        except Invalid as error:
            raise _invalid(resource, name, error.message) from None
    if resource.custom:
        return {**obj, "apiVersion": resource.api_version(resource.versions[0])}
    try:
        return scheme.admit(obj)
    except ValidationError as error:
        raise _invalid(resource, name, str(error)) from None
    except pydantic.ValidationError as error:
        raise _invalid(resource, name, describe(error)) from None
    except UnknownKind as error:
        raise BadRequest(str(error)) from None


def render(scheme: Scheme, resource: Resource, version: str, obj: Object) -> Object:
    """A stored object at the version a client asked for."""
    api_version = resource.api_version(version)
    if obj.get("apiVersion") == api_version:
        return obj
    if resource.custom:
        return {**obj, "apiVersion": api_version}
    return scheme.convert(obj, api_version)
