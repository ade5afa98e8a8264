"""``kingress controller``: run every registered reconciler against a Kubernetes API."""

from __future__ import annotations

import argparse
import os
import signal
import threading
from collections.abc import Sequence
from types import FrameType

from kingress.backends import BackendRegistry, resource_kinds
from kingress.cli.errors import CliError
from kingress.cluster.kube import KubeCluster
from kingress.cluster.port import Kind, ObjectRef
from kingress.controller.ingress import IngressSettings
from kingress.controller.registry import Options, all_reconcilers
from kingress.ingress.guard import DEFAULT_DEADLINE
from kingress.plugin.manager import build_registry
from kingress.runtime import gctune, logs
from kingress.runtime.gateway_probe import ClusterGatewayProber
from kingress.runtime.manager import Manager, ManagerOptions
from kingress.runtime.prober import Prober


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``controller`` sub-command."""
    parser = subparsers.add_parser(
        "controller",
        help="run the kingress controllers against a Kubernetes API",
        description=(
            "Run every kingress reconciler against a Kubernetes API (a real cluster or "
            "`kingress apiserver`): informers, a work queue with backoff, leader election on "
            "a Lease, /healthz, /readyz and /metrics, JSON logs. Stops gracefully on SIGTERM."
        ),
    )
    parser.add_argument(
        "--kubeconfig",
        metavar="PATH",
        help="kubeconfig to use (default: in-cluster config, else $KUBECONFIG or ~/.kube/config)",
    )
    parser.add_argument("--namespace", help="watch and reconcile only this namespace")
    parser.add_argument(
        "--lease-namespace",
        default=os.environ.get("POD_NAMESPACE", "kingress-system"),
        help="namespace of the leader-election Lease (default: $POD_NAMESPACE or kingress-system)",
    )
    parser.add_argument("--lease-name", default="kingress-controller", help="the Lease's name")
    parser.add_argument(
        "--no-leader-election", action="store_true", help="reconcile without holding the Lease"
    )
    parser.add_argument("--workers", type=int, default=2, help="concurrent reconciles")
    parser.add_argument(
        "--resync", type=float, default=600.0, metavar="SECONDS", help="full resync period"
    )
    parser.add_argument(
        "--health-port", type=int, default=8080, help="port of /healthz, /readyz, /metrics"
    )
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning"])
    ingress = parser.add_argument_group("ClusterIngress controller")
    ingress.add_argument(
        "--system-namespace",
        default=os.environ.get("SYSTEM_NAMESPACE", "knative-serving"),
        metavar="NS",
        help="namespace of the backends' config-<backend> ConfigMaps "
        "(default: $SYSTEM_NAMESPACE or knative-serving)",
    )
    ingress.add_argument(
        "--cluster-domain",
        default="cluster.local",
        metavar="DOMAIN",
        help="the cluster's DNS domain, passed to every translation (default: cluster.local)",
    )
    ingress.add_argument(
        "--shared-secret-namespace",
        action="append",
        default=[],
        metavar="NS",
        help="a namespace whose TLS secrets ingresses of other namespaces may name, and where "
        "backends may place their cross-namespace objects (repeatable; default: none)",
    )
    ingress.add_argument(
        "--backend-timeout",
        type=_positive_seconds,
        default=DEFAULT_DEADLINE,
        metavar="SECONDS",
        help=f"how long one backend call may run before it is abandoned (default: "
        f"{DEFAULT_DEADLINE:g})",
    )
    ingress.add_argument(
        "--cache-backend",
        action="append",
        default=[],
        metavar="NAME",
        help="keep an informer on the kinds this installed backend creates (its CRDs must be "
        "served), as Knative's net-istio does for VirtualServices; otherwise each reconcile "
        "reads them from the API (repeatable)",
    )
    parser.set_defaults(handler=run)


def _positive_seconds(text: str) -> float:
    """A positive number of seconds, or an argparse error naming the value."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds: {text!r}")
    return value


def cached_kinds(registry: BackendRegistry, names: Sequence[str]) -> frozenset[Kind]:
    """The kinds the backends named by ``--cache-backend`` create; ``CliError`` for unknown ones."""
    installed = {entry.backend.name: entry.backend for entry in registry.entries()}
    unknown = sorted(set(names) - set(installed))
    if unknown:
        raise CliError(
            f"--cache-backend: no installed backend named {', '.join(unknown)} "
            f"(installed: {', '.join(sorted(installed)) or 'none'})"
        )
    return frozenset(kind.group_kind for name in names for kind in resource_kinds(installed[name]))


def options(
    args: argparse.Namespace,
    prober: ClusterGatewayProber | None = None,
    backends: BackendRegistry | None = None,
) -> Options:
    """The reconcilers' options the command line asks for."""
    return Options(
        backends=backends,
        prober=prober,
        ingress=IngressSettings(
            system_namespace=args.system_namespace,
            cluster_domain=args.cluster_domain,
            shared_secret_namespaces=frozenset(args.shared_secret_namespace),
        ),
        backend_deadline=args.backend_timeout,
    )


def run(args: argparse.Namespace) -> int:
    """Run until SIGTERM or SIGINT."""
    logs.configure(args.log_level)
    gctune.tune()
    backends = build_registry()
    cached = cached_kinds(backends, args.cache_backend)
    try:
        api = KubeCluster.from_kubeconfig(args.kubeconfig)
    except Exception as error:  # the client raises several unrelated types here
        raise CliError(f"cannot load Kubernetes configuration: {error}") from None
    stop = threading.Event()
    manager: Manager | None = None

    def on_ready(ref: ObjectRef) -> None:
        if manager is not None:
            manager.requeue(ref)

    prober = Prober(on_ready)
    reconcilers = all_reconcilers(options(args, ClusterGatewayProber(api, prober), backends))
    manager = Manager(
        api,
        reconcilers,
        ManagerOptions(
            namespace=args.namespace,
            leader_election=not args.no_leader_election,
            lease_namespace=args.lease_namespace,
            lease_name=args.lease_name,
            workers=args.workers,
            resync_period=args.resync,
            health_port=args.health_port,
            cached_kinds=cached,
        ),
    )

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    manager.start()
    stop.wait()
    manager.stop()
    prober.stop()
    return 0
