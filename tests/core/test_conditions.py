"""Living condition sets: how Ready summarises its dependents."""

from __future__ import annotations

import pytest

from kingress.api.conditions import ConditionSet, ConditionStatus, get_condition

SET = ConditionSet(happy="Ready", dependents=("A", "B"))
T0, T1 = "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z"


def test_initialize_marks_everything_unknown_sorted() -> None:
    conditions = SET.initialize((), T0)
    assert [(c.type, c.status) for c in conditions] == [
        ("A", ConditionStatus.UNKNOWN),
        ("B", ConditionStatus.UNKNOWN),
        ("Ready", ConditionStatus.UNKNOWN),
    ]


@pytest.mark.parametrize(
    ("a", "b", "want_status", "want_reason"),
    [
        pytest.param("true", "true", ConditionStatus.TRUE, None, id="all-true"),
        pytest.param("true", "unknown", ConditionStatus.UNKNOWN, "Waiting", id="one-unknown"),
        pytest.param("false", "unknown", ConditionStatus.FALSE, "Broken", id="false-wins"),
        pytest.param("unknown", "false", ConditionStatus.FALSE, "Broken", id="false-wins-later"),
    ],
)
def test_ready_summarises_dependents(
    a: str, b: str, want_status: ConditionStatus, want_reason: str | None
) -> None:
    conditions = SET.initialize((), T0)
    for type_, state in (("A", a), ("B", b)):
        if state == "true":
            conditions = SET.mark_true(conditions, type_, T0)
        elif state == "false":
            conditions = SET.mark_false(conditions, type_, "Broken", "it broke", T0)
        else:
            conditions = SET.mark_unknown(conditions, type_, "Waiting", "wait", T0)
    ready = get_condition(conditions, "Ready")
    assert ready is not None
    assert (ready.status, ready.reason) == (want_status, want_reason)


def test_transition_time_changes_only_on_transition() -> None:
    conditions = SET.mark_true(SET.initialize((), T0), "A", T0)
    again = SET.mark_true(conditions, "A", T1)
    assert again == conditions
    changed = SET.mark_false(conditions, "A", "Broken", "x", T1)
    a = get_condition(changed, "A")
    assert a is not None
    assert a.last_transition_time == T1
