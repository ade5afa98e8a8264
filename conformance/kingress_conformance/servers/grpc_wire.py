"""The gRPC ping service's wire format, without generated code.

Knative's ``grpc-ping`` defines ``ping.PingService`` with ``Ping`` (unary) and
``PingStream`` (bidirectional); ``Request`` and ``Response`` each hold one
string ``msg`` (field 1). A protobuf message with one string field is the tag
byte ``0x0a``, a varint length and the UTF-8 bytes; gRPC frames each message
with a compressed flag byte and a 4-byte big-endian length.
"""

from __future__ import annotations

import struct

SERVICE = "ping.PingService"
STREAM_METHOD = f"/{SERVICE}/PingStream"
UNARY_METHOD = f"/{SERVICE}/Ping"


def encode_msg(text: str) -> bytes:
    """Protobuf bytes of a message whose field 1 is ``text``."""
    data = text.encode()
    length, varint = len(data), bytearray()
    while True:
        byte = length & 0x7F
        length >>= 7
        varint.append(byte | (0x80 if length else 0))
        if not length:
            break
    return b"\x0a" + bytes(varint) + data


def decode_msg(data: bytes) -> str:
    """Field 1 of a protobuf message (empty when absent)."""
    if not data or data[0] != 0x0A:
        return ""
    length, shift, index = 0, 0, 1
    while True:
        byte = data[index]
        length |= (byte & 0x7F) << shift
        index += 1
        shift += 7
        if not byte & 0x80:
            break
    return data[index : index + length].decode()


def frame(message: bytes) -> bytes:
    """One length-prefixed gRPC message (uncompressed)."""
    return b"\x00" + struct.pack("!I", len(message)) + message


def unframe(buffer: bytearray) -> list[bytes]:
    """Take every complete gRPC message off the front of ``buffer``."""
    messages = []
    while len(buffer) >= 5:
        (length,) = struct.unpack("!I", bytes(buffer[1:5]))
        if len(buffer) < 5 + length:
            break
        messages.append(bytes(buffer[5 : 5 + length]))
        del buffer[: 5 + length]
    return messages
