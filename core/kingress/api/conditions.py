"""Status conditions shared by every kind, and Knative's "living" condition sets.

A condition set names a happy condition (``Ready``) and the conditions it
depends on. Marking a dependent recomputes the happy condition the way
Knative's ``apis.NewLivingConditionSet`` does: any dependent False makes Ready
False with that dependent's reason and message; otherwise any dependent
Unknown makes Ready Unknown; otherwise Ready is True.

All functions are pure: they take conditions and return new ones. The time of a
transition is passed in (``now``) so callers choose the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from kingress.api.base import ApiModel


class ConditionStatus(StrEnum):
    """The three values a condition's status can take."""

    TRUE = "True"
    FALSE = "False"
    UNKNOWN = "Unknown"


class Severity(StrEnum):
    """Severity of a non-happy condition; Error conditions take part in Ready."""

    ERROR = ""
    WARNING = "Warning"
    INFO = "Info"


class Condition(ApiModel):
    """One observation about an object, as Knative's ``apis.Condition``."""

    type: str
    status: ConditionStatus
    severity: Severity | None = None
    last_transition_time: str | None = None
    reason: str | None = None
    message: str | None = None

    def same_state(self, other: Condition) -> bool:
        """Whether two conditions say the same thing (ignoring transition time)."""
        return (self.type, self.status, self.reason or "", self.message or "") == (
            other.type,
            other.status,
            other.reason or "",
            other.message or "",
        )


READY = "Ready"
SUCCEEDED = "Succeeded"

Conditions = tuple[Condition, ...]


def get_condition(conditions: Iterable[Condition], type_: str) -> Condition | None:
    """The condition of the given type, if present."""
    for condition in conditions:
        if condition.type == type_:
            return condition
    return None


def is_true(conditions: Iterable[Condition], type_: str) -> bool:
    """Whether the condition of the given type is present and True."""
    condition = get_condition(conditions, type_)
    return condition is not None and condition.status is ConditionStatus.TRUE


@dataclass(frozen=True, slots=True)
class ConditionSet:
    """A happy condition and the dependent conditions it summarises."""

    happy: str
    dependents: tuple[str, ...]

    def initialize(self, conditions: Conditions, now: str) -> Conditions:
        """Add every missing condition as Unknown (Knative's ``InitializeConditions``).

        A set without dependents (a Configuration's) has nothing to summarise:
        its happy condition is only ever set directly, so it stays as found.
        """
        result = conditions
        present = {c.type for c in conditions}
        for type_ in (self.happy, *self.dependents):
            if type_ not in present:
                result = _put(result, Condition(type=type_, status=ConditionStatus.UNKNOWN), now)
        if not self.dependents:
            return result
        return self._recompute(result, now)

    def mark_true(self, conditions: Conditions, type_: str, now: str) -> Conditions:
        """Mark a dependent True and recompute the happy condition."""
        return self.set(conditions, type_, ConditionStatus.TRUE, None, None, now)

    def mark_unknown(
        self, conditions: Conditions, type_: str, reason: str, message: str, now: str
    ) -> Conditions:
        """Mark a condition Unknown with a reason and message."""
        return self.set(conditions, type_, ConditionStatus.UNKNOWN, reason, message, now)

    def mark_false(
        self, conditions: Conditions, type_: str, reason: str, message: str, now: str
    ) -> Conditions:
        """Mark a condition False with a reason and message."""
        return self.set(conditions, type_, ConditionStatus.FALSE, reason, message, now)

    def set(
        self,
        conditions: Conditions,
        type_: str,
        status: ConditionStatus,
        reason: str | None,
        message: str | None,
        now: str,
    ) -> Conditions:
        """Set any condition; setting a dependent recomputes the happy one.

        Setting the happy condition itself (Knative's ``MarkIngressNotReady``)
        overrides the summary until the next dependent changes.
        """
        new = Condition(type=type_, status=status, reason=reason or None, message=message or None)
        result = _put(self.initialize(conditions, now), new, now)
        if type_ == self.happy:
            return result
        return self._recompute(result, now)

    def is_happy(self, conditions: Conditions) -> bool:
        """Whether the happy condition is True."""
        return is_true(conditions, self.happy)

    def _recompute(self, conditions: Conditions, now: str) -> Conditions:
        by_type = {c.type: c for c in conditions}
        deps = [by_type.get(t) for t in self.dependents]
        present = [c for c in deps if c is not None and c.severity in (None, Severity.ERROR)]
        failed = next((c for c in present if c.status is ConditionStatus.FALSE), None)
        unknown = next((c for c in present if c.status is ConditionStatus.UNKNOWN), None)
        summary = failed or unknown
        status = ConditionStatus.TRUE if summary is None else summary.status
        reason = None if summary is None else summary.reason
        message = None if summary is None else summary.message
        old = by_type.get(self.happy)
        if old is not None and (old.status, old.reason or "", old.message or "") == (
            status,
            reason or "",
            message or "",
        ):
            # Ready already says this: nothing to build (the common case).
            return conditions
        happy = Condition(type=self.happy, status=status, reason=reason, message=message)
        return _put(conditions, happy, now)


def _put(conditions: Conditions, new: Condition, now: str) -> Conditions:
    """Replace or add ``new``; keep the old transition time if nothing changed."""
    old = get_condition(conditions, new.type)
    if old is not None and old.same_state(new):
        return conditions
    stamped = new.model_copy(update={"last_transition_time": now})
    others = [c for c in conditions if c.type != new.type]
    return tuple(sorted((*others, stamped), key=lambda c: c.type))
