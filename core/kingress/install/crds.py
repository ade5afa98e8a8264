"""The CustomResourceDefinitions of kingress's own kinds.

One ``CrdSpec`` per kind names everything a CRD carries besides the schema:
plural, short names, categories, versions, printer columns. The schema comes
from the kind's typed model when it has one (``structural``); a kind whose
model has not landed yet keeps ``spec`` and ``status`` open
(``x-kubernetes-preserve-unknown-fields``), as Knative's own CRDs did before
they had generated schemas. The embedded API server serves the same table, so
``kubectl`` sees the same names on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from kingress.api import ingress
from kingress.install.schema import Node, structural

SERVING_GROUP = "serving.knative.dev"
READY = ".status.conditions[?(@.type=='Ready')]"


@dataclass(frozen=True, slots=True)
class Column:
    """A printer column: ``kubectl get`` shows it (JSONPath into the object)."""

    name: str
    json_path: str
    type: str = "string"
    priority: int = 0


@dataclass(frozen=True, slots=True)
class CrdSpec:
    """What one kind's CRD declares."""

    group: str
    kind: str
    plural: str
    short_names: tuple[str, ...]
    categories: tuple[str, ...]
    #: Served versions; the first is the storage version.
    versions: tuple[str, ...]
    columns: tuple[Column, ...]
    #: The typed model whose schema the CRD carries (``None``: spec/status left open).
    model: type[BaseModel] | None = None

    @property
    def singular(self) -> str:
        """The lower-case kind."""
        return self.kind.lower()

    @property
    def name(self) -> str:
        """The CRD's object name: ``<plural>.<group>``."""
        return f"{self.plural}.{self.group}"


_READY_COLUMNS = (
    Column("Ready", f"{READY}.status"),
    Column("Reason", f"{READY}.reason"),
)
_SERVING_CATEGORIES = ("all", "knative", "serving")

#: Every kind kingress defines, in the order ``deploy/`` lists them.
CRDS: tuple[CrdSpec, ...] = (
    CrdSpec(
        SERVING_GROUP,
        "Service",
        "services",
        ("ksvc", "kservice"),
        _SERVING_CATEGORIES,
        ("v1", "v1alpha1"),
        (
            Column("URL", ".status.url"),
            Column("LatestCreated", ".status.latestCreatedRevisionName"),
            Column("LatestReady", ".status.latestReadyRevisionName"),
            *_READY_COLUMNS,
        ),
    ),
    CrdSpec(
        SERVING_GROUP,
        "Configuration",
        "configurations",
        ("config", "cfg"),
        _SERVING_CATEGORIES,
        ("v1", "v1alpha1"),
        (
            Column("LatestCreated", ".status.latestCreatedRevisionName"),
            Column("LatestReady", ".status.latestReadyRevisionName"),
            *_READY_COLUMNS,
        ),
    ),
    CrdSpec(
        SERVING_GROUP,
        "Revision",
        "revisions",
        ("rev",),
        _SERVING_CATEGORIES,
        ("v1", "v1alpha1"),
        (
            Column("Config Name", ".metadata.labels['serving\\.knative\\.dev/configuration']"),
            Column(
                "Generation",
                ".metadata.labels['serving\\.knative\\.dev/configurationGeneration']",
            ),
            *_READY_COLUMNS,
        ),
    ),
    CrdSpec(
        SERVING_GROUP,
        "Route",
        "routes",
        ("rt",),
        _SERVING_CATEGORIES,
        ("v1", "v1alpha1"),
        (Column("URL", ".status.url"), *_READY_COLUMNS),
    ),
    CrdSpec(
        ingress.GROUP,
        ingress.KIND,
        "clusteringresses",
        ("kingress", "king"),
        ("knative-internal", "networking"),
        (ingress.VERSION,),
        _READY_COLUMNS,
        ingress.ClusterIngress,
    ),
)

_OPEN: Node = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}


def crd_spec(group: str, kind: str) -> CrdSpec | None:
    """The spec of one of kingress's kinds, if it is one."""
    return next((c for c in CRDS if (c.group, c.kind) == (group, kind)), None)


def openapi_schema(spec: CrdSpec) -> Node:
    """The structural schema of one kind (every version shares it)."""
    if spec.model is None:
        body: dict[str, Node] = {"spec": dict(_OPEN), "status": dict(_OPEN)}
        description = f"{spec.kind} ({spec.group}); spec and status are not schema-checked yet."
    else:
        full = structural(spec.model)
        body = {key: full["properties"][key] for key in ("spec", "status")}
        description = full.get("description", spec.kind)
    return {
        "type": "object",
        "description": description,
        "properties": {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            **body,
        },
    }


def custom_resource_definition(spec: CrdSpec) -> dict[str, Any]:
    """The CRD object for one kind."""
    schema = openapi_schema(spec)
    columns = [
        {"name": c.name, "type": c.type, "jsonPath": c.json_path}
        | ({"priority": c.priority} if c.priority else {})
        for c in spec.columns
    ]
    columns.append({"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"})
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {
            "name": spec.name,
            "labels": {"app.kubernetes.io/part-of": "kingress"},
        },
        "spec": {
            "group": spec.group,
            "names": {
                "kind": spec.kind,
                "listKind": f"{spec.kind}List",
                "plural": spec.plural,
                "singular": spec.singular,
                "shortNames": list(spec.short_names),
                "categories": list(spec.categories),
            },
            "scope": "Namespaced",
            "versions": [
                {
                    "name": version,
                    "served": True,
                    "storage": index == 0,
                    "schema": {"openAPIV3Schema": schema},
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": columns,
                }
                for index, version in enumerate(spec.versions)
            ],
        },
    }
