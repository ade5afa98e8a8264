"""Results: of one check, of one case, in Gateway API's four outcomes.

``passed`` and ``failed`` are what they say; ``skipped`` means the case (or a
part of it) was not run, with the reason (``--skip``, a schema folder that is
absent, a depth that cannot observe something); ``not-supported`` means the
backend does not claim a feature the case needs. A case is failed if any of its
checks failed, skipped if none of its own checks ran (the depth's steps, like the
schema check, do not count), passed otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    """What became of a case or a check."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"
    NOT_SUPPORTED = "not-supported"


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckResult:
    """One check (or one part of a depth's work, like ``schema``) and its outcome."""

    check: str
    outcome: Outcome
    reason: str = ""
    #: Whether a pass counts towards the case passing (a case's own checks do; a depth's
    #: steps such as ``deterministic`` or ``schema`` can fail a case but never pass it).
    counts: bool = True


def passed(check: str) -> CheckResult:
    """A check that held."""
    return CheckResult(check=check, outcome=Outcome.PASSED)


def failed(check: str, reason: str) -> CheckResult:
    """A check that did not hold, and why."""
    return CheckResult(check=check, outcome=Outcome.FAILED, reason=reason)


def step_passed(step: str) -> CheckResult:
    """A depth's own step (``deterministic``, ``schema``) that held; it does not pass a case."""
    return CheckResult(check=step, outcome=Outcome.PASSED, counts=False)


def skipped(check: str, reason: str) -> CheckResult:
    """A check that was not run, and why."""
    return CheckResult(check=check, outcome=Outcome.SKIPPED, reason=reason)


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseResult:
    """One case against one backend at one depth."""

    key: str
    backend: str
    outcome: Outcome
    reason: str = ""
    checks: tuple[CheckResult, ...] = field(default=())

    @classmethod
    def of_checks(cls, key: str, backend: str, checks: tuple[CheckResult, ...]) -> CaseResult:
        """The case outcome its checks add up to, with the first failures as the reason."""
        failures = [c for c in checks if c.outcome == Outcome.FAILED]
        if failures:
            reason = "; ".join(f"{c.check}: {c.reason}" for c in failures[:3])
            if len(failures) > 3:
                reason += f"; and {len(failures) - 3} more"
            return cls(
                key=key, backend=backend, outcome=Outcome.FAILED, reason=reason, checks=checks
            )
        if not any(c.outcome == Outcome.PASSED and c.counts for c in checks):
            reasons = [f"{c.check}: {c.reason}" for c in checks if c.outcome == Outcome.SKIPPED]
            reason = "; ".join(reasons) or "nothing to check"
            return cls(
                key=key, backend=backend, outcome=Outcome.SKIPPED, reason=reason, checks=checks
            )
        notes = "; ".join(
            f"{c.check} skipped: {c.reason}" for c in checks if c.outcome == Outcome.SKIPPED
        )
        return cls(key=key, backend=backend, outcome=Outcome.PASSED, reason=notes, checks=checks)
