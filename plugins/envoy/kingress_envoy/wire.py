"""Envoy's xDS resources as protobuf wire bytes, from the backend's proto3-JSON dicts.

The Envoy backend renders every resource as a proto3-JSON-style dict (proto
field names, ``typed_config`` Anys as dicts with ``"@type"``, durations as
strings such as ``"1.5s"``, wrappers as plain values, enums by name). A gRPC
xDS server needs them as binary protobuf: ``encode`` turns one such dict into
the bytes of the message its type URL names.

What each message looks like (field numbers, types, repeated, map, oneof,
nested and enum classes) comes from the classes of ``envoy-data-plane``
(betterproto2 dataclasses for Envoy's whole API, ``google.protobuf``, ``udpa``
and ``xds``). Their own serialisation builds and validates a pydantic
dataclass per message and is far too slow for thousands of resources, so
this module reads only their field metadata: once per message class it
compiles a small plan (for every accepted key: the field's kind, its tag
bytes, and an emitter or the nested message's plan), and encoding is then a
loop over the dict's items. Child plans are compiled on first use, so a Bootstrap does not
compile all of Envoy's API up front.

Fields are written in the dict's order (protobuf parsers take any order), so
the same dict always yields the same bytes; proto3 defaults of fields
without presence are left out, repeated numeric fields are packed, map
entries carry both key and value. A nested message is written in place, in
the one buffer of the resource, behind a one-byte length patched afterwards
(widened in place past 127 bytes), so no message is copied into its parent.

Raw Anys: ``{"type_url": url, "value": bytes}`` (no ``"@type"``) is an
``Any`` given field by field, so pre-encoded bytes are embedded as they are;
the xDS server wraps every resource of a ``DeltaDiscoveryResponse`` this way.

``encode`` is pure and thread-safe: plans are compiled under a lock and only
published once complete; encoding shares nothing mutable.
"""

from __future__ import annotations

import binascii
import calendar
import contextlib
import functools
import importlib
import re
import struct
import threading
from base64 import b64decode
from collections.abc import Callable, Mapping
from typing import Any

import betterproto2
from betterproto2.casing import safe_snake_case
from envoy_data_plane.message_pool import default_message_pool

__all__ = ["WireError", "encode", "field", "message_class"]

_PREFIX = "type.googleapis.com/"

#: One emitter per field: a value from the dict to the field's wire bytes
#: (tag included), ``b""`` for a proto3 default that is left out.
Emit = Callable[[Any], bytes]


