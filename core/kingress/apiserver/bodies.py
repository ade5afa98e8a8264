"""Request bodies: which media types are accepted, decoding, and the limits on what decodes.

Anything that reaches the store is kept, copied and re-encoded for every
reader, so a body is refused (``400``, ``413`` or ``415``, never stored) unless
it is plain JSON data of a bounded shape:

- at most ``MAX_BODY_BYTES`` (Kubernetes' 3 MiB), checked by the server before
  reading;
- JSON (``application/json`` and the patch types) or YAML (``application/yaml``):
  creates and updates in any other media type are ``415``;
- no ``NaN``/``Infinity``, no YAML-only values (dates, binary, non-string
  keys), which no JSON client could read back;
- nested at most ``MAX_DEPTH`` levels and at most ``MAX_NODES`` values in all
  — which also stops YAML alias "billion laughs" documents, whose few bytes
  expand to billions of values when encoded.
"""

from __future__ import annotations

import json
import math
from typing import Any

import yaml

from kingress.apiserver.patch import UnsupportedMediaType
from kingress.cluster.errors import BadRequest

#: Kubernetes' own request limit (3 MiB).
MAX_BODY_BYTES = 3 * 1024 * 1024
#: Deeper than any real object (a Pod spec is about 15 levels).
MAX_DEPTH = 100
#: Far more values than any real object holds (a 3 MiB ConfigMap has a handful).
MAX_NODES = 500_000

JSON = "application/json"
YAML = "application/yaml"
#: Media types a create or update (POST, PUT) may carry; a missing type means JSON.
OBJECT_TYPES = frozenset({"", JSON, YAML, "application/x-yaml", "text/yaml"})


_SCALARS = (str, int, float, bool)
#: libyaml's parser when available: fast, and it bounds nesting itself.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def media_type(content_type: str) -> str:
    """The media type of a Content-Type header, without parameters, lower case."""
    return content_type.split(";", maxsplit=1)[0].strip().lower()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def decode(raw: bytes, content_type: str, method: str) -> Any:
    """The body as JSON data (``None`` when empty); ``BadRequest`` or 415 when refused."""
    if not raw:
        return None
    media = media_type(content_type)
    if method in ("POST", "PUT") and media not in OBJECT_TYPES:
        raise UnsupportedMediaType(
            f"the body of the request was in an unknown format ({media!r}) - accepted media "
            f"types include: {JSON}, {YAML}"
        )
    try:
        if "yaml" in media:
            value = yaml.load(raw, Loader=_YAML_LOADER)
        else:
            value = json.loads(raw, parse_constant=_reject_constant)
    except RecursionError:
        raise BadRequest(f"the request body is nested deeper than {MAX_DEPTH} levels") from None
    except (ValueError, yaml.YAMLError) as error:
        raise BadRequest(f"the request body could not be decoded: {error}") from None
    check_shape(value)
    return value


def check_shape(value: Any) -> None:
    """``BadRequest`` unless ``value`` is finite JSON data within the depth and size limits."""
    budget = MAX_NODES
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        budget -= 1
        if budget < 0:
            raise BadRequest(f"the request body holds more than {MAX_NODES} values")
        if depth > MAX_DEPTH:
            raise BadRequest(f"the request body is nested deeper than {MAX_DEPTH} levels")
        if type(node) is dict:
            for key, item in node.items():
                if type(key) is not str:
                    raise BadRequest(f"the request body has a key that is not a string: {key!r}")
                stack.append((item, depth + 1))
        elif type(node) is list:
            stack.extend((item, depth + 1) for item in node)
        elif type(node) is float and not math.isfinite(node):
            raise BadRequest(f"the request body holds {node}, which is not a JSON number")
        elif node is not None and type(node) not in _SCALARS:
            raise BadRequest(
                f"the request body holds a {type(node).__name__} ({node!r:.40}), which is not "
                "JSON data: quote it to make it a string"
            )
