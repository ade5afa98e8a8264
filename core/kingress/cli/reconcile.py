"""``kingress reconcile``: run the controllers over manifests offline and print the result.

The manifests are read and admitted first, all of them (any invalid document
stops the command before anything runs: Knative's messages on stderr, exit 2).
Each ``-f`` path is then applied in turn to an embedded store, like successive
``kubectl apply`` (an object that exists is updated), and the controllers run
until nothing changes before the next path is applied; so
``-f v1.yaml -f v2.yaml`` shows what an update does. ``--ingress-class`` and
``--domain`` write ``config-network`` and ``config-domain`` in
``knative-serving`` after each path's own ConfigMaps.

Every object in the store is printed, sorted by apiVersion, kind, namespace
and name; serving objects are shown in the version they were submitted in.
Offline there is no kubelet: a stand-in (``kingress.serving.standin_kubelet``)
marks Deployments available, or, with ``--pending``, not yet available.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import yaml

from kingress.api.annotations import normalize_ingress_class
from kingress.api.kinds import default_scheme
from kingress.api.scheme import Scheme
from kingress.cli.errors import CliError
from kingress.cluster.memory import MemoryCluster
from kingress.cluster.port import Cluster, Object, ObjectRef
from kingress.config import SYSTEM_NAMESPACE
from kingress.config.domain import CONFIG_DOMAIN
from kingress.config.edit import ensure_namespace, update_config_map
from kingress.config.network import CONFIG_NETWORK
from kingress.controller.clock import SystemClock
from kingress.controller.reconciler import Reconciler
from kingress.controller.registry import offline_reconcilers
from kingress.controller.settle import NotSettled, ReconcileFailed, settle
from kingress.manifests import ManifestError, admit, apply_object, read_documents

_TOP_LEVEL_ORDER = ("apiVersion", "kind", "metadata", "spec")
_METADATA_ORDER = (
    "name",
    "generateName",
    "namespace",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "generation",
    "resourceVersion",
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
)

#: One applied object: the apiVersion it was written in, and its admitted (stored) form.
Submitted = tuple[str, Object]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``reconcile`` sub-command."""
    parser = subparsers.add_parser(
        "reconcile",
        help="run the controllers over manifests offline and print every object",
        description=__doc__.split("\n\n", 1)[1].replace("``", "") if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "-f",
        "--filename",
        dest="paths",
        action="extend",
        nargs="+",
        required=True,
        metavar="PATH",
        help="manifest file or directory ('-' for stdin); each is applied in turn",
    )
    parser.add_argument(
        "--ingress-class",
        metavar="CLASS",
        help="set config-network ingress-class (aliases such as 'istio' are expanded)",
    )
    parser.add_argument(
        "--domain", metavar="DOMAIN", help="set the default domain in config-domain"
    )
    parser.add_argument(
        "-o",
        "--output",
        choices=("yaml", "json"),
        default="yaml",
        help="a YAML stream (default) or a JSON list",
    )
    parser.add_argument(
        "--pending",
        action="store_true",
        help="the stand-in kubelet leaves Deployments not yet available",
    )
    parser.set_defaults(handler=run)


def load_steps(paths: Sequence[str], scheme: Scheme) -> list[list[Submitted]]:
    """Every path's objects, admitted; ``ManifestError`` listing all problems of all paths."""
    steps: list[list[Submitted]] = []
    problems: list[str] = []
    for path in paths:
        try:
            documents = read_documents([path])
            admitted = admit(documents, scheme)
        except ManifestError as error:
            problems.extend(error.problems)
            continue
        steps.append(
            [
                (str(doc.obj["apiVersion"]), obj)
                for doc, obj in zip(documents, admitted, strict=True)
            ]
        )
    if problems:
        raise ManifestError(problems)
    return steps


def _has_selector(value: str) -> bool:
    try:
        parsed = yaml.safe_load(value) if value.strip() else None
    except yaml.YAMLError:
        return True  # not ours to judge: leave it for the Route controller to report
    return isinstance(parsed, Mapping) and bool(parsed.get("selector"))


