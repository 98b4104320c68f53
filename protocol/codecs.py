"""Codecs: the two wire encodings of v1, chosen by WebSocket subprotocol.

``topicsflow.v1.json`` sends each frame as one JSON text message, ``topicsflow.v1.msgpack``
as one MessagePack binary message; both encode the same structs the same way (an object
with a ``type`` tag). Each :class:`Codec` holds msgspec encoders and decoders created once at
import; a codec holds no per-connection state and is shared by all connections.

Usage on the server::

    codec = negotiate(requested_subprotocols)        # None -> refuse the upgrade
    try:
        frame = codec.decode_client(message)
    except ProtocolError as error:
        await send(codec.encode_server(error_reply(error)))

For fan-out, :class:`protocol.broadcast.BroadcastFrame` encodes an event once per codec.
"""

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final, Protocol, TypeAlias, TypeVar

import msgspec
import msgspec.inspect

from protocol import limits
from protocol.client_frames import CLIENT_FRAME_TAGS, ClientFrame
from protocol.errors import ErrorCode, ProtocolError, UnsupportedFrame
from protocol.nul_text import NUL_REFUSED, json_has_nul, value_has_nul
from protocol.server_frames import SERVER_FRAME_TAGS, ServerFrame
from protocol.tolerant import prune_unknown_fields

SUBPROTOCOL_JSON: Final = "topicsflow.v1.json"
SUBPROTOCOL_MSGPACK: Final = "topicsflow.v1.msgpack"

WireData: TypeAlias = str | bytes
"""One WebSocket message: ``str`` is sent as a text message, ``bytes`` as binary."""

_Frame = TypeVar("_Frame", covariant=True)
_MAX_ERROR_MESSAGE: Final = limits.MAX_REASON_LENGTH
_MAX_PROBED_BYTES: Final = 1 << 20
"""The largest oversized frame whose ``id`` is still read for the ``too_large`` reply."""
_SERVER_FRAME_INFO: Final = msgspec.inspect.type_info(ServerFrame)


class _Decoder(Protocol[_Frame]):
    def decode(self, buf: bytes, /) -> _Frame: ...


class _RejectedFrameProbe(msgspec.Struct):
    """Reads ``id`` and ``type`` of a rejected frame, ignoring everything else."""

    id: Any = None
    type: Any = None


