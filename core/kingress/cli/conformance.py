"""``kingress conformance``: the conformance suite's command, imported only when run.

The suite (``kingress_conformance``) pulls in test servers and clients; the
parser is built here and the suite is imported by the handler, so every other
command starts without it. The options mirror Knative's and Gateway API's
conformance flags; docs/conformance.md describes them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kingress.install.kind import CONFORMANCE_DOCKERFILE, CONFORMANCE_IMAGE

DEPTHS = ("offline", "local", "cluster")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``conformance`` sub-command."""
    parser = subparsers.add_parser(
        "conformance",
        help="run the ingress conformance suite against installed backends",
        description="Run the conformance cases against one or more backends at a depth "
        "(offline, local or cluster) and report per case: passed, failed, skipped, "
        "not-supported.",
    )
    parser.add_argument(
        "--ingress-class",
        action="append",
        metavar="CLASS",
        help="class (or backend name) to test; repeatable; default: every installed backend "
        "(offline depth only)",
    )
    parser.add_argument("--depth", choices=DEPTHS, default="offline")
    parser.add_argument("--kubeconfig", type=Path, help="cluster depth: the cluster to test on")
    parser.add_argument(
        "--ingress-endpoint",
        metavar="HOST",
        help="cluster depth: reach the gateway's NodePorts on this host (kind)",
    )
    parser.add_argument(
        "--namespace",
        help="cluster depth: namespace of the test objects (default kingress-conformance)",
    )
    parser.add_argument(
        "--image",
        default=CONFORMANCE_IMAGE,
        help=f"cluster depth: the test servers' image, built from {CONFORMANCE_DOCKERFILE} "
        f"(default {CONFORMANCE_IMAGE})",
    )
    parser.add_argument(
        "--ready-timeout",
        type=float,
        metavar="SECONDS",
        help="how long test servers and ingresses may take to be ready "
        "(default 30, 300 at the cluster depth)",
    )
    parser.add_argument("--skip", action="append", metavar="KEY,...", help="case keys to skip")
    parser.add_argument("--case", action="append", metavar="KEY,...", help="run only these keys")
    parser.add_argument(
        "--features",
        action="append",
        metavar="FEATURE,...",
        help="treat exactly these features as claimed (default: what the backend declares)",
    )
    parser.add_argument("--report", type=Path, metavar="FILE", help="write the YAML report here")
    parser.add_argument(
        "--schema-dir", type=Path, metavar="DIR", help="CRD schemas (default $KINGRESS_CRD_DIR)"
    )
    parser.add_argument(
        "--workdir", type=Path, metavar="DIR", help="local depth: keep the gateway's files here"
    )
    parser.set_defaults(handler=_handle)


def _handle(args: argparse.Namespace) -> int:
    # Imported only when the command runs (see the module docstring).
    from kingress_conformance.cli import main  # noqa: PLC0415

    return main(args)