def with_default_domain(domain: str) -> Callable[[dict[str, str]], dict[str, str]]:
    """A config-domain change making ``domain`` the one entry without a selector."""

    def change(data: dict[str, str]) -> dict[str, str]:
        kept = {k: v for k, v in data.items() if k.startswith("_") or _has_selector(v)}
        return {**kept, domain: ""}

    return change


def apply_overrides(store: Cluster, ingress_class: str | None, domain: str | None) -> None:
    """Write ``--ingress-class`` and ``--domain`` into Knative's config maps."""
    if ingress_class is not None:
        update_config_map(
            store, CONFIG_NETWORK, lambda data: {**data, "ingress-class": ingress_class}
        )
    if domain is not None:
        update_config_map(store, CONFIG_DOMAIN, with_default_domain(domain))


def _in_order(values: Mapping[str, Any], order: Sequence[str]) -> dict[str, Any]:
    first = {k: values[k] for k in order if k in values}
    return {**first, **{k: v for k, v in values.items() if k not in first}}


def _ordered(obj: Object) -> Object:
    """Keys in the order people read them: kind, metadata, spec, other fields, status."""
    if isinstance(obj.get("metadata"), Mapping):
        obj = {**obj, "metadata": _in_order(obj["metadata"], _METADATA_ORDER)}
    first = {k: obj[k] for k in _TOP_LEVEL_ORDER if k in obj}
    rest = {k: v for k, v in obj.items() if k not in (*_TOP_LEVEL_ORDER, "status")}
    status = {"status": obj["status"]} if "status" in obj else {}
    return {**first, **rest, **status}


def rendered_objects(
    store: MemoryCluster, scheme: Scheme, submitted: Mapping[ObjectRef, str]
) -> list[Object]:
    """Every stored object, in its submitted version, sorted for printing."""
    objects = []
    for kind in store.kinds():
        for stored in store.list(kind):
            version = submitted.get(ObjectRef.of(stored))
            shown = stored
            if version is not None and version != stored.get("apiVersion"):
                shown = scheme.convert(stored, version)
            objects.append(_ordered(shown))

    def key(obj: Object) -> tuple[str, str, str, str]:
        meta = obj.get("metadata") or {}
        return (
            str(obj.get("apiVersion")),
            str(obj.get("kind")),
            meta.get("namespace") or "",
            meta.get("name") or "",
        )

    return sorted(objects, key=key)


def dump(objects: list[Object], output: str) -> str:
    """A YAML stream or a JSON list."""
    if output == "json":
        return json.dumps(objects, indent=2) + "\n"
    return yaml.safe_dump_all(
        objects, sort_keys=False, default_flow_style=False, explicit_start=True
    )


def run(args: argparse.Namespace, reconcilers: Sequence[Reconciler] | None = None) -> int:
    """Load, apply each path and settle, then print the store.

    ``reconcilers`` replaces the installed controllers (``offline_reconcilers``).
    """
    ingress_class: str | None = None
    if args.ingress_class is not None:
        ingress_class = normalize_ingress_class(args.ingress_class)
        if not ingress_class:
            raise CliError("--ingress-class must not be empty")
    if args.domain is not None and not args.domain.strip():
        raise CliError("--domain must not be empty")
    scheme = default_scheme()
    steps = load_steps(args.paths, scheme)
    store = MemoryCluster()
    clock = SystemClock()
    if reconcilers is None:
        reconcilers = offline_reconcilers(pending=args.pending)
    submitted: dict[ObjectRef, str] = {}
    for step in steps:
        for version, obj in step:
            ref = ObjectRef.of(apply_object(store, obj))
            submitted[ref] = version
            if ref.namespace == SYSTEM_NAMESPACE:
                ensure_namespace(store, SYSTEM_NAMESPACE)
        apply_overrides(store, ingress_class, args.domain and args.domain.strip())
        try:
            settle(store, reconcilers, clock)
        except (NotSettled, ReconcileFailed) as error:
            raise CliError(str(error), code=1) from None
    sys.stdout.write(dump(rendered_objects(store, scheme, submitted), args.output))
    return 0
