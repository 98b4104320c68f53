"""What crosses between nodes: actor messages, replies and errors.

Messages and replies are msgspec Structs, enums, records and builtins defined by this
code base, so they travel as pickles read by :class:`_AllowListUnpickler`: only classes
from this code base's message packages (and a short list of standard types) can be named
by a payload; functions and every other global are refused with :class:`PeerProtocolError`.
Peers are authenticated before any payload is read (:mod:`supervisors.cluster.wire`);
the allow-list is the second fence.

Errors travel as :class:`RemoteError` (a type tag and plain fields) and are rebuilt as the
same runtime or domain exception, so a caller cannot tell a forwarded ask from a local one.
"""

from __future__ import annotations

import io
import pickle
from typing import Any, Final

import msgspec

from actors.runtime.errors import (
    ActorCrashed,
    ActorStopped,
    AskCycle,
    AskTimeout,
    MailboxFull,
    MessageRejected,
    NotOwner,
    UnhandledMessage,
    UnknownActorKind,
)
from actors.runtime.ref import Address
from protocol.errors import ErrorCode
from services.errors import DomainError

_PACKAGES: Final = ("actors.", "protocol.", "storage.", "services.", "supervisors.")
_STANDARD: Final[dict[str, frozenset[str]]] = {
    "builtins": frozenset({"set", "frozenset", "bytearray", "complex", "slice", "range"}),
    "collections": frozenset({"OrderedDict", "deque"}),
    "datetime": frozenset({"datetime", "date", "time", "timedelta", "timezone"}),
    "decimal": frozenset({"Decimal"}),
    "msgspec._utils": frozenset({"rebuild"}),
    "copyreg": frozenset({"_reconstructor"}),
    "uuid": frozenset({"UUID"}),
}


class PeerProtocolError(Exception):
    """A peer sent something this node refuses to read (bad frame, forbidden global)."""


class _AllowListUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        allowed = _STANDARD.get(module)
        if allowed is not None and name in allowed:
            return super().find_class(module, name)
        if module.startswith(_PACKAGES) and "." not in name:
            found = super().find_class(module, name)
            if isinstance(found, type):
                return found
        raise PeerProtocolError(f"a peer payload names a forbidden global {module}.{name}")


def dump(value: object) -> bytes:
    """Serialise a message or reply value."""
    return pickle.dumps(value, protocol=5)


def load(data: bytes) -> Any:
    """Read a value written by :func:`dump` on a peer; raise ``PeerProtocolError``."""
    try:
        return _AllowListUnpickler(io.BytesIO(data)).load()
    except PeerProtocolError:
        raise
    except Exception as error:
        raise PeerProtocolError(f"unreadable peer payload: {type(error).__name__}") from None


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
        case _:
            return ActorCrashed(where, error.code or "message", error.detail or "Exception",
                                error.message)
