"""``kingress cluster up|down``: a kind cluster with a gateway and kingress installed.

``--dry-run`` prints the plan (files and commands); without it the plan runs,
which needs ``kind``, ``docker`` (with a reachable daemon), ``kubectl``,
``helm`` for Istio and NGINX, and network access to the gateways' releases.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

from kingress.cli.errors import CliError
from kingress.install.kind import CONFORMANCE_DOCKERFILE, GATEWAYS, Plan, plan_down, plan_up


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``cluster`` sub-command with ``up`` and ``down``."""
    parser = subparsers.add_parser("cluster", help="create or delete a kind test cluster")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    up = actions.add_parser("up", help="create a kind cluster running kingress and a gateway")
    up.add_argument("--ingress", required=True, choices=sorted(GATEWAYS), help="the gateway")
    up.add_argument("--name", default="kingress", help="kind cluster name")
    up.add_argument("--dry-run", action="store_true", help="print the plan, run nothing")
    up.set_defaults(handler=run_up)
    down = actions.add_parser("down", help="delete the kind cluster")
    down.add_argument("--name", default="kingress", help="kind cluster name")
    down.add_argument("--dry-run", action="store_true", help="print the plan, run nothing")
    down.set_defaults(handler=run_down)


def _show(plan: Plan) -> None:
    for name, text in plan.files.items():
        print(f"# file {name}:\n{text}")
    for step in plan.steps:
        print(step)
    for note in plan.notes:
        print(f"# note: {note}")


def _missing_tools(plan: Plan) -> list[str]:
    tools = sorted({step.argv[0] for step in plan.steps})
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if "docker" in tools and "docker" not in missing:
        probe = subprocess.run(["docker", "info"], capture_output=True, check=False)
        if probe.returncode != 0:
            missing.append("docker (the daemon is not reachable)")
    return missing


def _execute(plan: Plan, workdir: Path) -> int:
    missing = _missing_tools(plan)
    if missing:
        raise CliError(
            f"cannot run the plan: missing {', '.join(missing)}. Install them (and make sure "
            "this machine can reach the network), or use --dry-run to print the commands."
        )
    for name, text in plan.files.items():
        (workdir / name).write_text(text, encoding="utf-8")
    for step in plan.steps:
        print(step, flush=True)
        if subprocess.run(step.argv, cwd=workdir, check=False).returncode != 0:
            raise CliError(f"step failed: {step.description}", code=1)
    for note in plan.notes:
        print(note)
    return 0


def run_up(args: argparse.Namespace) -> int:
    """Print or run the ``up`` plan (from the source checkout: it builds images there)."""
    root = Path.cwd()
    plan = plan_up(
        args.ingress, args.name, with_conformance_image=(root / CONFORMANCE_DOCKERFILE).exists()
    )
    if args.dry_run:
        _show(plan)
        return 0
    if not (root / "deploy").is_dir() or not (root / "Dockerfile").exists():
        raise CliError("run `kingress cluster up` from the kingress source checkout")
    return _execute(plan, root)


def run_down(args: argparse.Namespace) -> int:
    """Print or run the ``down`` plan."""
    plan = plan_down(args.name)
    if args.dry_run:
        _show(plan)
        return 0
    return _execute(plan, Path.cwd())
