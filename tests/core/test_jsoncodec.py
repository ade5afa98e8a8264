"""``kingress.jsoncodec``: orjson's speed with the standard library's rules."""

from __future__ import annotations

import dataclasses
import enum
import json
import math
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kingress import jsoncodec
from kingress.frozen import freeze


class Color(enum.StrEnum):
    RED = "red"


class Lying(dict[str, Any]):
    """A dict subclass whose ``items`` says something other than what it holds."""

    def items(self) -> Any:
        return [("said", "this")]


class Exploding(dict[str, Any]):
    def items(self) -> Any:
        raise RuntimeError("boom")


@dataclasses.dataclass
class Point:
    x: int


def _cycle() -> dict[str, Any]:
    value: dict[str, Any] = {}
    value["self"] = value
    return value


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        pytest.param({"a": [1, math.nan]}, ValueError, "Out of range float", id="nan"),
        pytest.param({"a": {"b": math.inf}}, ValueError, "Out of range float", id="infinity"),
        pytest.param([-math.inf, None], ValueError, "Out of range float", id="minus-infinity"),
        pytest.param({"a": {1}}, TypeError, "Object of type set is not", id="set"),
        pytest.param({"a": object()}, TypeError, "Object of type object is not", id="object"),
        pytest.param(
            [datetime(2026, 1, 1, tzinfo=UTC)], TypeError, "type datetime is not", id="datetime"
        ),
        pytest.param({"p": Point(1)}, TypeError, "Object of type Point is not", id="dataclass"),
        pytest.param(_cycle(), ValueError, "Circular reference detected", id="cycle"),
        pytest.param(Exploding(a=1), RuntimeError, "boom", id="raising-subclass"),
    ],
)
def test_strict_refuses_what_json_refuses_with_its_message(
    value: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        json.dumps(value, allow_nan=False)
    with pytest.raises(error, match=message):
        jsoncodec.strict(value)


@pytest.mark.parametrize(
    ("value", "written_by"),
    [
        pytest.param({"a": [1, "x", None, True, 1.5, {}]}, bytes, id="plain"),
        pytest.param({"é": "ünïcode\u2028"}, bytes, id="unicode"),
        pytest.param(freeze({"a": [{"b": 1}]}), str, id="frozen"),
        pytest.param({"color": Color.RED}, bytes, id="str-enum"),
        pytest.param(({"t": (1, 2)}), bytes, id="tuple"),
        pytest.param({1: "int key"}, str, id="int-key"),
        pytest.param([2**70, -(2**64)], str, id="huge-integers"),
        pytest.param(Lying(held="data"), str, id="lying-subclass"),
    ],
)
def test_strict_writes_what_json_writes_and_decode_reads_it_back_exactly(
    value: Any, written_by: type[Any]
) -> None:
    text = jsoncodec.strict(value)
    assert type(text) is written_by
    expected = json.loads(json.dumps(value, allow_nan=False))
    decoded = jsoncodec.decode(text)
    assert decoded == expected
    assert json.dumps(decoded) == json.dumps(expected)  # same types too: no int read as a float


def test_strict_takes_a_uuid_as_its_string() -> None:
    """orjson writes a UUID as a string where ``json`` refuses it; the module says so."""
    value = uuid.UUID(int=7)
    assert jsoncodec.decode(jsoncodec.strict({"id": value})) == {"id": str(value)}


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**80), 2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_json)
def test_strict_then_decode_is_json_round_trip(value: Any) -> None:
    assert jsoncodec.decode(jsoncodec.strict(value)) == json.loads(json.dumps(value))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param({"a": [1, "b"]}, b'{"a":[1,"b"]}', id="compact"),
        pytest.param({"a": math.nan, "b": -math.inf}, b'{"a":null,"b":null}', id="nan-as-null"),
        pytest.param({1: "a", None: "b"}, b'{"1":"a","null":"b"}', id="keys-as-json-writes"),
        pytest.param([2**70], b"[1180591620717411303424]", id="huge-integer"),
        pytest.param({"é": 1}, '{"é":1}'.encode(), id="utf-8"),
    ],
)
def test_dumps(value: Any, expected: bytes) -> None:
    assert jsoncodec.dumps(value) == expected


def test_dumps_hands_what_is_not_json_to_default() -> None:
    assert jsoncodec.dumps({"at": {1}, "point": Point(1)}, default=repr) == (
        b'{"at":"{1}","point":{"x":1}}'
    )
    with pytest.raises(TypeError):
        jsoncodec.dumps({"at": {1}})
