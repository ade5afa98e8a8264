"""Which resources the API serves: names, scope, versions, verbs, printer columns.

Three sources, one shape (``Resource``):

- the Kubernetes kinds of the scheme, named by the table ``BUILTIN`` below;
- kingress's own kinds, named by their CRDs (``kingress.install.crds``), so the
  embedded API and a real cluster with ``deploy/`` applied look the same;
- any CustomResourceDefinition created through the API (a backend's
  VirtualService, HTTPProxy…): its kind is then served, stored as given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from kingress.api.scheme import Scheme
from kingress.cluster.errors import Invalid
from kingress.cluster.port import Kind, group_of
from kingress.install.crds import Column, crd_spec, custom_resource_definition

CRD_KIND = Kind("apiextensions.k8s.io", "CustomResourceDefinition")

VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
STATUS_VERBS = ("get", "patch", "update")


@dataclass(frozen=True, slots=True)
class Names:
    """How a built-in kind is named in URLs and by kubectl."""

    plural: str
    short_names: tuple[str, ...] = ()
    has_status: bool = True
    categories: tuple[str, ...] = ()


#: Names of the Kubernetes kinds the scheme may serve.
BUILTIN: Mapping[Kind, Names] = {
    Kind("", "Namespace"): Names("namespaces", ("ns",)),
    Kind("", "Service"): Names("services", ("svc",), categories=("all",)),
    Kind("", "Endpoints"): Names("endpoints", ("ep",), has_status=False),
    Kind("", "ConfigMap"): Names("configmaps", ("cm",), has_status=False),
    Kind("", "Secret"): Names("secrets", has_status=False),
    Kind("", "Pod"): Names("pods", ("po",), categories=("all",)),
    Kind("", "ServiceAccount"): Names("serviceaccounts", ("sa",), has_status=False),
    Kind("", "Event"): Names("events", ("ev",), has_status=False),
    Kind("apps", "Deployment"): Names("deployments", ("deploy",), categories=("all",)),
    Kind("discovery.k8s.io", "EndpointSlice"): Names("endpointslices", has_status=False),
    Kind("coordination.k8s.io", "Lease"): Names("leases", has_status=False),
    Kind("networking.k8s.io", "Ingress"): Names("ingresses", ("ing",)),
    Kind("networking.k8s.io", "IngressClass"): Names("ingressclasses", has_status=False),
    Kind("apiextensions.k8s.io", "CustomResourceDefinition"): Names(
        "customresourcedefinitions", ("crd", "crds")
    ),
    Kind("rbac.authorization.k8s.io", "ClusterRole"): Names("clusterroles", has_status=False),
    Kind("rbac.authorization.k8s.io", "ClusterRoleBinding"): Names(
        "clusterrolebindings", has_status=False
    ),
    Kind("rbac.authorization.k8s.io", "Role"): Names("roles", has_status=False),
    Kind("rbac.authorization.k8s.io", "RoleBinding"): Names("rolebindings", has_status=False),
}


def is_builtin_group(group: str) -> bool:
    """Whether a group belongs to Kubernetes itself (where strategic merge patch applies)."""
    return group in ("", "apps", "batch", "policy", "autoscaling") or group.endswith(".k8s.io")


@dataclass(frozen=True, slots=True)
class Resource:
    """One served resource (``configmaps``, ``services.serving.knative.dev``…)."""

    group: str
    kind: str
    plural: str
    namespaced: bool
    #: Served versions, the preferred (storage) one first.
    versions: tuple[str, ...]
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    has_status: bool = True
    columns: tuple[Column, ...] = ()
    #: Defined by a CRD created through the API (stored as given, versions converted by name).
    custom: bool = False

    @property
    def key(self) -> Kind:
        """The kind, version-independent."""
        return Kind(self.group, self.kind)

    @property
    def singular(self) -> str:
        """The lower-case kind, as Kubernetes names it."""
        return self.kind.lower()

    @property
    def builtin(self) -> bool:
        """A Kubernetes kind: strategic merge patch is accepted for it."""
        return is_builtin_group(self.group) and not self.custom

    def api_version(self, version: str) -> str:
        """``group/version`` (``version`` alone in the core group)."""
        return f"{self.group}/{version}" if self.group else version


_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def check_definition(crd: Mapping[str, Any]) -> None:
    """``Invalid`` unless a CustomResourceDefinition names a resource the API can serve.

    Kubernetes validates CRDs before storing them; a stored CRD is read by
    every later rebuild of the resource table, so one malformed CRD would
    break the API for everyone.
    """
    spec = crd.get("spec")
    if not isinstance(spec, dict):
        raise Invalid("spec: Required value")
    group, names = spec.get("group"), spec.get("names")
    if not isinstance(group, str) or not group:
        raise Invalid("spec.group: Required value")
    if not isinstance(names, dict):
        raise Invalid("spec.names: Required value")
    plural, kind = names.get("plural"), names.get("kind")
    if not isinstance(plural, str) or not _DNS_LABEL.match(plural):
        raise Invalid("spec.names.plural: Invalid value: must be a lower-case DNS label")
    if not isinstance(kind, str) or not kind:
        raise Invalid("spec.names.kind: Required value")
    if (crd.get("metadata") or {}).get("name") != f"{plural}.{group}":
        raise Invalid('metadata.name: Invalid value: must be spec.names.plural+"."+spec.group')
    if spec.get("scope", "Namespaced") not in ("Namespaced", "Cluster"):
        raise Invalid('spec.scope: Unsupported value: must be "Namespaced" or "Cluster"')
    versions = spec.get("versions")
    if not isinstance(versions, list) or not versions:
        raise Invalid("spec.versions: Required value")
    for index, version in enumerate(versions):
        if not isinstance(version, dict) or not isinstance(version.get("name"), str):
            raise Invalid(f"spec.versions[{index}].name: Required value")
        if not _DNS_LABEL.match(version["name"]):
            raise Invalid(f"spec.versions[{index}].name: Invalid value: must be a DNS label")
        for flag in ("served", "storage"):
            if not isinstance(version.get(flag, False), bool):
                raise Invalid(f"spec.versions[{index}].{flag}: Invalid value: must be a boolean")
        if not isinstance(version.get("subresources") or {}, dict):
            raise Invalid(f"spec.versions[{index}].subresources: Invalid value: must be an object")
        _check_columns(version.get("additionalPrinterColumns"), f"spec.versions[{index}]")
    if sum(bool(v.get("storage")) for v in versions) != 1:
        raise Invalid("spec.versions: Invalid value: exactly one version must be the storage one")


def _check_columns(columns: Any, where: str) -> None:
    if columns is None:
        return
    if not isinstance(columns, list):
        raise Invalid(f"{where}.additionalPrinterColumns: Invalid value: must be a list")
    for index, column in enumerate(columns):
        at = f"{where}.additionalPrinterColumns[{index}]"
        if not isinstance(column, dict):
            raise Invalid(f"{at}: Invalid value: must be an object")
        for key in ("name", "jsonPath"):
            if not isinstance(column.get(key), str) or not column[key]:
                raise Invalid(f"{at}.{key}: Required value")
        if not isinstance(column.get("type", ""), str):
            raise Invalid(f"{at}.type: Invalid value: must be a string")
        priority = column.get("priority", 0)
        if not isinstance(priority, int) or isinstance(priority, bool):
            raise Invalid(f"{at}.priority: Invalid value: must be an integer")


def _from_crd(crd: Mapping[str, Any], custom: bool) -> Resource | None:
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    versions = [v for v in spec.get("versions") or () if v.get("served", True)]
    if not names.get("kind") or not names.get("plural") or not versions:
        return None
    versions.sort(key=lambda v: not v.get("storage", False))
    first = versions[0]
    columns = tuple(
        Column(c["name"], c["jsonPath"], c.get("type", "string"), c.get("priority", 0))
        for c in first.get("additionalPrinterColumns") or ()
        if c.get("jsonPath") != ".metadata.creationTimestamp"
    )
    return Resource(
        group=spec.get("group", ""),
        kind=names["kind"],
        plural=names["plural"],
        namespaced=spec.get("scope", "Namespaced") == "Namespaced",
        versions=tuple(v["name"] for v in versions),
        short_names=tuple(names.get("shortNames") or ()),
        categories=tuple(names.get("categories") or ()),
        has_status="status" in (first.get("subresources") or {}),
        columns=columns,
        custom=custom,
    )


@dataclass(slots=True)
class ResourceTable:
    """Every served resource, looked up by URL parts or by kind."""

    _by_kind: dict[Kind, Resource] = field(default_factory=dict)

    @classmethod
    def build(cls, scheme: Scheme, crds: Iterable[Mapping[str, Any]] = ()) -> ResourceTable:
        """The resources of a scheme plus those defined by CRDs in the store."""
        table = cls()
        versions: dict[Kind, list[str]] = {}
        for info in scheme.served():
            kind = Kind(group_of(info.api_version), info.kind)
            versions.setdefault(kind, []).append(info.api_version.rpartition("/")[2])
        for kind, served in versions.items():
            storage = (scheme.storage_version(kind) or "").rpartition("/")[2]
            ordered = tuple(sorted(served, key=lambda v: v != storage))
            table._add_scheme_kind(scheme, kind, ordered)
        for crd in crds:
            resource = _from_crd(crd, custom=True)
            if resource is not None and resource.key not in table._by_kind:
                table._by_kind[resource.key] = resource
        return table

    def _add_scheme_kind(self, scheme: Scheme, kind: Kind, versions: tuple[str, ...]) -> None:
        spec = crd_spec(kind.group, kind.kind)
        if spec is not None:
            resource = _from_crd(custom_resource_definition(spec), custom=False)
            if resource is not None:
                self._by_kind[kind] = replace(resource, versions=versions)
            return
        names = BUILTIN.get(kind)
        info = scheme.lookup(
            f"{kind.group}/{versions[0]}" if kind.group else versions[0], kind.kind
        )
        self._by_kind[kind] = Resource(
            group=kind.group,
            kind=kind.kind,
            plural=names.plural if names else f"{kind.kind.lower()}s",
            namespaced=info.namespaced if info else True,
            versions=versions,
            short_names=names.short_names if names else (),
            categories=names.categories if names else (),
            has_status=names.has_status if names else True,
        )

    def all(self) -> list[Resource]:
        """Every resource, ordered by group then plural."""
        return sorted(self._by_kind.values(), key=lambda r: (r.group, r.plural))

    def by_kind(self, kind: Kind) -> Resource | None:
        """The resource of a kind."""
        return self._by_kind.get(kind)

    def find(self, group: str, version: str, plural: str) -> Resource | None:
        """The resource a URL names, if that version of it is served."""
        for resource in self._by_kind.values():
            if (resource.group, resource.plural) == (group, plural) and version in (
                resource.versions
            ):
                return resource
        return None

    def groups(self) -> dict[str, tuple[str, ...]]:
        """Each group with its versions, preferred first."""
        found: dict[str, list[str]] = {}
        for resource in self.all():
            known = found.setdefault(resource.group, [])
            known.extend(v for v in resource.versions if v not in known)
        return {group: tuple(versions) for group, versions in found.items()}
