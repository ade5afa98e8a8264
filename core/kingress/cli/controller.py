"""``kingress controller``: run every registered reconciler against a Kubernetes API."""

from __future__ import annotations

import argparse
import os
import signal
import threading
from types import FrameType

from kingress.cli.errors import CliError
from kingress.cluster.kube import KubeCluster
from kingress.cluster.port import ObjectRef
from kingress.controller.registry import Options, all_reconcilers
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
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run until SIGTERM or SIGINT."""
    logs.configure(args.log_level)
    gctune.tune()
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
    reconcilers = all_reconcilers(Options(prober=ClusterGatewayProber(api, prober)))
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
