"""Schema checks for every kind a backend emits, fast enough to run per fuzz example.

Custom resources are checked with ``kingress.schemas`` against the CRD
fixtures (``$KINGRESS_CRD_DIR`` or ``../shared/crds``), plus the Envoy backend's
own CRD shipped in its package; a missing folder raises ``SchemaUnavailable``
(the caller skips, printing why), a kind without a CRD is recorded in
``UNCHECKED`` (the caller prints it). Kubernetes' built-in
kinds (ingress-nginx's Ingress and Service, the example backend's ConfigMap) are checked against
``kubernetes-validate``'s strict schemas, with one compiled validator per kind
instead of re-reading the 2 MB definitions for every object.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
from referencing import Registry, Resource

import kingress_envoy
from kingress.schemas import CRD_DIR_ENV, SchemaUnavailable, crd_dir, schema_errors

#: Kinds without a CRD: (apiVersion, kind) -> kubernetes-validate's schema file stem.
BUILT_IN = {
    ("v1", "Service"): "service-v1",
    ("networking.k8s.io/v1", "Ingress"): "ingress-networking-v1",
    ("v1", "ConfigMap"): "configmap-v1",
}
ENVOY_CRDS = Path(kingress_envoy.__file__).parent / "crds"


@contextmanager
def every_crd(scratch: Path) -> Iterator[None]:
    """``KINGRESS_CRD_DIR`` pointing at the shared CRD fixtures plus the Envoy backend's CRD.

    Raises ``SchemaUnavailable`` when the shared fixtures are absent.
    """
    shared = crd_dir()
    if not shared.is_dir():
        raise SchemaUnavailable(
            f"CRD schemas not found: {shared} does not exist (set {CRD_DIR_ENV})"
        )
    for source in (*shared.glob("*.yaml"), *ENVOY_CRDS.glob("*.yaml")):
        shutil.copy(source, scratch / source.name)
    previous = os.environ.get(CRD_DIR_ENV)
    os.environ[CRD_DIR_ENV] = str(scratch)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(CRD_DIR_ENV, None)
        else:
            os.environ[CRD_DIR_ENV] = previous


#: Why some kinds could not be checked (a kind without a CRD fixture), for the report.
UNCHECKED: set[str] = set()


def object_schema_errors(obj: dict[str, Any]) -> list[str]:
    """Every schema violation of an emitted object (none for a kind without a schema).

    A kind with no schema is recorded in ``UNCHECKED`` with the reason, so the
    test can print what it could not check instead of passing silently.
    """
    stem = BUILT_IN.get((obj["apiVersion"], obj["kind"]))
    if stem is None:
        try:
            return schema_errors(obj)
        except SchemaUnavailable as reason:
            UNCHECKED.add(str(reason))
            return []
    validator = _built_in(stem)
    return [
        f"{'.'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
        for error in validator.iter_errors(obj)
    ]


@functools.cache
def _built_in(stem: str) -> jsonschema.protocols.Validator:
    version = kubernetes_validate.latest_version()
    folder = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
    schemas = folder / f"v{version}-local-strict"
    schema = json.loads((schemas / f"{stem}.json").read_text())
    definitions = json.loads((schemas / "_definitions.json").read_text())
    registry: Registry[Any] = Resource.from_contents(definitions) @ Registry()
    return jsonschema.Draft202012Validator(schema, registry=registry)
