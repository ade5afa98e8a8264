"""Request paths, parsed: which endpoint (discovery, OpenAPI, a resource) a URL names.

Resource URLs follow Kubernetes: ``/api/v1/...`` for the core group,
``/apis/<group>/<version>/...`` otherwise, then ``[namespaces/<ns>/]<plural>
[/<name>[/<subresource>]]``. ``/api/v1/namespaces/<name>[/status]`` is the
namespace itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

_NAMESPACE_SUBRESOURCES = ("status", "finalize")


@dataclass(frozen=True, slots=True)
class ResourcePath:
    """A URL naming a collection or an object of one resource."""

    group: str
    version: str
    plural: str
    #: The namespace in the URL; ``None`` for cluster-scoped URLs and all-namespace lists.
    namespace: str | None = None
    name: str | None = None
    subresource: str | None = None


@dataclass(frozen=True, slots=True)
class OtherPath:
    """A non-resource URL: discovery, version, OpenAPI, health (``parts`` of the path)."""

    parts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Request:
    """A parsed request target: the path and its query parameters (last value wins)."""

    path: ResourcePath | OtherPath
    query: dict[str, str]

    def flag(self, name: str) -> bool:
        """A boolean query parameter (``watch=1``, ``watch=true``)."""
        return self.query.get(name, "").lower() in ("1", "true")


def parse(target: str) -> Request:
    """Parse a request target (path and query string)."""
    split = urlsplit(target)
    query = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
    parts = tuple(p for p in split.path.split("/") if p)
    return Request(_resource_path(parts) or OtherPath(parts), query)


def _resource_path(parts: tuple[str, ...]) -> ResourcePath | None:
    if len(parts) >= 3 and parts[:2] == ("api", "v1"):
        group, version, rest = "", "v1", parts[2:]
    elif len(parts) >= 4 and parts[0] == "apis":
        group, version, rest = parts[1], parts[2], parts[3:]
    else:
        return None
    if rest[0] == "namespaces" and len(rest) >= 3 and rest[2] not in _NAMESPACE_SUBRESOURCES:
        namespace: str | None = rest[1]
        rest = rest[2:]
    else:
        namespace = None
    if len(rest) > 3:
        return None
    return ResourcePath(
        group=group,
        version=version,
        plural=rest[0],
        namespace=namespace,
        name=rest[1] if len(rest) > 1 else None,
        subresource=rest[2] if len(rest) > 2 else None,
    )