class WireError(ValueError):
    """A dict that is not an instance of its message: unknown field, bad value, unknown type.

    The message names the path, e.g. ``Cluster.load_assignment.endpoints[0]:
    unknown field 'adress'``; ``path`` and ``reason`` hold its two parts.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.path: list[str] = []

    def at(self, segment: str) -> WireError:
        """Prefix the path with a field name or an ``[index]``/``[key]`` (while unwinding)."""
        self.path.insert(0, segment)
        return self

    def __str__(self) -> str:
        path = "".join(s if s.startswith("[") else "." + s for s in self.path).lstrip(".")
        return f"{path}: {self.reason}" if path else self.reason


# -- scalar wire pieces ---------------------------------------------------------------------

_SMALL = tuple(bytes((i,)) for i in range(128))


def _varint(value: int) -> bytes:
    """``value`` (0 <= value < 2**64) as a base-128 varint."""
    if value < 128:
        return _SMALL[value]
    out = bytearray()
    while value > 127:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _tag(number: int, wire_type: int) -> bytes:
    return _varint(number << 3 | wire_type)


def field(number: int, data: bytes) -> bytes:
    """Field ``number`` holding ``data`` length-delimited (a string, bytes or an encoded
    message): how already encoded parts are framed into a message without re-encoding them."""
    return _tag(number, 2) + _varint(len(data)) + data


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _integer(value: Any) -> int:
    """An integer from JSON: a number without a fraction, or a decimal string."""
    kind = type(value)
    if kind is int:
        return value  # type: ignore[no-any-return]
    if kind is str:
        try:
            return int(value)
        except ValueError:
            pass
    elif kind is float and value.is_integer():
        return int(value)
    raise WireError(f"expected an integer, got {_describe(value)}")


def _number(value: Any) -> float:
    """A float from JSON: a number, a numeric string, or NaN/Infinity/-Infinity."""
    kind = type(value)
    if kind is float or kind is int:
        return float(value)
    if kind is str:
        try:
            return float(value)  # also takes "NaN", "Infinity", "-Infinity"
        except ValueError:
            pass
    raise WireError(f"expected a number, got {_describe(value)}")


def _ranged(low: int, high: int, name: str) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        number = _integer(value)
        if not low <= number <= high:
            raise WireError(f"{number} is out of range for {name}")
        return number

    return convert


_INT32 = _ranged(-(2**31), 2**31 - 1, "int32")
_INT64 = _ranged(-(2**63), 2**63 - 1, "int64")
_UINT32 = _ranged(0, 2**32 - 1, "uint32")
_UINT64 = _ranged(0, 2**64 - 1, "uint64")


def _signed_varint(convert: Callable[[Any], int]) -> Callable[[Any], bytes]:
    def payload(value: Any) -> bytes:
        number = convert(value)
        return _varint(number if number >= 0 else number + 2**64)

    return payload


def _unsigned_varint(convert: Callable[[Any], int]) -> Callable[[Any], bytes]:
    def payload(value: Any) -> bytes:
        return _varint(convert(value))

    return payload


def _zigzag(convert: Callable[[Any], int], bits: int) -> Callable[[Any], bytes]:
    def payload(value: Any) -> bytes:
        number = convert(value)
        return _varint((number << 1) ^ (number >> (bits - 1)))

    return payload


def _fixed(convert: Callable[[Any], Any], fmt: str) -> Callable[[Any], bytes]:
    pack = struct.Struct(fmt).pack

    def payload(value: Any) -> bytes:
        try:
            return pack(convert(value))
        except (OverflowError, struct.error) as error:
            raise WireError(f"{_describe(value)} does not fit: {error}") from None

    return payload


def _bool(value: Any) -> bytes:
    if value is True:
        return b"\x01"
    if value is False:
        return b"\x00"
    raise WireError(f"expected a boolean, got {_describe(value)}")


def _string(value: Any) -> bytes:
    if type(value) is not str:
        raise WireError(f"expected a string, got {_describe(value)}")
    data = value.encode()
    return _varint(len(data)) + data


_URLSAFE = str.maketrans("-_", "+/")


def _bytes(value: Any) -> bytes:
    """Raw ``bytes``, or base64 (standard or URL-safe, padding optional) as in proto3 JSON."""
    if type(value) is bytes:
        return _varint(len(value)) + value
    if type(value) is not str:
        raise WireError(f"expected bytes or a base64 string, got {_describe(value)}")
    text = value.translate(_URLSAFE) + "=" * (-len(value) % 4)
    try:
        data = b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise WireError(f"invalid base64: {_describe(value)}") from None
    return _varint(len(data)) + data


#: proto type → (wire type, payload encoder, encoded default), for every scalar type.
_SCALARS: dict[str, tuple[int, Callable[[Any], bytes], bytes]] = {
    betterproto2.TYPE_BOOL: (0, _bool, b"\x00"),
    betterproto2.TYPE_INT32: (0, _signed_varint(_INT32), b"\x00"),
    betterproto2.TYPE_INT64: (0, _signed_varint(_INT64), b"\x00"),
    betterproto2.TYPE_UINT32: (0, _unsigned_varint(_UINT32), b"\x00"),
    betterproto2.TYPE_UINT64: (0, _unsigned_varint(_UINT64), b"\x00"),
    betterproto2.TYPE_SINT32: (0, _zigzag(_INT32, 32), b"\x00"),
    betterproto2.TYPE_SINT64: (0, _zigzag(_INT64, 64), b"\x00"),
    betterproto2.TYPE_FIXED32: (5, _fixed(_UINT32, "<I"), bytes(4)),
    betterproto2.TYPE_SFIXED32: (5, _fixed(_INT32, "<i"), bytes(4)),
    betterproto2.TYPE_FLOAT: (5, _fixed(_number, "<f"), bytes(4)),
    betterproto2.TYPE_FIXED64: (1, _fixed(_UINT64, "<Q"), bytes(8)),
    betterproto2.TYPE_SFIXED64: (1, _fixed(_INT64, "<q"), bytes(8)),
    betterproto2.TYPE_DOUBLE: (1, _fixed(_number, "<d"), bytes(8)),
    betterproto2.TYPE_STRING: (2, _string, b"\x00"),
    betterproto2.TYPE_BYTES: (2, _bytes, b"\x00"),
}


def _enum_payload(enum: type[betterproto2.Enum]) -> Callable[[Any], bytes]:
    """An enum given by its proto name (or Python member name) or by number."""
    numbers: dict[str, int] = {name: int(member) for name, member in enum.__members__.items()}
    for member in enum:
        if member.proto_name:
            numbers[member.proto_name] = int(member)
    numbers.update(enum.betterproto_renamed_proto_names_to_value())
    encoded = {name: _varint(n if n >= 0 else n + 2**64) for name, n in numbers.items()}
    as_int32 = _signed_varint(_INT32)

    def payload(value: Any) -> bytes:
        if type(value) is str:
            found = encoded.get(value)
            if found is None:
                raise WireError(f"unknown {enum.__name__} value {value!r}")
            return found
        if type(value) is int or isinstance(value, betterproto2.Enum):
            return as_int32(int(value))
        raise WireError(f"expected an enum name or number, got {_describe(value)}")

    return payload


# -- emitters -------------------------------------------------------------------------------


def _items(value: Any) -> list[Any] | tuple[Any, ...]:
    """A JSON array: a list or a tuple (subclasses too, e.g. the store's frozen lists)."""
    if isinstance(value, list | tuple):
        return value
    raise WireError(f"expected a list, got {_describe(value)}")


def _mapping(value: Any) -> Mapping[Any, Any]:
    if type(value) is dict or isinstance(value, Mapping):
        return value
    raise WireError(f"expected an object, got {_describe(value)}")


def _emit_scalar(
    tag: bytes, payload: Callable[[Any], bytes], default: bytes, presence: bool
) -> Emit:
    if presence:

        def emit(value: Any) -> bytes:
            return tag + payload(value)

    else:

        def emit(value: Any) -> bytes:
            data = payload(value)
            return b"" if data == default else tag + data

    return emit


def _emit_repeated(tag: bytes, payload: Callable[[Any], bytes]) -> Emit:
    def emit(value: Any) -> bytes:
        parts = []
        for index, item in enumerate(_items(value)):
            try:
                parts.append(tag + payload(item))
            except WireError as error:
                raise error.at(f"[{index}]") from None
        return b"".join(parts)

    return emit


def _emit_packed(tag: bytes, payload: Callable[[Any], bytes]) -> Emit:
    def emit(value: Any) -> bytes:
        parts = []
        for index, item in enumerate(_items(value)):
            try:
                parts.append(payload(item))
            except WireError as error:
                raise error.at(f"[{index}]") from None
        if not parts:
            return b""
        data = b"".join(parts)
        return tag + _varint(len(data)) + data

    return emit


def _emit_map(tag: bytes, key: Callable[[Any], bytes], value: Callable[[Any], bytes]) -> Emit:
    def emit(mapping: Any) -> bytes:
        parts = []
        for k, v in _mapping(mapping).items():
            try:
                entry = key(k) + value(v)
            except WireError as error:
                raise error.at(f"[{k!r}]") from None
            parts.append(tag + _varint(len(entry)) + entry)
        return b"".join(parts)

    return emit


def _map_key(proto_type: str) -> Callable[[Any], bytes]:
    """A map key's entry field (number 1).

    JSON gives every key as a string: integer keys go through ``_integer``
    (which takes decimal strings), boolean ones are ``"true"``/``"false"``.
    """
    wire_type, payload, _ = _SCALARS[proto_type]
    tag = _tag(1, wire_type)
    if proto_type == betterproto2.TYPE_BOOL:
        names = {"true": True, "false": False}
        return lambda key: tag + payload(names.get(key, key))
    return lambda key: tag + payload(key)


# -- message plans --------------------------------------------------------------------------


#: How ``_Message.write`` writes a field: the common kinds inline, the rest by ``emit``.
_MESSAGE, _MESSAGES, _STRING, _OTHER = range(4)

#: Appends a message's fields, from its JSON value, to a buffer.
Write = Callable[[bytearray, Any], None]


class _Field:
    """One field of a plan: its name (for error paths), oneof group and how to write it.

    ``kind`` picks the inline path of ``_Message.write`` for the common cases
    (a message, repeated messages, a string); ``emit`` writes any field on its
    own; ``child`` writes a message field's message.
    """

    __slots__ = ("child", "emit", "group", "kind", "name", "nullable", "presence", "tag")

    def __init__(self, name: str, info: betterproto2.FieldMetadata, kind: int, emit: Emit) -> None:
        self.name = name
        self.group = info.group
        self.presence = bool(info.optional or info.group)
        self.kind = kind
        self.emit = emit
        self.tag = _tag(info.number, 2)  # used by the length-delimited kinds only
        self.child: Write = _no_child
        self.nullable = False


def _no_child(buffer: bytearray, value: Any) -> None:
    raise AssertionError("not a message field")


def _json_name(name: str) -> str:
    """protoc's JSON name for a field: lowerCamel of its snake_case proto name."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _open(buffer: bytearray, tag: bytes) -> int:
    """Start a length-delimited field: its tag and a one-byte length to patch (its offset)."""
    buffer += tag
    buffer.append(0)
    return len(buffer)


def _close(buffer: bytearray, start: int) -> None:
    """Patch the length of the field opened at ``start`` (widening it past 127 bytes)."""
    size = len(buffer) - start
    if size < 128:
        buffer[start - 1] = size
    else:
        buffer[start - 1 : start] = _varint(size)


class _Message:
    """How to encode one message class; its fields are compiled on first use."""

    def __init__(self, cls: type[betterproto2.Message], full_name: str) -> None:
        self.cls = cls
        self.full_name = full_name
        self._fields: dict[str, _Field] | None = None

    def fields(self) -> dict[str, _Field]:
        """Every accepted key (Python, proto and JSON names) to its field."""
        fields = self._fields
        if fields is None:
            with _lock:
                if self._fields is None:
                    self._fields = self._compile()
                fields = self._fields
        return fields

    def _compile(self) -> dict[str, _Field]:
        meta = betterproto2.ProtoClassMetadata(self.cls)
        fields: dict[str, _Field] = {}
        for attr, info in meta.meta_by_field_name.items():
            name = attr.rstrip("_") or attr  # betterproto2 suffixes Python keywords
            field = _compile_field(attr, name, info, meta.cls_by_field)
            for key in (attr, name, _json_name(name)):
                fields[key] = field
        return fields

    def field(self, key: str) -> _Field:
        """The field a key names: a known spelling, else betterproto2's own name folding."""
        fields = self.fields()
        found = fields.get(key) or fields.get(safe_snake_case(key))
        if found is None:
            raise WireError(f"unknown field {key!r}")
        return found

    def encode(self, value: Any) -> bytes:
        """The message's wire bytes from its JSON value."""
        buffer = bytearray()
        self.write(buffer, value)
        return bytes(buffer)

    def write(self, buffer: bytearray, value: Any) -> None:
        """Append the message's fields from its JSON object (the hot loop).

        Fields are written in the object's order (any order is valid protobuf);
        a nested message is written in place and its length patched after.
        """
        if type(value) is not dict:
            value = _mapping(value)
        fields = self._fields or self.fields()
        grouped: list[_Field] | None = None
        for key, item in value.items():
            field = fields.get(key) or self.field(key)
            if item is None and not field.nullable:
                continue  # proto3 JSON: null is the field's default
            kind = field.kind
            try:
                if kind == 0:  # _MESSAGE
                    buffer += field.tag
                    buffer.append(0)
                    start = len(buffer)
                    field.child(buffer, item)
                    size = len(buffer) - start
                    if size < 128:
                        buffer[start - 1] = size
                    else:
                        buffer[start - 1 : start] = _varint(size)
                elif kind == 2:  # _STRING
                    if type(item) is not str:
                        raise WireError(f"expected a string, got {_describe(item)}")
                    if item or field.presence:
                        data = item.encode()
                        size = len(data)
                        buffer += field.tag
                        if size < 128:
                            buffer.append(size)
                        else:
                            buffer += _varint(size)
                        buffer += data
                elif kind == 1:  # _MESSAGES
                    _write_messages(buffer, field, item)
                else:
                    buffer += field.emit(item)
            except WireError as error:
                raise error.at(field.name) from None
            if field.group is not None:
                if grouped is None:
                    grouped = [field]
                else:
                    grouped.append(field)
        if grouped is not None and len(grouped) > 1:
            _check_oneofs(grouped)


def _write_messages(buffer: bytearray, field: _Field, items: Any) -> None:
    write, tag = field.child, field.tag
    if type(items) is not list:
        items = _items(items)
    for index, item in enumerate(items):
        buffer += tag
        buffer.append(0)
        start = len(buffer)
        try:
            write(buffer, item)
        except WireError as error:
            raise error.at(f"[{index}]") from None
        size = len(buffer) - start
        if size < 128:
            buffer[start - 1] = size
        else:
            buffer[start - 1 : start] = _varint(size)


def _check_oneofs(fields: list[_Field]) -> None:
    seen: dict[str | None, str] = {}
    for field in fields:
        other = seen.setdefault(field.group, field.name)
        if other != field.name:
            raise WireError(f"{other!r} and {field.name!r} are both set (oneof {field.group})")


def _compile_field(
    attr: str, name: str, info: betterproto2.FieldMetadata, classes: Mapping[str, type]
) -> _Field:
    """One field's plan, from its betterproto2 metadata and its classes (by Python name)."""
    number, proto_type = info.number, info.proto_type
    field_cls = classes[attr]
    if proto_type == betterproto2.TYPE_MAP:
        assert info.map_meta is not None
        key_info, value_info = info.map_meta
        value_emit = _value_emitter(value_info, classes[f"{attr}.value"])
        emit = _emit_map(_tag(number, 2), _map_key(key_info.proto_type), value_emit)
        return _Field(name, info, _OTHER, emit)
    if proto_type == betterproto2.TYPE_MESSAGE:
        message = _plan(info.unwrap() if info.unwrap else field_cls)
        payload = _length_delimited(message)
        tag = _tag(number, 2)
        if info.repeated:
            field = _Field(name, info, _MESSAGES, _emit_repeated(tag, payload))
        else:
            field = _Field(name, info, _MESSAGE, lambda value: tag + payload(value))
            field.nullable = isinstance(message, _ValueMessage)
        field.child = message.write
        return field
    if proto_type == betterproto2.TYPE_ENUM:
        wire_type, payload, default = 0, _enum_payload(field_cls), b"\x00"
    else:
        wire_type, payload, default = _SCALARS[proto_type]
    if info.repeated:
        repeated = _emit_repeated if wire_type == 2 else _emit_packed
        return _Field(name, info, _OTHER, repeated(_tag(number, 2), payload))
    presence = bool(info.optional or info.group)
    emit = _emit_scalar(_tag(number, wire_type), payload, default, presence)
    kind = _STRING if proto_type == betterproto2.TYPE_STRING else _OTHER
    return _Field(name, info, kind, emit)


def _value_emitter(info: betterproto2.FieldMetadata, value_cls: type) -> Callable[[Any], bytes]:
    """A map value's entry field (number 2), always written (even a default)."""
    if info.proto_type == betterproto2.TYPE_MESSAGE:
        payload = _length_delimited(_plan(info.unwrap() if info.unwrap else value_cls))
        return lambda value: b"\x12" + payload(value)
    if info.proto_type == betterproto2.TYPE_ENUM:
        enum_payload = _enum_payload(value_cls)
        return lambda value: b"\x10" + enum_payload(value)
    wire_type, payload, _ = _SCALARS[info.proto_type]
    tag = _tag(2, wire_type)
    return lambda value: tag + payload(value)


def _length_delimited(message: _Message) -> Callable[[Any], bytes]:
    """A message's length-prefixed bytes (for map values)."""
    encode = message.encode

    def payload(value: Any) -> bytes:
        body = encode(value)
        return _varint(len(body)) + body

    return payload


# -- well-known types with their own JSON -------------------------------------------------


class _SpecialJson(_Message):
    """A well-known type whose JSON is not an object of its fields (in an Any: ``"value"``)."""


class _AnyMessage(_SpecialJson):
    """``google.protobuf.Any``: ``{"@type": url, ...fields}``, or field by field (raw).

    The raw form (``{"type_url": url, "value": bytes}``) embeds bytes already
    encoded as they are.
    """

    def write(self, buffer: bytearray, value: Any) -> None:
        value = _mapping(value)
        url = value.get("@type")
        if url is None:
            super().write(buffer, value)
            return
        if type(url) is not str:
            raise WireError(f"'@type' must be a string, got {_describe(url)}")
        inner = _plan_for_url(url)
        data = url.encode()
        buffer += b"\n"
        buffer += _varint(len(data))
        buffer += data
        start = _open(buffer, b"\x12")
        if isinstance(inner, _SpecialJson):
            extra = set(value) - {"@type", "value"}
            if extra:
                raise WireError(f"unknown field {min(extra)!r} ({inner.full_name} is in 'value')")
            if "value" in value:
                inner.write(buffer, value["value"])
        else:
            inner.write(buffer, {k: v for k, v in value.items() if k != "@type"})
        if len(buffer) == start:
            del buffer[start - 2 :]  # an empty value is left out
        else:
            _close(buffer, start)


_DURATION = re.compile(r"(-)?(\d+)(?:\.(\d{1,9}))?s")
_MAX_SECONDS = 315_576_000_000


def _seconds_nanos(seconds: int, nanos: int) -> bytes:
    """The fields of a Duration or a Timestamp."""
    out = b""
    if seconds:
        out = b"\x08" + _varint(seconds if seconds >= 0 else seconds + 2**64)
    if nanos:
        out += b"\x10" + _varint(nanos if nanos >= 0 else nanos + 2**64)
    return out


class _DurationMessage(_SpecialJson):
    """``google.protobuf.Duration`` from ``"1.5s"`` (or ``{"seconds", "nanos"}``)."""

    def write(self, buffer: bytearray, value: Any) -> None:
        if type(value) is str:
            buffer += _duration(value)
        else:
            super().write(buffer, value)


@functools.lru_cache(maxsize=1024)
def _duration(text: str) -> bytes:
    """A Duration's fields from its JSON string (few distinct ones: remembered)."""
    match = _DURATION.fullmatch(text)
    if match is None:
        raise WireError(f"invalid duration {text!r} (expected e.g. '1.5s')")
    sign = -1 if match[1] else 1
    seconds = int(match[2])
    if seconds > _MAX_SECONDS:
        raise WireError(f"duration {text!r} is out of range")
    return _seconds_nanos(sign * seconds, sign * int((match[3] or "").ljust(9, "0")))


_TIMESTAMP = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:[Zz]|([+-])(\d\d):(\d\d))"
)


