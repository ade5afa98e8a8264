"""The ``kingress`` command: a sub-command per module, errors without tracebacks.

Each sub-command lives in its own module exposing ``register(subparsers)``,
which adds its parser and sets ``handler`` to a function ``(args) -> int``.
User errors (``CliError``, bad manifests, unknown classes) print one clear
message on stderr and exit non-zero; only genuine bugs show a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from kingress.cli import (
    apiserver,
    cluster,
    conformance,
    controller,
    demo,
    dev,
    plugins,
    reconcile,
    translate,
    version,
)
from kingress.cli.errors import CliError
from kingress.manifests import ManifestError
from kingress.plugin.manager import PluginError

#: Every sub-command module, in ``--help`` order.
COMMANDS: tuple[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None], ...] = (
    demo.register,
    dev.register,
    reconcile.register,
    translate.register,
    plugins.register,
    apiserver.register,
    controller.register,
    cluster.register,
    version.register,
    conformance.register,
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    parser = argparse.ArgumentParser(
        prog="kingress",
        description=(
            "Knative Serving's object model and networking layer: Routes become "
            "ClusterIngresses, which pluggable backends turn into gateway configuration."
        ),
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in COMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        code: int = handler(args)
    except CliError as error:
        print(f"kingress: error: {error}", file=sys.stderr)
        return error.code
    except ManifestError as error:
        print(f"kingress: error: invalid manifests:\n{error}", file=sys.stderr)
        return 2
    except PluginError as error:
        print(f"kingress: error: {error}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