class Codec:
    """Encoding and decoding of frames for one subprotocol.

    ``decode_client`` / ``encode_server`` serve the server; ``encode_client`` /
    ``decode_server`` serve the client SDK. Decoding raises only :class:`ProtocolError`.
    Encoding trusts its input: frames built in Python are not re-validated.
    """

    __slots__ = (
        "_client_decoder",
        "_encode",
        "_generic_decoder",
        "_probe_decoder",
        "_server_decoder",
        "binary",
        "format_name",
        "subprotocol",
    )

    def __init__(
        self,
        *,
        subprotocol: str,
        format_name: str,
        binary: bool,
        encode: Callable[[Any], bytes],
        client_decoder: _Decoder[ClientFrame],
        server_decoder: _Decoder[ServerFrame],
        probe_decoder: _Decoder[_RejectedFrameProbe],
        generic_decoder: _Decoder[Any],
    ) -> None:
        self.subprotocol = subprotocol
        self.format_name = format_name
        self.binary = binary
        self._encode = encode
        self._client_decoder = client_decoder
        self._server_decoder = server_decoder
        self._probe_decoder = probe_decoder
        self._generic_decoder = generic_decoder

    def __repr__(self) -> str:
        return f"<Codec {self.subprotocol}>"

    def encode_server(self, frame: ServerFrame) -> WireData:
        """Encode a server frame as one WebSocket message for this subprotocol."""
        return self._to_wire(self._encode(frame))

    def encode_client(self, frame: ClientFrame) -> WireData:
        """Encode a client frame as one WebSocket message for this subprotocol."""
        return self._to_wire(self._encode(frame))

    def decode_client(
        self, data: WireData, *, max_bytes: int = limits.DEFAULT_MAX_CLIENT_FRAME_BYTES
    ) -> ClientFrame:
        """Decode and validate one client message.

        Raises ``ProtocolError`` with code ``too_large`` when ``data`` exceeds
        ``max_bytes`` (nothing is parsed), else with ``invalid`` for malformed data, a
        text message on the binary subprotocol, an unknown ``type``, unknown fields, wrong
        types, values outside their limits or U+0000 in a string
        (:mod:`protocol.nul_text`); ``request_id`` is then the frame's ``id`` when it is
        readable.
        """
        payload = self._payload(data, max_bytes)
        try:
            frame: ClientFrame = self._client_decoder.decode(payload)
        except msgspec.ValidationError as error:
            raise self._rejected_client_frame(payload, error) from error
        except (msgspec.DecodeError, UnicodeError, RecursionError) as error:
            raise self._malformed(error) from error
        if json_has_nul(payload) if not self.binary else (
                b"\x00" in payload and value_has_nul(frame)):
            raise self._invalid(NUL_REFUSED, getattr(frame, "id", None))
        return frame

    def decode_server(
        self, data: WireData, *, max_bytes: int = limits.DEFAULT_MAX_SERVER_FRAME_BYTES
    ) -> ServerFrame:
        """Decode one server message, tolerating additions allowed within v1.

        Fields the frame's struct does not declare are ignored. A frame whose ``type``
        is unknown raises :class:`UnsupportedFrame` (a ``ProtocolError``), which clients
        skip. Otherwise failures raise ``ProtocolError`` as in :meth:`decode_client`.
        """
        payload = self._payload(data, max_bytes)
        try:
            return self._server_decoder.decode(payload)
        except msgspec.ValidationError as error:
            return self._decode_server_tolerantly(payload, error)
        except (msgspec.DecodeError, UnicodeError, RecursionError) as error:
            raise self._malformed(error) from error

    def _decode_server_tolerantly(
        self, payload: bytes, strict_error: msgspec.ValidationError
    ) -> ServerFrame:
        try:
            generic = self._generic_decoder.decode(payload)
        except (msgspec.DecodeError, UnicodeError, RecursionError) as error:
            raise self._malformed(error) from error
        frame_type = generic.get("type") if isinstance(generic, dict) else None
        if isinstance(frame_type, str) and frame_type not in SERVER_FRAME_TAGS:
            raise UnsupportedFrame(frame_type)
        pruned = prune_unknown_fields(generic, _SERVER_FRAME_INFO)
        if pruned == generic:
            raise self._invalid(str(strict_error), None) from strict_error
        try:
            frame: ServerFrame = msgspec.convert(pruned, ServerFrame)
        except msgspec.ValidationError as error:
            raise self._invalid(str(error), None) from error
        return frame

    def _payload(self, data: WireData, max_bytes: int) -> bytes:
        if len(data) > max_bytes:
            raise self._too_large(data, max_bytes)
        if isinstance(data, str):
            if self.binary:
                raise self._invalid(f"{self.subprotocol} frames must be binary messages", None)
            try:
                data = data.encode("utf-8")
            except UnicodeEncodeError as error:
                raise self._malformed(error) from error
            if len(data) > max_bytes:
                raise self._too_large(data, max_bytes)
        return data

    def _too_large(self, data: WireData, max_bytes: int) -> ProtocolError:
        """``too_large``, echoing the frame's id so that the request gets its one reply.

        The id is read by the probe decoder (it skips every other field without building
        it), only up to :data:`_MAX_PROBED_BYTES` (the transport already bounds messages
        to less); a larger frame's error carries no id.
        """
        request_id: int | None = None
        if len(data) <= _MAX_PROBED_BYTES:
            try:
                payload = data.encode("utf-8") if isinstance(data, str) else data
                probe_id = self._probe_decoder.decode(payload).id
            except (msgspec.DecodeError, msgspec.ValidationError, UnicodeError, RecursionError):
                probe_id = None
            if type(probe_id) is int and 0 <= probe_id <= limits.MAX_SAFE_INTEGER:
                request_id = probe_id
        return ProtocolError(
            ErrorCode.TOO_LARGE, f"frame exceeds the maximum of {max_bytes} bytes",
            request_id=request_id,
        )

    def _rejected_client_frame(
        self, payload: bytes, error: msgspec.ValidationError
    ) -> ProtocolError:
        """The error for a well-formed but invalid client frame, echoing its id if valid."""
        try:
            probe = self._probe_decoder.decode(payload)
        except (msgspec.DecodeError, UnicodeError, RecursionError):
            return self._invalid(str(error), None)
        request_id = probe.id
        if type(request_id) is not int or not 0 <= request_id <= limits.MAX_SAFE_INTEGER:
            request_id = None
        if isinstance(probe.type, str) and probe.type not in CLIENT_FRAME_TAGS:
            return self._invalid(f"unknown client frame type {probe.type!r}", request_id)
        return self._invalid(str(error), request_id)

    def _to_wire(self, encoded: bytes) -> WireData:
        return encoded if self.binary else encoded.decode("utf-8")

    def _invalid(self, message: str, request_id: int | None) -> ProtocolError:
        return ProtocolError(ErrorCode.INVALID, message[:_MAX_ERROR_MESSAGE], request_id=request_id)

    def _malformed(self, error: Exception) -> ProtocolError:
        return self._invalid(f"malformed {self.format_name}: {error}", None)


JSON_CODEC: Final = Codec(
    subprotocol=SUBPROTOCOL_JSON,
    format_name="JSON",
    binary=False,
    encode=msgspec.json.Encoder().encode,
    client_decoder=msgspec.json.Decoder(ClientFrame),
    server_decoder=msgspec.json.Decoder(ServerFrame),
    probe_decoder=msgspec.json.Decoder(_RejectedFrameProbe),
    generic_decoder=msgspec.json.Decoder(),
)

MSGPACK_CODEC: Final = Codec(
    subprotocol=SUBPROTOCOL_MSGPACK,
    format_name="MessagePack",
    binary=True,
    encode=msgspec.msgpack.Encoder().encode,
    client_decoder=msgspec.msgpack.Decoder(ClientFrame),
    server_decoder=msgspec.msgpack.Decoder(ServerFrame),
    probe_decoder=msgspec.msgpack.Decoder(_RejectedFrameProbe),
    generic_decoder=msgspec.msgpack.Decoder(),
)

CODECS: Final[Mapping[str, Codec]] = MappingProxyType(
    {codec.subprotocol: codec for codec in (JSON_CODEC, MSGPACK_CODEC)}
)
"""Every supported subprotocol name and its codec."""


def negotiate(offered: Sequence[str]) -> Codec | None:
    """Pick the codec for the first supported subprotocol the client offered.

    The client's order is its preference. ``None`` when nothing offered is supported
    (including an empty offer): the server then refuses the upgrade, since a browser
    fails a connection whose subprotocol it did not ask for.
    """
    for name in offered:
        codec = CODECS.get(name.strip())
        if codec is not None:
            return codec
    return None