class _TimestampMessage(_SpecialJson):
    """``google.protobuf.Timestamp`` from RFC 3339 (``"2026-01-02T03:04:05.5Z"``)."""

    def write(self, buffer: bytearray, value: Any) -> None:
        if type(value) is not str:
            super().write(buffer, value)
            return
        match = _TIMESTAMP.fullmatch(value)
        if match is None:
            raise WireError(f"invalid timestamp {value!r} (expected RFC 3339)")
        year, month, day, hour, minute, second = (int(match[i]) for i in range(1, 7))
        valid = year >= 1 and 1 <= month <= 12 and hour < 24 and minute < 60 and second < 60
        if not valid or not 1 <= day <= calendar.monthrange(year, month)[1]:
            raise WireError(f"invalid timestamp {value!r}")
        seconds = calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))
        if match[8]:
            offset = int(match[9]) * 3600 + int(match[10]) * 60
            seconds -= offset if match[8] == "+" else -offset
        buffer += _seconds_nanos(seconds, int((match[7] or "").ljust(9, "0")))


class _WrapperMessage(_SpecialJson):
    """``google.protobuf.*Value`` wrappers from their plain value."""

    def write(self, buffer: bytearray, value: Any) -> None:
        buffer += (self._fields or self.fields())["value"].emit(value)


