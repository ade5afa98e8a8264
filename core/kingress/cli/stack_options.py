"""What ``kingress demo`` and ``kingress dev`` share: the stack's options and start-up errors."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kingress.cli.errors import CliError
from kingress.stack.local import DEFAULT_CLASS, LocalStack, StackError, StackSettings


def add_stack_arguments(parser: argparse.ArgumentParser) -> None:
    """``--ingress-class``, ``--port``, ``--private-port``, ``--workdir``."""
    parser.add_argument(
        "--ingress-class",
        default=DEFAULT_CLASS,
        metavar="CLASS",
        help=f"class whose backend runs the local gateway (default: {DEFAULT_CLASS})",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="the gateway's public HTTP port (default: a free one)"
    )
    parser.add_argument(
        "--private-port",
        type=int,
        default=0,
        help="the gateway's private HTTP port (default: a free one)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        metavar="DIR",
        help="keep logs and gateway files here (default: a temporary directory, removed at exit)",
    )


@contextmanager
def started_stack(args: argparse.Namespace) -> Iterator[LocalStack]:
    """The stack the options describe, started; a failure to start is a ``CliError``."""
    settings = StackSettings(
        ingress_class=args.ingress_class,
        public_http_port=args.port,
        private_http_port=args.private_port,
        workdir=args.workdir,
    )
    stack = LocalStack(settings)
    try:
        stack.start()
    except (LookupError, StackError) as error:
        raise CliError(str(error), code=1) from None
    try:
        yield stack
    finally:
        stack.close()
