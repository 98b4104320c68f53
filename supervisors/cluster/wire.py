"""The node-to-node link: frames, length-prefixed framing, the wire version and the
shared-secret handshake.

A link is one TCP connection from a *caller* node to an *owner* node.  The owner speaks
first with a random :class:`Challenge` and its :data:`WIRE_VERSION`; the caller answers
:class:`Hello` with its own version and an HMAC of the challenge and its node id under the
cluster secret (the nodes' common ``TOPICSFLOW_SECRET_KEY``).  Anything else, a wrong MAC,
or another wire version closes the connection before a payload is read.  After the
handshake the caller sends :class:`Ask` and :class:`Tell` frames, in the order its tasks
issued them, and the owner answers each ask with an :class:`Answer` carrying the same
``id``, in any order.

Each frame is a 4-byte big-endian length and a msgpack body of at most ``MAX_FRAME``
bytes.  An ask's or tell's ``body`` is the MessagePack of a declared message type named by
``message_type`` (:mod:`supervisors.cluster.declared`), embedded as is (``msgspec.Raw``) and
decoded with that type's decoder; an answer's ``body`` is the reply, decoded with the
reply type declared for the message asked.

Compatibility: two nodes link only when their :data:`WIRE_VERSION` is equal.  Any change
to what crosses (a frame, a declared message or reply type, its wire name, or the bus
events of :mod:`supervisors.cluster.fanout`) bumps it; ``tests/unit/supervisors`` pins a
fingerprint of the whole wire to the version.  :class:`Challenge` and :class:`Hello` keep
their layout in every version (fields may only be added with defaults), so any two
versions can tell each other theirs and refuse with a clear reason.
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

WIRE_VERSION: Final = 7
"""The version of everything that crosses between nodes (see the module docstring).

0 is what a node from before versioning appears as (it sends no version); 1 is the first
typed wire (declared msgspec types; earlier nodes sent untyped payloads)."""
MAX_FRAME: Final = 16 * 1024 * 1024
_LENGTH: Final = struct.Struct(">I")
NIL: Final = msgspec.Raw(b"\xc0")
"""The body of an :class:`Answer` that carries an error (MessagePack ``nil``)."""


class Challenge(msgspec.Struct, frozen=True, tag="challenge"):
    """The owner's first frame: a random nonce and its wire version."""

    nonce: bytes
    version: int = 0


class Hello(msgspec.Struct, frozen=True, tag="hello"):
    """The caller's answer: its node id, wire version, and MAC of the nonce and node id."""

    node_id: str
    mac: bytes
    version: int = 0


class Ask(msgspec.Struct, frozen=True, tag="ask"):
    """Deliver the message ``body``, of the declared type named ``message_type``, to
    ``kind/actor_id`` and answer; ``chain`` is the ask chain as ``kind/id`` strings."""

    id: int
    kind: str
    actor_id: str
    message_type: str
    body: msgspec.Raw
    timeout: float
    chain: tuple[str, ...] = ()


class Tell(msgspec.Struct, frozen=True, tag="tell"):
    """Deliver the message ``body``, of the declared type named ``message_type``, to
    ``kind/actor_id``."""

    kind: str
    actor_id: str
    message_type: str
    body: msgspec.Raw


class Answer(msgspec.Struct, frozen=True, tag="answer"):
    """The reply to ask ``id``: ``body`` of the declared reply type, or ``error``."""

    id: int
    body: msgspec.Raw = NIL
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
