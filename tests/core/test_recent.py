"""``Recent``: the last result per key, returned while the inputs are equal."""

from __future__ import annotations

import pytest

from kingress.controller.recent import Recent


def test_equal_inputs_return_the_remembered_result() -> None:
    computed: list[str] = []
    recent: Recent[str, str] = Recent()

    def compute() -> str:
        computed.append("x")
        return f"result {len(computed)}"

    assert recent.get("a", {"v": 1}, compute) == "result 1"
    assert recent.get("a", {"v": 1}, compute) == "result 1"
    assert recent.get("a", {"v": 2}, compute) == "result 2"
    assert recent.get("b", {"v": 2}, compute) == "result 3"
    assert len(computed) == 3


def test_only_the_last_keys_are_kept_and_forget_drops_one() -> None:
    recent: Recent[str, int] = Recent(size=2)
    values = iter(range(100))
    first = recent.get("a", 0, lambda: next(values))
    recent.get("b", 0, lambda: next(values))
    assert recent.get("a", 0, lambda: next(values)) == first  # "a" is now the newest
    recent.get("c", 0, lambda: next(values))  # evicts "b"
    assert recent.get("a", 0, lambda: next(values)) == first
    assert recent.get("b", 0, lambda: next(values)) != 1
    recent.forget("b")
    recent.forget("missing")
    assert recent.get("b", 0, lambda: -1) == -1


def test_failures_and_unremembered_results_are_computed_again() -> None:
    recent: Recent[str, int] = Recent()

    def fail() -> int:
        raise ValueError("bad")

    with pytest.raises(ValueError, match="bad"):
        recent.get("a", 0, fail)
    assert recent.get("a", 0, lambda: 1, remember=False) == 1
    assert recent.get("a", 0, lambda: 2) == 2
    assert recent.get("a", 0, lambda: 3) == 2


def test_a_size_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="size must be at least 1"):
        Recent(size=0)
