"""``python -m benchmarks``: run every scenario, print a table with targets, write JSON.

    python -m benchmarks                    # the full run (under 15 minutes here)
    python -m benchmarks --quick            # tiny sizes, seconds (what the smoke tests run)
    python -m benchmarks --only scale --json out.json

Every measurement runs in a subprocess of its own (``benchmarks.worker``), so
its peak RSS is its own; one that runs past its cap is reported as not
finished, never silently dropped.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.machine import ROOT, describe
from benchmarks.plan import FULL, QUICK, Run
from benchmarks.targets import evaluate, table


def measure(run: Run) -> dict[str, Any]:
    """One run in a subprocess: its result, or why it has none."""
    if run.skip:
        return {"error": run.skip}
    started = time.perf_counter()
    command = [sys.executable, "-m", "benchmarks.worker", run.scenario, json.dumps(run.params)]
    try:
        finished = subprocess.run(
            command, capture_output=True, text=True, timeout=run.cap, cwd=ROOT, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"not finished within the {run.cap:.0f} s cap"}
    if finished.returncode != 0:
        lines = finished.stderr.strip().splitlines()
        return {"error": lines[-1] if lines else f"exit code {finished.returncode}"}
    result: dict[str, Any] = json.loads(finished.stdout.strip().splitlines()[-1])
    result["elapsed_seconds"] = time.perf_counter() - started
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the plan; print the table; write the JSON; exit 0 (misses are results, not errors)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke run)")
    parser.add_argument("--only", action="append", help="run only this scenario (repeatable)")
    parser.add_argument(
        "--json", type=Path, default=ROOT / "benchmark-results.json", help="where to write JSON"
    )
    args = parser.parse_args(argv)
    plan = [r for r in (QUICK if args.quick else FULL) if not args.only or r.scenario in args.only]
    machine = describe()
    print(
        f"{machine['cpu_model']}, {machine['cores']} cores, "
        f"{machine['memory_bytes'] / 2**30:.1f} GiB, Python {machine['python']}, "
        f"kingress {machine['kingress_version']} ({machine['git_commit']}), "
        f"load {machine['load_average'][0]:.2f}",
        flush=True,
    )
    started = time.perf_counter()
    runs = []
    for run in plan:
        print(f"... {run.label}", flush=True)
        runs.append({"scenario": run.scenario, "params": run.params, "result": measure(run)})
    rows = evaluate(runs)
    print(table(rows))
    document = {
        "command": " ".join(
            ["python -m benchmarks", *(argv if argv is not None else sys.argv[1:])]
        ),
        "machine": machine,
        "load_average_after": describe()["load_average"],
        "seconds": time.perf_counter() - started,
        "runs": runs,
        "targets": [row.as_dict() for row in rows],
    }
    args.json.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