class _StructMessage(_SpecialJson):
    """``google.protobuf.Struct`` from a JSON object."""

    def write(self, buffer: bytearray, value: Any) -> None:
        super().write(buffer, {"fields": _mapping(value)})


class _ListValueMessage(_SpecialJson):
    """``google.protobuf.ListValue`` from a JSON array."""

    def write(self, buffer: bytearray, value: Any) -> None:
        super().write(buffer, {"values": _items(value)})


class _ValueMessage(_SpecialJson):
    """``google.protobuf.Value`` from any JSON value (``None`` is ``null_value``)."""

    def write(self, buffer: bytearray, value: Any) -> None:
        kind = type(value)
        if value is None:
            name = "null_value"
            value = 0
        elif kind is bool:
            name = "bool_value"
        elif kind is int or kind is float:
            name = "number_value"
        elif kind is str:
            name = "string_value"
        elif isinstance(value, list | tuple):
            name = "list_value"
        elif isinstance(value, Mapping):
            name = "struct_value"
        else:
            raise WireError(f"not a JSON value: {_describe(value)}")
        buffer += self.fields()[name].emit(value)


class _FieldMaskMessage(_SpecialJson):
    """``google.protobuf.FieldMask`` from ``"a.b,cD"`` (lowerCamel paths, to snake_case)."""

    def write(self, buffer: bytearray, value: Any) -> None:
        if type(value) is not str:
            raise WireError(f"expected a field mask string, got {_describe(value)}")
        paths = [re.sub(r"[A-Z]", lambda m: "_" + m[0].lower(), p) for p in value.split(",") if p]
        super().write(buffer, {"paths": paths})


