"""``kingress conformance``: run the suite, print progress and a summary, write the report.

The options are declared by ``kingress.cli.conformance`` (so building the
command line imports nothing of the suite); this module runs when the command
does. Exit status: 0 when no case failed, 1 when one did, 2 for a bad
selection (unknown class, key or feature, or a depth missing its options).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TextIO

from kingress.plugin.manager import build_registry
from kingress.schemas import CRD_DIR_ENV
from kingress_conformance.case import NAMESPACE
from kingress_conformance.catalog import CatalogError, select
from kingress_conformance.depths import Depth
from kingress_conformance.outcome import CaseResult, Outcome
from kingress_conformance.report import Report
from kingress_conformance.selection import SelectionError, backends_for, features_from, split_list
from kingress_conformance.suite import Options, run

_MARKS = {
    Outcome.PASSED: "PASS",
    Outcome.FAILED: "FAIL",
    Outcome.SKIPPED: "SKIP",
    Outcome.NOT_SUPPORTED: "N/S ",
}


#: Default ``--ready-timeout`` per depth: a cluster pulls images and starts pods first.
READY_TIMEOUT = {Depth.OFFLINE: 30.0, Depth.LOCAL: 30.0, Depth.CLUSTER: 300.0}


def main(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Run the suite as the options say, printing to ``out`` (stdout); the exit status."""
    out = out or sys.stdout
    depth = Depth(args.depth)
    classes = split_list(args.ingress_class)
    try:
        if depth != Depth.OFFLINE and not classes:
            raise SelectionError(f"--depth {depth} needs --ingress-class")
        if depth == Depth.CLUSTER and args.kubeconfig is None:
            raise SelectionError("--depth cluster needs --kubeconfig")
        backends = backends_for(build_registry(), classes)
        cases = select(split_list(args.case), split_list(args.skip))
        options = Options(
            depth=depth,
            skip=split_list(args.skip),
            features=features_from(split_list(args.features)),
            kubeconfig=args.kubeconfig,
            ingress_endpoint=args.ingress_endpoint,
            namespace=args.namespace or NAMESPACE,
            image=args.image,
            workdir=args.workdir,
            ready_timeout=args.ready_timeout or READY_TIMEOUT[depth],
        )
    except (SelectionError, CatalogError) as error:
        print(f"kingress conformance: error: {error}", file=sys.stderr)
        return 2
    if args.schema_dir is not None:
        os.environ[CRD_DIR_ENV] = str(args.schema_dir)

    def progress(result: CaseResult) -> None:
        line = f"{_MARKS[result.outcome]} {result.backend}::{result.key}"
        print(f"{line}  {result.reason}" if result.reason else line, file=out, flush=True)

    report = run(backends, cases, options, progress)
    print(summary_table(report), file=out)
    if args.report is not None:
        args.report.write_text(report.to_yaml(), encoding="utf-8")
        print(f"report written to {args.report}", file=out)
    return 1 if report.failed else 0


def summary_table(report: Report) -> str:
    """One row per backend: how many cases ended in each outcome."""
    header = ["backend", *(o.value for o in Outcome)]
    rows = [header] + [
        [i.backend, *(str(n) for n in i.summary().values())] for i in report.implementations
    ]
    widths = [max(len(row[c]) for row in rows) for c in range(len(header))]
    lines = [
        "  ".join(cell.ljust(widths[c]) for c, cell in enumerate(row)).rstrip() for row in rows
    ]
    return "\n".join([f"conformance at depth {report.depth}:", *lines])
