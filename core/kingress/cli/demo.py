"""``kingress demo``: the seed's HelloWorld walk-through on this machine, through a real Envoy."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from kingress.cli.errors import CliError
from kingress.cli.stack_options import add_stack_arguments, started_stack
from kingress.stack.demo import HOST, Demo, DemoFailed
from kingress.stack.signals import sigterm_interrupts
from kingress.stack.traffic import curl_command

#: The seed's manifests, in the source checkout this kingress runs from.
EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
#: How often ``--keep-running`` lets the controllers look again (a revision process that died).
RECHECK_SECONDS = 2.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``demo`` sub-command."""
    parser = subparsers.add_parser(
        "demo",
        help="walk the HelloWorld sample through the controllers and a real Envoy, locally",
        description=(
            "Start an embedded store, every controller, a process per revision and a real "
            "Envoy on free loopback ports; apply the seed's HelloWorld Service, update it, "
            "split its traffic 50/50 and tag a revision, showing the objects made and real "
            "requests through Envoy at each step. Everything started is stopped at the end, "
            "on Ctrl-C and on error."
        ),
    )
    add_stack_arguments(parser)
    parser.add_argument(
        "--examples",
        type=Path,
        default=EXAMPLES,
        metavar="DIR",
        help="directory holding helloworld.yaml and helloworld-v2.yaml (default: %(default)s)",
    )
    parser.add_argument(
        "--requests", type=int, default=200, help="requests sent to show a split (default: 200)"
    )
    parser.add_argument(
        "--keep-running",
        action="store_true",
        help="keep serving after the walk-through until Ctrl-C",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run the walk-through; with ``--keep-running``, serve until Ctrl-C or SIGTERM."""
    for name in ("helloworld.yaml", "helloworld-v2.yaml"):
        if not (args.examples / name).is_file():
            raise CliError(f"{args.examples / name} not found; pass --examples DIR")
    if args.requests < 2:
        raise CliError("--requests must be at least 2 to show a split")
    started = time.monotonic()
    with sigterm_interrupts(), started_stack(args) as stack:
        demo = Demo(stack, args.examples, sys.stdout, requests=args.requests)
        try:
            demo.run()
            demo.say()
            demo.say(f"walk-through done in {time.monotonic() - started:.1f} s")
            if args.keep_running:
                demo.say(f"serving until Ctrl-C: {curl_command(stack.public, HOST)}")
                keep_running(demo)
        except DemoFailed as error:
            raise CliError(f"the demo failed: {error}", code=1) from None
        demo.say("stopping the gateway and the revision processes")
    return 0


def keep_running(demo: Demo) -> None:
    """Let the controllers look again every few seconds (a process may die) until Ctrl-C."""
    try:
        while True:
            time.sleep(RECHECK_SECONDS)
            demo.converge()
    except KeyboardInterrupt:
        return
