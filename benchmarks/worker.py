"""Run one measurement in this process and print its result as JSON (the runner's subprocess).

``python -m benchmarks.worker SCENARIO '{"n": 1000, ...}'`` calls the
scenario's ``run(**params)`` and prints one JSON object: the result, plus the
process's peak resident set size, so every measurement's memory is its own.
The process collects garbage as ``kingress controller`` does (``gctune``).
"""

from __future__ import annotations

import importlib
import json
import resource
import sys
from typing import Any

from kingress.runtime import gctune

#: Scenario name → the module whose ``run`` measures it.
MODULES = {
    "scale": "benchmarks.scale",
    "envoy-update": "benchmarks.envoy_update",
    "cold-start": "benchmarks.cold_start",
    "time-to-ready": "benchmarks.time_to_ready",
    "data-plane": "benchmarks.data_plane",
}


def measure(scenario: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run ``scenario`` with ``params``; its result with ``peak_rss_bytes`` added."""
    gctune.tune()
    module = importlib.import_module(MODULES[scenario])
    result: dict[str, Any] = module.run(**params)
    result["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return result


def main(argv: list[str]) -> None:
    """``worker SCENARIO PARAMS_JSON``: print the measurement as one JSON line."""
    scenario, params = argv[0], json.loads(argv[1])
    print(json.dumps(measure(scenario, params)))


if __name__ == "__main__":
    main(sys.argv[1:])
