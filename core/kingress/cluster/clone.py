"""Copies of wire-form objects, and their size.

Everything the store and the informer caches hold is JSON-shaped (dicts,
lists, strings, numbers, booleans, ``None``), and both copy objects in and out
so that no caller shares state with them. ``copy.deepcopy`` handles any Python
object and pays for it (a memo, a dispatch per node); ``clone`` copies only
the containers JSON has and keeps the immutable leaves, about twice as fast,
which matters because a reconcile lists whole kinds. Anything else falls back
to ``copy.deepcopy``.
"""

from __future__ import annotations

import copy
import json
from typing import Any, TypeVar

T = TypeVar("T")

_IMMUTABLE = (str, int, float, bool, type(None))


def clone(value: T) -> T:
    """A deep copy of JSON-shaped data (tuples are kept as tuples)."""
    return _clone(value)  # type: ignore[no-any-return]


def _clone(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {key: _clone(item) for key, item in value.items()}
    if kind is list:
        return [_clone(item) for item in value]
    if kind is tuple:
        return tuple(_clone(item) for item in value)
    if isinstance(value, _IMMUTABLE):
        return value
    return copy.deepcopy(value)


def wire_size(value: Any) -> int:
    """The size in bytes of ``value`` as compact JSON (what it costs to keep or send)."""
    return len(json.dumps(value, separators=(",", ":"), default=str).encode())