#: The scalar types with a ``google.protobuf.<Type>Value`` wrapper.
_WRAPPED = ("Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes")

_WELL_KNOWN: dict[str, type[_Message]] = {
    "google.protobuf.Any": _AnyMessage,
    "google.protobuf.Duration": _DurationMessage,
    "google.protobuf.Timestamp": _TimestampMessage,
    "google.protobuf.Struct": _StructMessage,
    "google.protobuf.ListValue": _ListValueMessage,
    "google.protobuf.Value": _ValueMessage,
    "google.protobuf.FieldMask": _FieldMaskMessage,
    **{f"google.protobuf.{kind}Value": _WrapperMessage for kind in _WRAPPED},
}


# -- classes and plans by name --------------------------------------------------------------

_lock = threading.RLock()
_plans: dict[type, _Message] = {}
_by_url: dict[str, _Message] = {}


def _plan(cls: type[betterproto2.Message]) -> _Message:
    plan = _plans.get(cls)
    if plan is None:
        with _lock:
            plan = _plans.get(cls)
            if plan is None:
                full_name = default_message_pool.type_to_url[cls].rsplit("/", 1)[-1]
                plan = _WELL_KNOWN.get(full_name, _Message)(cls, full_name)
                _plans[cls] = plan
    return plan


def message_class(type_url: str) -> type[betterproto2.Message]:
    """The envoy-data-plane class of a type URL or full message name (imported on demand).

    ``envoy.config.route.v3.RouteAction.HashPolicy`` is the class
    ``RouteActionHashPolicy`` of ``envoy_data_plane.envoy.config.route.v3``.
    """
    name = type_url.rsplit("/", 1)[-1]
    url = _PREFIX + name
    found = default_message_pool.url_to_type.get(url)
    if found is None:
        parts = name.split(".")
        package = [part for part in parts if part[:1].islower()]
        if package and len(package) < len(parts) and parts[: len(package)] == package:
            with contextlib.suppress(ImportError):
                importlib.import_module("envoy_data_plane." + ".".join(package))
            found = default_message_pool.url_to_type.get(url)
    if found is None:
        raise WireError(f"unknown type {type_url!r}")
    return found


def _plan_for_url(type_url: str) -> _Message:
    plan = _by_url.get(type_url)
    if plan is None:
        plan = _plan(message_class(type_url))
        _by_url[type_url] = plan
    return plan


def encode(type_url: str, value: Mapping[str, Any]) -> bytes:
    """The message named by ``type_url``, encoded from its proto3-JSON dict.

    ``type_url`` is ``"type.googleapis.com/envoy.config.cluster.v3.Cluster"`` or
    a bare full name; ``WireError`` (a ``ValueError``) names the path of what
    is wrong.
    """
    plan = _plan_for_url(type_url)
    try:
        return plan.encode(value)
    except WireError as error:
        raise error.at(plan.full_name.rsplit(".", 1)[-1]) from None
