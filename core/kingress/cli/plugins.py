"""``kingress plugins``: the installed backends, their classes, features and origin."""

from __future__ import annotations

import argparse
import json
from typing import Any

from kingress.backends import Registered
from kingress.features import ALL_FEATURES
from kingress.plugin.manager import build_registry

COLUMNS = ("NAME", "CLASSES", "FEATURES", "DISTRIBUTION", "VERSION")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``plugins`` sub-command."""
    parser = subparsers.add_parser("plugins", help="list the installed ingress backends")
    parser.add_argument("-o", "--output", choices=("table", "json"), default="table")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Print every backend, sorted by name."""
    rows = [describe(entry) for entry in build_registry().entries()]
    if args.output == "json":
        print(json.dumps(rows, indent=2))
    else:
        print(table(rows), end="")
    return 0


def describe(entry: Registered) -> dict[str, Any]:
    """One backend as a JSON-able mapping."""
    return {
        "name": entry.backend.name,
        "classes": sorted(entry.backend.ingress_classes),
        "features": sorted(entry.backend.features),
        "distribution": entry.distribution,
        "version": entry.version,
    }


def table(rows: list[dict[str, Any]]) -> str:
    """Rows as an aligned text table (``all`` when a backend claims every feature)."""
    cells = [COLUMNS] + [
        (
            row["name"],
            ",".join(row["classes"]),
            _features(row["features"]),
            row["distribution"],
            row["version"] or "-",
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        + "\n"
        for line in cells
    )


def _features(features: list[str]) -> str:
    if set(features) == set(ALL_FEATURES):
        return "all"
    return ",".join(features) or "-"
