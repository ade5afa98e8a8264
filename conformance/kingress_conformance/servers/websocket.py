"""Minimal RFC 6455 websockets: the handshake and text/close frames, both sides.

Just what an echo test needs: the accept key (section 4.2.2), frames with
7/16/64-bit lengths, client-to-server masking (section 5.3), text, ping and
close opcodes. Written here instead of adding a dependency because the
runtime server already owns the socket after the HTTP/1.1 upgrade.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
from typing import Protocol

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


class Stream(Protocol):
    """The buffered side of a socket a frame is read from or written to."""

    def read(self, size: int = -1, /) -> bytes | None:
        """Up to ``size`` bytes."""
        ...

    def write(self, data: bytes, /) -> int | None:
        """Write ``data``."""
        ...

    def flush(self) -> None:
        """Send what was written."""
        ...


class WebsocketError(ConnectionError):
    """The peer broke the protocol or went away."""


def accept_key(key: str) -> str:
    """``Sec-WebSocket-Accept`` for a client's ``Sec-WebSocket-Key``."""
    return base64.b64encode(hashlib.sha1((key + _GUID).encode()).digest()).decode()


def new_key() -> str:
    """A random ``Sec-WebSocket-Key``."""
    return base64.b64encode(os.urandom(16)).decode()


def write_frame(out: Stream, opcode: int, payload: bytes, *, mask: bool) -> None:
    """One final frame; clients mask, servers do not."""
    header = bytes([0x80 | opcode])
    length = len(payload)
    mask_bit = 0x80 if mask else 0
    if length < 126:
        header += bytes([mask_bit | length])
    elif length < 1 << 16:
        header += bytes([mask_bit | 126]) + struct.pack("!H", length)
    else:
        header += bytes([mask_bit | 127]) + struct.pack("!Q", length)
    if mask:
        key = os.urandom(4)
        payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
        header += key
    out.write(header + payload)
    out.flush()


def _exactly(source: Stream, count: int) -> bytes:
    data = source.read(count)
    if data is None or len(data) < count:
        raise WebsocketError("connection closed mid-frame")
    return data


def read_frame(source: Stream) -> tuple[int, bytes]:
    """One frame's opcode and (unmasked) payload."""
    first, second = _exactly(source, 2)
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", _exactly(source, 2))
    elif length == 127:
        (length,) = struct.unpack("!Q", _exactly(source, 8))
    key = _exactly(source, 4) if second & 0x80 else b""
    payload = _exactly(source, length)
    if key:
        payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    return first & 0x0F, payload


def read_message(source: Stream, out: Stream, *, mask: bool) -> str | None:
    """The next text message; answers pings; ``None`` on close."""
    while True:
        opcode, payload = read_frame(source)
        if opcode == TEXT:
            return payload.decode()
        if opcode == PING:
            write_frame(out, PONG, payload, mask=mask)
        elif opcode == CLOSE:
            return None
