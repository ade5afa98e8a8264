"""``kingress translate``: what a backend makes of ClusterIngresses, without a cluster.

Reads manifests (ClusterIngress or Knative ``Ingress``, plus any Services,
Endpoints and backend ConfigMaps they should see), and prints the objects the
controller would apply: the same validation, defaulting, probe paths, context
(``config-<backend>`` in ``knative-serving``; the splits' Services), guarded
translation and output checks, with the ingress label set. Owner references
are left out (an ingress in a file has no uid). Objects are sorted by
apiVersion, kind, namespace and name, so the output is stable.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterable, Sequence

import yaml

from kingress.api.annotations import INGRESS_CLASS, normalize_ingress_class
from kingress.api.fielderrors import ValidationError
from kingress.api.ingress import KIND, ClusterIngress
from kingress.api.kinds import default_scheme
from kingress.backends import BackendRegistry, Object, UnknownIngressClass
from kingress.cli.errors import CliError
from kingress.cluster.errors import ApiError
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import ObjectRef
from kingress.controller.ingress.context import IngressSettings, read_context
from kingress.ingress.pipeline import BackendFailure, prepare, translate
from kingress.manifests import load
from kingress.plugin.manager import build_registry

#: Exit code when a backend cannot translate a (valid) ingress.
EXIT_TRANSLATION_FAILED = 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``translate`` sub-command."""
    parser = subparsers.add_parser(
        "translate",
        help="print the objects a backend makes of ClusterIngresses",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-f",
        "--filename",
        action="append",
        required=True,
        metavar="PATH",
        help="manifest file or directory (- for stdin); repeatable",
    )
    parser.add_argument(
        "--ingress-class",
        metavar="CLASS",
        help="use this class instead of the annotation (aliases such as 'istio' accepted)",
    )
    parser.add_argument("-o", "--output", choices=("yaml", "json"), default="yaml")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Translate every ingress in the input and print the result."""
    objects = load(args.filename, default_scheme())
    ingresses = [obj for obj in objects if obj.get("kind") == KIND]
    if not ingresses:
        raise CliError("the input holds no ClusterIngress (or Ingress)")
    store = _world(obj for obj in objects if obj.get("kind") != KIND)
    registry = build_registry()
    out: list[Object] = []
    for obj in ingresses:
        out += translate_one(ClusterIngress.from_dict(obj), registry, store, args.ingress_class)
    out.sort(key=_order)
    print(render(out, args.output), end="")
    return 0


def translate_one(
    ingress: ClusterIngress, registry: BackendRegistry, store: MemoryCluster, override: str | None
) -> list[Object]:
    """The labelled objects the controller would apply for one ingress."""
    where = f"ClusterIngress {ingress.metadata.namespace or ''}/{ingress.metadata.name}"
    ingress_class = normalize_ingress_class(override or ingress.ingress_class or "")
    if not ingress_class:
        raise CliError(
            f"{where} has no {INGRESS_CLASS} annotation; pass --ingress-class "
            f"(installed: {', '.join(registry.classes()) or 'none'})"
        )
    try:
        backend = registry.for_class(ingress_class)
        prepared = prepare(_with_class(ingress, ingress_class))
    except (UnknownIngressClass, ValidationError) as error:
        raise CliError(f"{where}: {error}") from None
    context, _ = read_context(store, backend.name, prepared.ingress, IngressSettings())
    try:
        return list(translate(backend, prepared, context).objects)
    except BackendFailure as failure:
        raise CliError(
            f"{where}: {failure.reason}: {failure.message}", code=EXIT_TRANSLATION_FAILED
        ) from None


def render(objects: Sequence[Object], output: str) -> str:
    """YAML documents, or a JSON ``List`` as ``kubectl -o json`` prints it."""
    if output == "json":
        listing = {"apiVersion": "v1", "kind": "List", "items": list(objects)}
        return json.dumps(listing, indent=2, sort_keys=True) + "\n"
    return yaml.dump_all(objects, Dumper=_BlockDumper, sort_keys=True) if objects else ""


class _BlockDumper(yaml.SafeDumper):
    """A safe dumper that writes multi-line strings as literal blocks (``|``)."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _represent_str)


def _with_class(ingress: ClusterIngress, ingress_class: str) -> ClusterIngress:
    annotations = {**ingress.metadata.annotations, INGRESS_CLASS: ingress_class}
    metadata = ingress.metadata.model_copy(update={"annotations": annotations})
    return ingress.model_copy(update={"metadata": metadata})


def _world(objects: Iterable[Object]) -> MemoryCluster:
    """An in-memory cluster holding the input's other objects, for ``read_context``."""
    store = MemoryCluster()
    for obj in objects:
        try:
            store.create(obj)
        except ApiError as error:
            raise CliError(f"{ObjectRef.of(obj)}: {error.message}") from None
    return store


def _order(obj: Object) -> tuple[str, str, str, str]:
    metadata = obj["metadata"]
    return (obj["apiVersion"], obj["kind"], metadata.get("namespace") or "", metadata["name"])
