"""Request-matching helpers every model shares: hosts, paths, weights, upstreams, durations.

The targets differ in *which* rule they pick, but the elementary tests are the
same wherever they appear (a prefix test, a wildcard host, relative weights,
an upstream's protocol), so they live here once and each model composes them
in its target's documented order.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from kingress import BackendService
from kingress_conformance.models.decision import Forward, ModelError, UpstreamProtocol
from kingress_conformance.models.headers import Headers

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)$")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def in_group(obj: Mapping[str, Any], group: str) -> bool:
    """Whether an object's ``apiVersion`` is of API ``group`` (any version)."""
    return str(obj.get("apiVersion", "")).startswith(f"{group}/")


def all_in_group(objects: Sequence[Mapping[str, Any]], group: str) -> bool:
    """Whether there are objects and every one is of API ``group``."""
    return bool(objects) and all(in_group(o, group) for o in objects)


def host_matches(pattern: str, host: str) -> bool:
    """``*`` (any), ``*.suffix`` / ``*-suffix`` (non-empty rest), ``prefix*``, or exact."""
    if pattern == "*":
        return True
    if pattern.startswith("*"):
        return len(host) > len(pattern) - 1 and host.endswith(pattern[1:])
    if pattern.endswith("*"):
        return len(host) > len(pattern) - 1 and host.startswith(pattern[:-1])
    return pattern == host


def strip_port(host: str) -> str:
    """The Host header without a ``:port``."""
    name, _, port = host.rpartition(":")
    return name if name and port.isdigit() else host


def segment_prefix(prefix: str, path: str) -> bool:
    """Whether ``prefix`` matches ``path`` on ``/``-separated segments (``/foo`` ≠ ``/foobar``)."""
    trimmed = prefix.rstrip("/")
    return not trimmed or path == trimmed or path.startswith(trimmed + "/")


def even_or_relative(weights: Sequence[int]) -> list[int]:
    """Relative weights, where all zero means an even split (Contour's documented rule)."""
    return [1] * len(weights) if weights and not any(weights) else list(weights)


def seconds(value: object) -> float:
    """A duration (``10s``, ``1.5m``, ``500ms``, ``1h``) in seconds."""
    found = _DURATION.match(str(value).strip())
    if found is None:
        raise ModelError(f"cannot read duration {value!r}")
    return float(found.group(1)) * _UNITS[found.group(2)]


def forward_to(
    service: BackendService | None,
    fallback_name: str,
    port: int | str,
    *,
    weight: int,
    headers: Headers,
    host: str,
    h2c: bool | None = None,
) -> Forward:
    """A ``Forward`` to a Service port; ``h2c`` unset means "as the port says" (``is_h2c``)."""
    found = service.port(port) if service is not None else None
    if h2c is None:
        h2c = found is not None and found.is_h2c
    number = found.port if found is not None else port if isinstance(port, int) else 0
    return Forward(
        namespace=service.namespace if service is not None else "",
        service=service.name if service is not None else fallback_name,
        port=number,
        weight=weight,
        headers=headers,
        host=host,
        protocol=UpstreamProtocol.H2C if h2c else UpstreamProtocol.HTTP1,
    )
