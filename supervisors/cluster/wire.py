"""The node-to-node link: frames, length-prefixed framing and the shared-secret handshake.

A link is one TCP connection from a *caller* node to an *owner* node.  The owner speaks
first with a random :class:`Challenge`; the caller answers :class:`Hello` with an HMAC of
the challenge and its node id under the cluster secret (the nodes' common
``TOPICSFLOW_SECRET_KEY``).  Anything else, or a wrong MAC, closes the connection before a
payload is read.  After the handshake the caller sends :class:`Ask` and :class:`Tell`
frames, in the order its tasks issued them, and the owner answers each ask with an
:class:`Answer` carrying the same ``id``, in any order.

Each frame is a 4-byte big-endian length and a msgpack body of at most ``MAX_FRAME``
bytes.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Sequence
from typing import Final

import msgspec
import trio

from supervisors.cluster.codec import PeerProtocolError, RemoteError

MAX_FRAME: Final = 16 * 1024 * 1024
_LENGTH: Final = struct.Struct(">I")


class Challenge(msgspec.Struct, frozen=True, tag="challenge"):
    nonce: bytes


class Hello(msgspec.Struct, frozen=True, tag="hello"):
    node_id: str
    mac: bytes


class Ask(msgspec.Struct, frozen=True, tag="ask"):
    id: int
    kind: str
    actor_id: str
    body: bytes
    timeout: float
    chain: tuple[str, ...] = ()


class Tell(msgspec.Struct, frozen=True, tag="tell"):
    kind: str
    actor_id: str
    body: bytes


class Answer(msgspec.Struct, frozen=True, tag="answer"):
    id: int
    body: bytes | None = None
    error: RemoteError | None = None


Frame = Challenge | Hello | Ask | Tell | Answer

_ENCODER: Final = msgspec.msgpack.Encoder()
_DECODER: Final = msgspec.msgpack.Decoder(Frame)


def handshake_mac(secret: str, nonce: bytes, node_id: str) -> bytes:
    """The caller's proof that it knows the cluster secret."""
    return hmac.digest(secret.encode(), nonce + node_id.encode(), hashlib.sha256)


class FrameStream:
    """Frames over one trio stream; ``send`` is safe to call from many tasks."""

    def __init__(self, stream: trio.abc.Stream) -> None:
        self._stream = stream
        self._buffer = bytearray()
        self._send_lock = trio.Lock()

    async def send(self, frame: Frame) -> None:
        await self.send_many((frame,))

    async def send_many(self, frames: Sequence[Frame]) -> None:
        """Write ``frames`` in order, as one write."""
        chunks = bytearray()
        for frame in frames:
            body = _ENCODER.encode(frame)
            chunks += _LENGTH.pack(len(body))
            chunks += body
        async with self._send_lock:
            await self._stream.send_all(chunks)

    async def receive(self) -> Frame | None:
        """The next frame, or None when the peer closed; ``PeerProtocolError`` if malformed."""
        header = await self._read(_LENGTH.size)
        if header is None:
            return None
        (length,) = _LENGTH.unpack(header)
        if length > MAX_FRAME:
            raise PeerProtocolError(f"a peer frame of {length} bytes exceeds {MAX_FRAME}")
        body = await self._read(length)
        if body is None:
            raise PeerProtocolError("the peer closed the link inside a frame")
        try:
            frame: Frame = _DECODER.decode(body)
        except msgspec.DecodeError as error:
            raise PeerProtocolError(f"malformed peer frame: {error}") from None
        return frame

    async def _read(self, size: int) -> bytes | None:
        while len(self._buffer) < size:
            chunk = await self._stream.receive_some(65536)
            if not chunk:
                return None
            self._buffer += chunk
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    async def aclose(self) -> None:
        await self._stream.aclose()
