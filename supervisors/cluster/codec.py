"""What crosses between nodes: declared actor messages, their replies, and errors.

Only the message types declared in a :class:`WireTypes` registry cross between nodes (the
node's registry is :data:`supervisors.cluster.declared.DECLARED`).  Each
:class:`Declaration` gives a msgspec Struct message type a stable wire name and declares
the type of the reply its actor answers; bodies are MessagePack, decoded with a
``msgspec.msgpack.Decoder`` of exactly that type, built once when the registry is built.
Nothing else is ever decoded from a peer: no class is looked up by a name the peer sent
other than through the registry, and decoding builds only the declared types.

Contracts:

* Sender: :meth:`WireTypes.encode_message` raises :class:`WireTypeError` for a message
  whose exact type is not declared, before anything is sent (a programming error: the
  type was added without its declaration, which ``tests/unit/supervisors`` catches).
* Receiver: :meth:`WireTypes.decode_message` raises :class:`PeerProtocolError` for a name
  that is not declared or a body that does not match its declared type; the caller
  answers with an error and hands nothing to any actor.
* Owner: :meth:`Declaration.encode_reply` raises :class:`WireTypeError` for a reply that is
  not of the declared reply type (the message was handled; its reply cannot cross).
* Asker: :meth:`Declaration.decode_reply` raises :class:`PeerProtocolError` for a reply body
  that does not match the declared reply type.

Errors travel as :class:`RemoteError` (a type tag and plain fields) and are rebuilt as the
same runtime or domain exception, so a caller cannot tell a forwarded ask from a local one.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable, Iterator
from typing import Any, Final

import msgspec

from actors.runtime.errors import (
    ActorCrashed,
    ActorError,
    ActorStopped,
    AskCycle,
    AskTimeout,
    DependencyUnavailable,
    MailboxFull,
    MessageRejected,
    NotOwner,
    UnhandledMessage,
    UnknownActorKind,
)
from actors.runtime.ref import Address
from protocol.errors import ErrorCode
from services.errors import DomainError

_ENCODER: Final = msgspec.msgpack.Encoder()
"""Encodes every message and reply body (encoding needs no per-type state)."""


class PeerProtocolError(Exception):
    """A peer sent something this node refuses to read: a malformed frame, a message type
    that is not declared, or a body that does not match its declared type."""


class WireTypeError(ActorError, TypeError):
    """A message or reply the cluster wire cannot carry: its type is not declared in
    :mod:`supervisors.cluster.declared` (or the owner could not read it).

    A programming error, never a transient one: retrying cannot help.  Raised by the
    sender before anything is sent, and rebuilt for the asker when the owner refused the
    message (nothing was handled) or could not send its reply (the message was handled).
    """


def _reply_classes(reply: Any) -> tuple[type, ...]:
    """The runtime classes a reply of the declared type ``reply`` is an instance of."""
    if reply is None or reply is type(None):
        return (type(None),)
    origin = typing.get_origin(reply)
    if origin is typing.Union or origin is types.UnionType:
        return tuple(kind for arg in typing.get_args(reply) for kind in _reply_classes(arg))
    if isinstance(origin, type):  # list[Ban] and the like: the elements are checked on decode
        return (origin,)
    if origin is None and isinstance(reply, type):
        return (reply,)
    raise TypeError(f"cannot declare {reply!r} as a reply type")


@dataclasses.dataclass(frozen=True, slots=True, eq=False)
class Declaration:
    """One message type that may cross between nodes, and the type of its reply.

    ``name`` is the message's stable wire name (renaming the class keeps it); ``reply`` is
    a type expression msgspec can decode (a Struct, ``bool``, ``str``, ``None``,
    ``list[Ban]``, ``Membership | None`` ...).  Build with :func:`declare`.
    """

    name: str
    message: type[msgspec.Struct]
    reply: Any
    decoder: msgspec.msgpack.Decoder[Any]
    reply_decoder: msgspec.msgpack.Decoder[Any]
    reply_classes: tuple[type, ...]

    def decode_message(self, body: bytes | msgspec.Raw) -> msgspec.Struct:
        """The message in ``body``; ``PeerProtocolError`` unless it is a ``message``."""
        try:
            value: msgspec.Struct = self.decoder.decode(body)
        except msgspec.DecodeError as error:
            raise PeerProtocolError(f"a peer's {self.name} does not match its type: {error}"
                                    ) from None
        return value

    def encode_reply(self, value: object) -> bytes:
        """``value`` as a reply body; ``WireTypeError`` unless it is of the declared type."""
        if not isinstance(value, self.reply_classes):
            raise WireTypeError(
                f"the reply to {self.name} is of type {type(value).__qualname__}, but "
                f"{_type_name(self.reply)} is declared (supervisors/cluster/declared.py)"
            )
        return _ENCODER.encode(value)

    def decode_reply(self, body: bytes | msgspec.Raw) -> Any:
        """The reply in ``body``; ``PeerProtocolError`` unless it is of the declared type."""
        try:
            return self.reply_decoder.decode(body)
        except msgspec.DecodeError as error:
            raise PeerProtocolError(
                f"a peer's reply to {self.name} does not match {_type_name(self.reply)}: {error}"
            ) from None


def _type_name(expression: Any) -> str:
    return expression.__qualname__ if isinstance(expression, type) else repr(expression)


def declare(name: str, message: type[msgspec.Struct], reply: Any) -> Declaration:
    """Declare that ``message`` crosses under ``name`` and is answered with a ``reply``.

    Builds the message's and the reply's decoders now, once.  Raises ``TypeError`` for a
    message that is not a msgspec Struct or a reply type msgspec cannot decode.
    """
    if not (isinstance(message, type) and issubclass(message, msgspec.Struct)):
        raise TypeError(f"{message!r} is not a msgspec Struct")
    return Declaration(
        name=name,
        message=message,
        reply=reply,
        decoder=msgspec.msgpack.Decoder(message),
        reply_decoder=msgspec.msgpack.Decoder(reply),
        reply_classes=_reply_classes(reply),
    )


class WireTypes:
    """The registry of declared message types, by type (to send) and by name (to read).

    Raises ``ValueError`` when two declarations share a name or a message type.
    """

    def __init__(self, declarations: Iterable[Declaration]) -> None:
        self._by_name: dict[str, Declaration] = {}
        self._by_type: dict[type, Declaration] = {}
        for declaration in declarations:
            if declaration.name in self._by_name:
                raise ValueError(f"the wire name {declaration.name!r} is declared twice")
            if declaration.message in self._by_type:
                raise ValueError(f"{declaration.message.__qualname__} is declared twice")
            self._by_name[declaration.name] = declaration
            self._by_type[declaration.message] = declaration

    def __iter__(self) -> Iterator[Declaration]:
        return iter(self._by_name.values())

    def __len__(self) -> int:
        return len(self._by_name)

    def encode_message(self, message: object) -> tuple[Declaration, bytes]:
        """The declaration of ``message``'s exact type and its body.

        Raises ``WireTypeError`` when that type is not declared (subclasses of a declared
        type are not: they would arrive as their base).
        """
        declaration = self._by_type.get(type(message))
        if declaration is None:
            raise WireTypeError(
                f"{type(message).__module__}.{type(message).__qualname__} may not cross "
                "between nodes: declare it in supervisors/cluster/declared.py"
            )
        return declaration, _ENCODER.encode(message)

    def decode_message(self, name: str, body: bytes | msgspec.Raw) -> tuple[Declaration, object]:
        """The declaration named ``name`` and the message in ``body``.

        Raises ``PeerProtocolError`` for an undeclared name or a body that does not match.
        """
        declaration = self._by_name.get(name)
        if declaration is None:
            raise PeerProtocolError(f"a peer sent a message of undeclared type {name[:80]!r}")
        return declaration, declaration.decode_message(body)


class RemoteError(msgspec.Struct, frozen=True, kw_only=True):
    """An error raised on the owner node, as plain data."""

    type: str
    message: str
    kind: str = ""
    id: str = ""
    code: str = ""
    retry_after: float | None = None
    detail: str = ""
    number: float = 0.0


def describe(error: BaseException) -> RemoteError:
    """Plain data for ``error`` (an exception the owner would have raised to a local asker)."""
    address = getattr(error, "address", None)
    kind, id = (address.kind, address.id) if isinstance(address, Address) else ("", "")
    match error:
        case DomainError():
            return RemoteError(type="domain", message=error.message, code=error.code.value,
                               retry_after=error.retry_after)
        case NotOwner():
            return RemoteError(type="not_owner", message=error.reason, kind=kind, id=id)
        case ActorStopped():
            return RemoteError(type="stopped", message=error.reason, kind=kind, id=id)
        case MailboxFull():
            return RemoteError(type="mailbox_full", message=str(error), kind=kind, id=id,
                               number=error.capacity)
        case AskTimeout():
            return RemoteError(type="timeout", message=str(error), kind=kind, id=id,
                               number=error.timeout)
        case ActorCrashed():
            return RemoteError(type="crashed", message=error.error_message, kind=kind, id=id,
                               code=error.message_type, detail=error.error_type)
        case DependencyUnavailable():
            return RemoteError(type="dependency", message=error.detail, kind=kind, id=id,
                               code=error.message_type, retry_after=error.retry_after,
                               detail="outcome_unknown" if error.outcome_unknown else "")
        case AskCycle():
            chain = ";".join(str(link) for link in error.chain)
            return RemoteError(type="cycle", message=str(error), detail=chain)
        case UnhandledMessage():
            return RemoteError(type="unhandled", message=str(error), kind=kind, id=id,
                               detail=error.message_type)
        case UnknownActorKind():
            return RemoteError(type="unknown_kind", message=str(error), kind=error.kind)
        case MessageRejected():
            return RemoteError(type="rejected", message=str(error))
        case PeerProtocolError() | WireTypeError():
            return RemoteError(type="wire", message=str(error))
        case _:
            return RemoteError(type="crashed", message=str(error), kind=kind, id=id,
                               detail=type(error).__name__)


def rebuild(error: RemoteError, address: Address) -> Exception:
    """The exception a local asker of ``address`` would have seen."""
    where = Address(error.kind, error.id) if error.kind else address
    match error.type:
        case "domain":
            try:
                code = ErrorCode(error.code)
            except ValueError:
                code = ErrorCode.INTERNAL
            return DomainError(code, error.message, retry_after=error.retry_after)
        case "not_owner":
            return NotOwner(where, error.message)
        case "stopped":
            return ActorStopped(where, error.message)
        case "mailbox_full":
            return MailboxFull(where, int(error.number))
        case "timeout":
            return AskTimeout(where, error.number)
        case "dependency":
            return DependencyUnavailable(
                where, error.code or "message", error.message,
                outcome_unknown=error.detail == "outcome_unknown",
                retry_after=error.retry_after or 1.0,
            )
        case "cycle":
            chain = tuple(Address(*link.split("/", 1)) for link in error.detail.split(";"))
            return AskCycle(chain)
        case "unhandled":
            unhandled = UnhandledMessage(where, None)
            unhandled.message_type = error.detail
            return unhandled
        case "unknown_kind":
            return UnknownActorKind(error.kind)
        case "rejected":
            return MessageRejected(error.message)
        case "wire":
            return WireTypeError(f"{address} refused over the cluster wire: {error.message}")
        case _:
            return ActorCrashed(where, error.code or "message", error.detail or "Exception",
                                error.message)
