"""RFC 6455 framing of server messages, so a broadcast is framed once for every socket.

A server never masks its frames (RFC 6455 §5.1), so without an extension such as
permessage-deflate the bytes of one message are the same on every connection: a
transport that can write raw frames takes the frame built here, and a broadcast to a
thousand sockets builds it once (:meth:`protocol.broadcast.BroadcastFrame.framed_for`).

Each message is one final frame: opcode 1 (text) for ``str``, 2 (binary) for ``bytes``.
"""

from __future__ import annotations

import struct
from typing import Final

from protocol.codecs import WireData

_FINAL_TEXT: Final = 0x81
_FINAL_BINARY: Final = 0x82
_LENGTH_16: Final = 126
_LENGTH_64: Final = 127
_SHORT_16: Final = struct.Struct("!BBH")
_SHORT_64: Final = struct.Struct("!BBQ")


def frame_server_message(data: WireData) -> bytes:
    """``data`` as one unmasked, unfragmented, uncompressed WebSocket frame."""
    if isinstance(data, str):
        payload = data.encode("utf-8")
        first = _FINAL_TEXT
    else:
        payload = data
        first = _FINAL_BINARY
    length = len(payload)
    if length < _LENGTH_16:
        header = bytes((first, length))
    elif length < 1 << 16:
        header = _SHORT_16.pack(first, _LENGTH_16, length)
    else:
        header = _SHORT_64.pack(first, _LENGTH_64, length)
    return header + payload
