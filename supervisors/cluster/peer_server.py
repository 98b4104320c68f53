"""Incoming links: :class:`PeerServer` delivers other nodes' frames to local actors.

Contracts:

* A link must pass the shared-secret handshake (:mod:`supervisors.cluster.wire`), with
  this node's wire version, before any payload is read; a peer of another version is
  refused with a log line naming both versions.
* A frame naming a message type that is not declared, or whose body does not match its
  declared type, raises ``PeerProtocolError`` inside: an ask is answered with that error
  (a ``WireTypeError`` for the asker) and a tell is dropped with a warning; no actor sees
  anything of it.  A reply that is not of the type declared for its message is answered
  as a ``WireTypeError`` too (logged: the actor's declaration is wrong).
* Frames of one link are read one at a time, and each is put in the local mailbox before
  the next is read (waiting at most :data:`ENQUEUE_SECONDS` for room), so per-sender order
  survives the hop.  A message for an address this node does not own is refused with
  ``NotOwner``; the caller looks the owner up again.
* Every ask is answered, with the reply or the error the actor raised, unless the asker's
  deadline passed first.
"""

from __future__ import annotations

import functools
import hmac
import logging
import secrets
from typing import TYPE_CHECKING

import trio
from msgspec import Raw

from actors.runtime.errors import ActorError, ActorStopped, MailboxFull, NotOwner
from actors.runtime.messages import ReplySlot
from actors.runtime.ref import Address
from storage.errors import StorageError
from supervisors.cluster.codec import (
    Declaration,
    PeerProtocolError,
    WireTypeError,
    WireTypes,
    describe,
)
from supervisors.cluster.declared import DECLARED
from supervisors.cluster.peers import HANDSHAKE_SECONDS, LINK_ERRORS
from supervisors.cluster.wire import (
    WIRE_VERSION,
    Answer,
    Ask,
    Challenge,
    FrameStream,
    Hello,
    Tell,
    handshake_mac,
)

if TYPE_CHECKING:
    from supervisors.cluster.placement import Placement

logger = logging.getLogger(__name__)

ENQUEUE_SECONDS = 5.0
"""How long a forwarded message may wait for mailbox room before it is refused; the link
reads nothing else meanwhile (that is what keeps per-sender order)."""


def _chain_of(links: tuple[str, ...]) -> tuple[Address, ...]:
    return tuple(Address(*link.split("/", 1)) for link in links)


class PeerServer:
    """Accepts links from other nodes and delivers their frames to local actors."""

    def __init__(
        self, secret: str, placement: Placement, types: WireTypes = DECLARED
    ) -> None:
        self._secret = secret
        self._placement = placement
        self._types = types
        self.links = 0

    async def run(
        self, host: str, port: int, *, task_status: trio.TaskStatus[str] = trio.TASK_STATUS_IGNORED
    ) -> None:
        """Serve on ``host:port`` (0: any free port); report the bound ``host:port``."""
        async with trio.open_nursery() as nursery:
            listeners = await nursery.start(
                functools.partial(trio.serve_tcp, self._serve_link, port, host=host)
            )
            bound = listeners[0].socket.getsockname()
            task_status.started(f"{host}:{bound[1]}")

    async def _serve_link(self, raw: trio.SocketStream) -> None:
        stream = FrameStream(raw)
        try:
            peer = await self._handshake(stream)
            if peer is None:
                return
            self.links += 1
            async with trio.open_nursery() as nursery:
                try:
                    await self._serve_frames(stream, nursery)
                except LINK_ERRORS as error:
                    logger.warning("peer link from %s closed: %s", peer, error)
                nursery.cancel_scope.cancel()
        except LINK_ERRORS as error:
            logger.warning("peer link closed during the handshake: %s", error)
        finally:
            with trio.CancelScope(shield=True):
                await stream.aclose()

    async def _serve_frames(self, stream: FrameStream, nursery: trio.Nursery) -> None:
        while (frame := await stream.receive()) is not None:
            if isinstance(frame, Ask):
                await self._accept_ask(stream, frame, nursery)
            elif isinstance(frame, Tell):
                await self._accept_tell(frame)
            else:
                raise PeerProtocolError(f"unexpected {type(frame).__name__}")

    async def _handshake(self, stream: FrameStream) -> str | None:
        nonce = secrets.token_bytes(32)
        with trio.move_on_after(HANDSHAKE_SECONDS):
            await stream.send(Challenge(nonce, WIRE_VERSION))
            hello = await stream.receive()
            if isinstance(hello, Hello) and hmac.compare_digest(
                hello.mac, handshake_mac(self._secret, nonce, hello.node_id)
            ):
                if hello.version == WIRE_VERSION:
                    return hello.node_id
                logger.error(
                    "refused a link from node %s: it speaks cluster wire version %d, this node "
                    "%d; nodes of different versions do not forward to each other "
                    "(docs/CLUSTER.md)", hello.node_id, hello.version, WIRE_VERSION,
                )
                return None
        logger.warning("refused a peer link that failed the handshake")
        return None

    async def _accept_ask(self, stream: FrameStream, frame: Ask, nursery: trio.Nursery) -> None:
        address = Address(frame.kind, frame.actor_id)
        try:
            declaration, message = self._types.decode_message(frame.message_type, frame.body)
        except PeerProtocolError as error:
            logger.warning("refused an ask for %s: %s", address, error)
            await stream.send(Answer(frame.id, error=describe(error)))
            return
        try:
            slot = await self._enqueue(address, message, _chain_of(frame.chain), reply=True)
        except ActorError as error:
            await stream.send(Answer(frame.id, error=describe(error)))
            return
        assert slot is not None
        nursery.start_soon(self._answer, stream, frame, slot, address, declaration)

    async def _accept_tell(self, frame: Tell) -> None:
        address = Address(frame.kind, frame.actor_id)
        try:
            _, message = self._types.decode_message(frame.message_type, frame.body)
            await self._enqueue(address, message, (), reply=False)
        except (ActorError, PeerProtocolError) as error:
            logger.warning("a forwarded tell to %s was dropped: %s", address, error)

    async def _enqueue(
        self, address: Address, message: object, chain: tuple[Address, ...], *, reply: bool
    ) -> ReplySlot | None:
        placement = self._placement
        try:
            owner = await placement.owner(address)
        except StorageError as error:
            raise ActorStopped(address, f"the placement directory failed: {error}") from None
        if owner != placement.node_id:
            raise NotOwner(address, f"owned by node {owner}")
        with trio.move_on_after(ENQUEUE_SECONDS):
            return await placement.registry.enqueue(address, message, chain, reply=reply)
        raise MailboxFull(address, -1)  # full for too long: refuse rather than stall the link

    async def _answer(self, stream: FrameStream, frame: Ask, slot: ReplySlot,
                      address: Address, declaration: Declaration) -> None:
        with trio.move_on_after(frame.timeout):
            try:
                value = await slot.wait()
            except Exception as error:  # the owner's error travels back to the asker
                answer = Answer(frame.id, error=describe(error))
            else:
                try:
                    answer = Answer(frame.id, body=Raw(declaration.encode_reply(value)))
                except WireTypeError as error:
                    logger.error("the reply of %s cannot cross: %s", address, error)
                    answer = Answer(frame.id, error=describe(error))
            try:
                await stream.send(answer)
            except (OSError, trio.BrokenResourceError, trio.ClosedResourceError):
                logger.info("the asker of %s left before its answer", address)
