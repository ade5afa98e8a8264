"""``kingress apiserver``: serve the embedded Kubernetes API (on loopback unless told otherwise).

It has no authentication, so it listens on 127.0.0.1 by default; any other
address must be asked for with ``--address`` and is warned about on stderr.
``--faults`` turns on fault injection (``kingress.apiserver.faults``) for
testing controllers against a misbehaving API.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from kingress.apiserver.backend_kinds import install_backend_kinds
from kingress.apiserver.faults import FaultPlan
from kingress.apiserver.kubeconfig import write_kubeconfig
from kingress.apiserver.server import ApiServer
from kingress.cli.errors import CliError
from kingress.cluster.memory import MemoryCluster
from kingress.plugin.manager import build_registry


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``apiserver`` sub-command."""
    parser = subparsers.add_parser(
        "apiserver",
        help="serve a Kubernetes-compatible API backed by the embedded store",
        description=(
            "Serve a Kubernetes-compatible API (for kubectl and the kubernetes client) backed "
            "by kingress's in-memory store. It listens on 127.0.0.1 unless --address says "
            "otherwise and has no authentication. It is not a cluster: no kubelet, no "
            "scheduler, no RBAC, no admission webhooks beyond kingress's own validation."
        ),
    )
    parser.add_argument(
        "--address",
        default="127.0.0.1",
        help=(
            "address to listen on (default 127.0.0.1). There is no authentication: anyone "
            "who can reach a non-loopback address can read and change everything"
        ),
    )
    parser.add_argument("--port", type=int, default=8001, help="port (0: any free port)")
    parser.add_argument(
        "--faults",
        type=_fault_plan,
        metavar="SPEC",
        help=(
            "inject faults, for testing controllers: e.g. "
            "seed=7,conflicts=0.05,errors=0.05,lost-responses=0.05,watch-drops=0.01"
        ),
    )
    parser.add_argument(
        "--kubeconfig-out", type=Path, metavar="PATH", help="write a kubeconfig for it here"
    )
    parser.set_defaults(handler=run)


def _fault_plan(text: str) -> FaultPlan:
    try:
        return FaultPlan.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def run(args: argparse.Namespace) -> int:
    """Serve until SIGINT or SIGTERM."""
    store = MemoryCluster()
    created = install_backend_kinds(store, build_registry())
    try:
        server = ApiServer(store, host=args.address, port=args.port, faults=args.faults)
    except OSError as error:
        raise CliError(f"cannot listen on {args.address}:{args.port}: {error.strerror}") from None
    print(f"kingress apiserver listening on {server.url}", flush=True)
    if args.faults is not None:
        print(f"injecting faults: {args.faults}", file=sys.stderr, flush=True)
    if args.kubeconfig_out:
        path = write_kubeconfig(args.kubeconfig_out, server.url)
        print(f"kubeconfig written to {path}", flush=True)
    if created:
        print(f"serving the installed backends' kinds: {', '.join(created)}", flush=True)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    server.start()
    stop.wait()
    server.stop()
    print("kingress apiserver stopped", file=sys.stderr)
    return 0
