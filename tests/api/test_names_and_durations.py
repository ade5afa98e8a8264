"""Kubernetes name rules (apimachinery's messages) and Go duration parsing."""

from __future__ import annotations

import pytest

from kingress.api import kubenames
from kingress.api.durations import HOUR, MILLISECOND, MINUTE, SECOND, parse_go_duration
from tests.api.serving_fixtures import DNS1035, NAME_PART


@pytest.mark.parametrize(
    ("value", "want"),
    [
        pytest.param("my-name", [], id="ok"),
        pytest.param("a", [], id="one-letter"),
        pytest.param("1abc", [DNS1035], id="starts-with-digit"),
        pytest.param("abc-", [DNS1035], id="ends-with-dash"),
        pytest.param("a" * 63, [], id="63-long"),
        pytest.param("a" * 64, ["must be no more than 63 characters"], id="64-long"),
        pytest.param("A" * 64, ["must be no more than 63 characters", DNS1035], id="both"),
    ],
)
def test_dns1035_label(value: str, want: list[str]) -> None:
    assert kubenames.dns1035_label(value) == want


@pytest.mark.parametrize(
    ("value", "prefix", "valid"),
    [
        pytest.param("svc-", True, True, id="prefix-may-end-with-dash"),
        pytest.param("svc-", False, False, id="name-may-not"),
        pytest.param("9svc-", True, False, id="prefix-still-checked"),
    ],
)
def test_name_dns1035_label(value: str, prefix: bool, valid: bool) -> None:
    assert (kubenames.name_dns1035_label(value, prefix=prefix) == []) is valid


@pytest.mark.parametrize(
    ("value", "want"),
    [
        pytest.param("MyName.v_1", [], id="ok"),
        pytest.param("example.com/MyName", [], id="with-prefix"),
        pytest.param("b ar", [NAME_PART], id="space"),
        pytest.param("/x", ["prefix part must be non-empty"], id="empty-prefix"),
        pytest.param("x/", ["name part must be non-empty", NAME_PART], id="empty-name"),
    ],
)
def test_qualified_name(value: str, want: list[str]) -> None:
    assert kubenames.qualified_name(value) == want


def test_go_quote_and_list() -> None:
    assert kubenames.go_quote('a"b') == '"a\\"b"'
    assert kubenames.go_list(["x y", "z"]) == "[x y z]"


@pytest.mark.parametrize(
    ("text", "nanoseconds"),
    [
        pytest.param("0", 0, id="zero"),
        pytest.param("300s", 300 * SECOND, id="seconds"),
        pytest.param("1h30m", HOUR + 30 * MINUTE, id="compound"),
        pytest.param("-1.5s", -1500 * MILLISECOND, id="negative-fraction"),
        pytest.param("+2m", 2 * MINUTE, id="plus"),
        pytest.param(".5s", 500 * MILLISECOND, id="leading-dot"),
        pytest.param("1.s", SECOND, id="trailing-dot"),
        pytest.param("10us", 10_000, id="micro"),
        pytest.param("10\u00b5s", 10_000, id="micro-sign"),
    ],
)
def test_parse_go_duration(text: str, nanoseconds: int) -> None:
    assert parse_go_duration(text) == nanoseconds


@pytest.mark.parametrize("text", ["", "5", "s", ".s", "1d", "1 s", "-", "1h-1m"])
def test_parse_go_duration_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_go_duration(text)
