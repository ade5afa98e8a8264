"""``kingress dev``: the embedded API, every controller, local revisions and a real gateway."""

from __future__ import annotations

import argparse
import threading
from pathlib import Path

from kingress.cli.errors import CliError
from kingress.cli.stack_options import add_stack_arguments, started_stack
from kingress.runtime import logs
from kingress.stack.demo import HOST
from kingress.stack.dev import DevEnvironment, dev_environment
from kingress.stack.local import LocalStack
from kingress.stack.signals import sigterm_interrupts
from kingress.stack.traffic import curl_command


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``dev`` sub-command."""
    parser = subparsers.add_parser(
        "dev",
        help="a local Knative for kubectl: API server, controllers, revisions and Envoy",
        description=(
            "Serve the embedded Kubernetes API on loopback and run every controller against "
            "it through the kubernetes client, with a process per revision and a real Envoy "
            "as the gateway. Prints the kubeconfig to use with kubectl and the gateway's "
            "ports. Stops everything on Ctrl-C or SIGTERM."
        ),
    )
    add_stack_arguments(parser)
    parser.add_argument(
        "--api-port", type=int, default=0, help="the API server's port (default: a free one)"
    )
    parser.add_argument(
        "--kubeconfig-out",
        type=Path,
        metavar="PATH",
        help="write the kubeconfig here (default: in the work directory)",
    )
    parser.add_argument("--log-level", default="warning", choices=["debug", "info", "warning"])
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM, then stop everything."""
    logs.configure(args.log_level)
    try:
        with (
            sigterm_interrupts(),
            started_stack(args) as stack,
            dev_environment(stack, api_port=args.api_port, kubeconfig=args.kubeconfig_out) as dev,
        ):
            print(banner(stack, dev), flush=True)
            try:
                threading.Event().wait()
            except KeyboardInterrupt:
                print("kingress dev: stopping", flush=True)
    except OSError as error:
        raise CliError(f"cannot start: {error}", code=1) from None
    return 0


def banner(stack: LocalStack, dev: DevEnvironment) -> str:
    """Where everything is, and what to try."""
    kubectl = f"kubectl --kubeconfig {dev.kubeconfig}"
    gateway = ", ".join(
        f"{lst.name} {lst.address}:{lst.port}" for lst in stack.data_plane.listeners()
    )
    return (
        "kingress dev: the embedded Kubernetes API, every controller, revisions as local\n"
        "processes and a real gateway. Ctrl-C stops everything.\n"
        f"  API server  {dev.server.url}\n"
        f"  kubeconfig  {dev.kubeconfig}\n"
        f"  gateway     {gateway} (class {stack.ingress_class})\n"
        "Try:\n"
        f"  {kubectl} apply -f examples/helloworld.yaml\n"
        f"  {kubectl} get ksvc\n"
        f"  {curl_command(stack.public, HOST)}"
    )
