"""What ``python -m benchmarks`` runs: every measurement, its size and its time cap.

``FULL`` is sized to finish in under 15 minutes on the 2-core machine the
figures in ``docs/benchmarks.md`` come from; a measurement that cannot fit
that budget is still listed, with ``skip`` saying why, so the table shows it
as not measured instead of leaving it out. ``QUICK`` runs every scenario at
tiny sizes (the smoke tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from benchmarks.world import BACKENDS


@dataclass(frozen=True, slots=True)
class Run:
    """One measurement: a scenario, its parameters, a time cap in seconds, or why it is skipped."""

    scenario: str
    params: dict[str, Any] = field(default_factory=dict)
    cap: float = 300.0
    skip: str = ""

    @property
    def label(self) -> str:
        """``scenario k=v ...`` for progress lines."""
        return " ".join([self.scenario, *(f"{k}={v}" for k, v in self.params.items())])


_BUDGET = "not run: does not fit the 15-minute budget at the measured rate (see docs)"

FULL: list[Run] = [
    *(Run("scale", {"backend": b, "n": 100}, cap=120) for b in BACKENDS),
    *(Run("scale", {"backend": b, "n": 1000}, cap=200) for b in BACKENDS[:-1]),
    # The Envoy world of 1,000 goes on to envoy-update (building it once).
    Run("scale", {"backend": "envoy", "n": 1000, "envoy_changes": 30}, cap=420),
    *(Run("scale", {"backend": b, "n": 10_000}, skip=_BUDGET) for b in BACKENDS),
    Run(
        "envoy-update",
        {"n": 10_000, "changes": 20},
        skip="not run: 10 minutes on its own, over the 15-minute budget; measured alone, "
        "see docs/benchmark-envoy-update-10000.json",
    ),
    Run("cold-start", {"n": 1000, "manager": True}, cap=240),
    # At 10,000 the Manager alone: settling the offline world too does not fit.
    Run("cold-start", {"n": 10_000, "manager": True, "offline": False}, cap=420),
    Run("time-to-ready", {"duration": 30.0}, cap=150),
    Run("data-plane", {"threads": 4, "duration": 5.0}, cap=60),
]

QUICK: list[Run] = [
    *(Run("scale", {"backend": b, "n": 5}, cap=120) for b in BACKENDS),
    Run("envoy-update", {"n": 5, "changes": 2}, cap=120),
    Run("cold-start", {"n": 5, "manager": True}, cap=120),
    Run("time-to-ready", {"duration": 0.5}, cap=120),
    Run("data-plane", {"threads": 2, "duration": 0.5}, cap=60),
]
