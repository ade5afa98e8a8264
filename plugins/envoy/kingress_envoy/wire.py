"""Envoy's xDS resources as protobuf wire bytes, from the backend's proto3-JSON dicts.

The Envoy backend renders every resource as a proto3-JSON-style dict (proto
field names, ``typed_config`` Anys as dicts with ``"@type"``, durations as
strings). A gRPC xDS server needs them as binary protobuf: ``encode`` turns
one such dict into the bytes of the message its type URL names, using the
message classes of ``envoy-data-plane``.

This first version delegates to betterproto2 (``bytes(Cls.from_dict(d))``).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Mapping
from typing import Any

import betterproto2
from envoy_data_plane.message_pool import default_message_pool

_PREFIX = "type.googleapis.com/"
_lock = threading.Lock()


class WireError(ValueError):
    """A dict that is not a valid instance of its message: unknown field, bad value or type."""


def _full_name(type_url: str) -> str:
    return type_url.rsplit("/", 1)[-1]


def message_class(type_url: str) -> type[betterproto2.Message]:
    """The envoy-data-plane class of a type URL or full message name (imported on demand)."""
    name = _full_name(type_url)
    url = _PREFIX + name
    found = default_message_pool.url_to_type.get(url)
    if found is not None:
        return found
    parts = name.split(".")
    package = [part for part in parts if part[:1].islower()]
    if len(package) == len(parts) or not package:
        raise WireError(f"unknown type {type_url!r}")
    with _lock:
        try:
            importlib.import_module("envoy_data_plane." + ".".join(package))
        except ImportError:
            raise WireError(f"unknown type {type_url!r}") from None
    found = default_message_pool.url_to_type.get(url)
    if found is None:
        raise WireError(f"unknown type {type_url!r}")
    return found


def _expand_raw_anys(value: Any) -> Any:
    """Raw ``{"type_url", "value": bytes}`` Anys rewritten to their JSON form."""
    if isinstance(value, Mapping):
        if set(value) == {"type_url", "value"} and isinstance(value["value"], bytes):
            inner = message_class(value["type_url"]).parse(value["value"]).to_dict()
            return {"@type": value["type_url"], **inner}
        return {key: _expand_raw_anys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_expand_raw_anys(item) for item in value]
    return value


def encode(type_url: str, value: Mapping[str, Any]) -> bytes:
    """The message named by ``type_url``, encoded from its proto3-JSON dict."""
    cls = message_class(type_url)
    try:
        return bytes(cls.from_dict(_expand_raw_anys(value)))
    except WireError:
        raise
    except (KeyError, TypeError, ValueError) as error:
        raise WireError(f"{cls.__name__}: {error}") from error
