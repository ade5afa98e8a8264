"""``kingress version``: the version of kingress and of every installed backend."""

from __future__ import annotations

import argparse

import kingress
from kingress.plugin.manager import build_registry


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``version`` sub-command."""
    parser = subparsers.add_parser("version", help="print the version of kingress and its backends")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print versions."""
    print(f"kingress {kingress.__version__}")
    for entry in build_registry().entries():
        print(f"  backend {entry.backend.name}: {entry.distribution} {entry.version}".rstrip())
    return 0
