"""Discovery documents: what ``kubectl`` and client libraries read to map kinds to URLs.

The legacy (unaggregated) forms: ``/api`` (APIVersions), ``/apis``
(APIGroupList), ``/api/v1`` and ``/apis/<group>/<version>`` (APIResourceList),
and ``/version``. Clients that ask for aggregated discovery get these and fall
back, as they do with any server that does not offer it.
"""

from __future__ import annotations

from typing import Any

import kingress
from kingress.apiserver.resources import STATUS_VERBS, VERBS, Resource, ResourceTable

#: The Kubernetes version the embedded API claims to speak (for client feature checks).
KUBERNETES_MINOR = "31"


def version() -> dict[str, Any]:
    """``/version``."""
    return {
        "major": "1",
        "minor": KUBERNETES_MINOR,
        "gitVersion": f"v1.{KUBERNETES_MINOR}.0+kingress-{kingress.__version__}",
        "gitCommit": "",
        "gitTreeState": "clean",
        "buildDate": "1970-01-01T00:00:00Z",
        "goVersion": "n/a (kingress, Python)",
        "compiler": "kingress",
        "platform": "python",
    }


def api_versions(server_address: str) -> dict[str, Any]:
    """``/api``."""
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
        ],
    }


def _group(name: str, versions: tuple[str, ...]) -> dict[str, Any]:
    entries = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
    return {"name": name, "versions": entries, "preferredVersion": entries[0]}


def api_group_list(table: ResourceTable) -> dict[str, Any]:
    """``/apis``: every named group (the core group is at ``/api``)."""
    groups = [_group(name, versions) for name, versions in table.groups().items() if name]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def api_group(table: ResourceTable, name: str) -> dict[str, Any] | None:
    """``/apis/<group>``."""
    versions = table.groups().get(name)
    if not name or versions is None:
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(name, versions)}


def _entries(resource: Resource) -> list[dict[str, Any]]:
    main: dict[str, Any] = {
        "name": resource.plural,
        "singularName": resource.singular,
        "namespaced": resource.namespaced,
        "kind": resource.kind,
        "verbs": list(VERBS),
    }
    if resource.short_names:
        main["shortNames"] = list(resource.short_names)
    if resource.categories:
        main["categories"] = list(resource.categories)
    entries = [main]
    if resource.has_status:
        entries.append(
            {
                "name": f"{resource.plural}/status",
                "singularName": "",
                "namespaced": resource.namespaced,
                "kind": resource.kind,
                "verbs": list(STATUS_VERBS),
            }
        )
    return entries


def resource_list(table: ResourceTable, group: str, version: str) -> dict[str, Any] | None:
    """``/api/v1`` or ``/apis/<group>/<version>``; ``None`` when not served."""
    served = [r for r in table.all() if r.group == group and version in r.versions]
    if not served:
        return None
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": f"{group}/{version}" if group else version,
        "resources": [entry for r in served for entry in _entries(r)],
    }
