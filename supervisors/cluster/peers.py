"""Outgoing links between nodes: :class:`Peers` forwards asks and tells to their owners.

One outgoing link per remote node, opened on first use and reopened after it breaks.
Every frame to a node goes through that link's bounded outbox and one writer task, so
frames leave in the order they were issued (per-sender order), batched into few writes.
Contracts:

* ``ask``, ``tell`` and ``tell_nowait`` raise ``WireTypeError`` for a message whose type
  is not declared (:mod:`supervisors.cluster.declared`), before any link is opened or
  anything is sent.
* ``ask`` raises :class:`PeerUnreachable` when no link could be opened (nothing was
  sent), including when the other node speaks another wire version
  (:class:`WireVersionMismatch`, logged once per node and version); once sent, a broken
  link fails the ask with ``ActorStopped`` (it may have been handled).  The owner's errors
  come back as the same exception types; a reply that does not match the type declared
  for the message fails the ask with ``WireTypeError``.
* ``tell_nowait`` raises ``MailboxFull`` when the link's outbox is full.
* The other end is :class:`supervisors.cluster.peer_server.PeerServer`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
import trio
from msgspec import Raw

from actors.runtime.errors import ActorStopped, MailboxFull
from actors.runtime.messages import ReplySlot
from actors.runtime.ref import Address
from storage.errors import StorageError
from storage.realtime import Members
from supervisors.cluster.codec import (
    Declaration,
    PeerProtocolError,
    WireTypeError,
    WireTypes,
    rebuild,
)
from supervisors.cluster.declared import DECLARED
from supervisors.cluster.wire import (
    WIRE_VERSION,
    Answer,
    Ask,
    Challenge,
    Frame,
    FrameStream,
    Hello,
    Tell,
    handshake_mac,
)

logger = logging.getLogger(__name__)

OUTBOX_CAPACITY = 4096
LINK_ERRORS = (OSError, trio.BrokenResourceError, trio.ClosedResourceError, PeerProtocolError)
"""What a broken or misbehaving link raises; handled where links are read or written."""
HANDSHAKE_SECONDS = 5.0


class PeerUnreachable(Exception):
    """No link to the node could be opened; nothing was sent."""

    def __init__(self, node_id: str, reason: str) -> None:
        super().__init__(f"node {node_id} is unreachable: {reason}")
        self.node_id = node_id
        self.reason = reason


class WireVersionMismatch(PeerUnreachable):
    """The node speaks another wire version (:data:`~supervisors.cluster.wire.WIRE_VERSION`);
    no link is made, so nothing is forwarded to it."""

    def __init__(self, node_id: str, version: int) -> None:
        super().__init__(node_id, f"it speaks cluster wire version {version}, "
                                  f"this node {WIRE_VERSION}")
        self.version = version


class PeerLinkStatus(msgspec.Struct, frozen=True, kw_only=True):
    """One outgoing link as this node sees it, for the status and the dashboard:
    ``up`` or ``broken`` (re-dialled on the next ask), how long it has been up, the asks
    waiting for the peer's answer and the frames queued for its writer."""

    node_id: str
    state: str
    up_for_s: float
    pending_asks: int
    queued_frames: int


class _Link:
    """One outgoing connection: an outbox, a writer, a reader and the pending asks."""

    def __init__(self, node_id: str) -> None:
        self.node_id = node_id
        self.outbox, self._queued = trio.open_memory_channel[Frame](OUTBOX_CAPACITY)
        self.pending: dict[int, tuple[ReplySlot, Address, Declaration]] = {}
        self.broken = False
        self.opened_at = trio.current_time()
        self._next_id = 0

    def status(self) -> PeerLinkStatus:
        """This link's figures now."""
        return PeerLinkStatus(
            node_id=self.node_id, state="broken" if self.broken else "up",
            up_for_s=round(trio.current_time() - self.opened_at, 1),
            pending_asks=len(self.pending),
            queued_frames=self.outbox.statistics().current_buffer_used,
        )

    def next_id(self) -> int:
        self._next_id += 1
        return self._next_id

    async def run(
        self, address: str, node_id: str, secret: str, *, task_status: trio.TaskStatus[None]
    ) -> None:
        host, _, port = address.rpartition(":")
        try:
            with trio.fail_after(HANDSHAKE_SECONDS):
                stream = FrameStream(await trio.open_tcp_stream(host, int(port)))
                challenge = await stream.receive()
                if not isinstance(challenge, Challenge):
                    raise PeerProtocolError("the peer did not send a challenge")
                mac = handshake_mac(secret, challenge.nonce, node_id)
                await stream.send(Hello(node_id, mac, WIRE_VERSION))
        except (OSError, trio.TooSlowError, PeerProtocolError) as error:
            self.broken = True
            raise PeerUnreachable(self.node_id, type(error).__name__) from None
        if challenge.version != WIRE_VERSION:
            self.broken = True
            with trio.CancelScope(shield=True):
                await stream.aclose()
            raise WireVersionMismatch(self.node_id, challenge.version)
        task_status.started()
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._write, stream, nursery.cancel_scope)
                await self._read(stream)
                nursery.cancel_scope.cancel()
        finally:
            self.broken = True
            self.outbox.close()
            for slot, target, _ in self.pending.values():
                slot.fail(ActorStopped(target, f"the link to node {self.node_id} broke"))
            self.pending.clear()
            with trio.CancelScope(shield=True):
                await stream.aclose()

    async def _write(self, stream: FrameStream, scope: trio.CancelScope) -> None:
        try:
            async with self._queued:
                async for frame in self._queued:
                    batch = [frame]
                    while len(batch) < 256:
                        try:
                            batch.append(self._queued.receive_nowait())
                        except trio.WouldBlock:
                            break
                    await stream.send_many(batch)
        except LINK_ERRORS as error:
            logger.warning("link to node %s broke while writing: %s", self.node_id, error)
        scope.cancel()

    async def _read(self, stream: FrameStream) -> None:
        try:
            await self._read_answers(stream)
        except LINK_ERRORS as error:
            logger.warning("link to node %s broke while reading: %s", self.node_id, error)

    async def _read_answers(self, stream: FrameStream) -> None:
        while (frame := await stream.receive()) is not None:
            if not isinstance(frame, Answer):
                raise PeerProtocolError(f"unexpected {type(frame).__name__} on a caller link")
            waiting = self.pending.pop(frame.id, None)
            if waiting is None:
                continue  # the asker gave up
            slot, target, declaration = waiting
            if frame.error is not None:
                slot.fail(rebuild(frame.error, target))
                continue
            try:
                slot.succeed(declaration.decode_reply(frame.body))
            except PeerProtocolError as error:
                logger.error("the reply of node %s to %s: %s", self.node_id, target, error)
                slot.fail(WireTypeError(f"{target} answered over the cluster wire: {error}"))


class Peers:
    """Outgoing links to the other nodes, found through :class:`storage.realtime.Members`."""

    def __init__(
        self, node_id: str, secret: str, members: Members, types: WireTypes = DECLARED
    ) -> None:
        self.node_id = node_id
        self._secret = secret
        self._members = members
        self._types = types
        self._mismatches: set[tuple[str, int]] = set()
        self._links: dict[str, _Link] = {}
        self._connecting: dict[str, trio.Lock] = {}
        self._nursery: trio.Nursery | None = None

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            task_status.started()
            await trio.sleep_forever()

    def link_statuses(self) -> tuple[PeerLinkStatus, ...]:
        """Every outgoing link this node has opened, by peer id."""
        return tuple(self._links[node_id].status() for node_id in sorted(self._links))

    def spawn(self, function: Callable[..., Awaitable[object]], *args: object) -> None:
        assert self._nursery is not None, "Peers.run first"
        self._nursery.start_soon(function, *args)

    async def _link(self, node_id: str) -> _Link:
        link = self._links.get(node_id)
        if link is not None and not link.broken:
            return link
        async with self._connecting.setdefault(node_id, trio.Lock()):
            link = self._links.get(node_id)
            if link is not None and not link.broken:
                return link
            address = await self._address(node_id)
            link = _Link(node_id)
            assert self._nursery is not None, "Peers.run first"
            try:
                await self._nursery.start(link.run, address, self.node_id, self._secret)
            except WireVersionMismatch as error:
                if (node_id, error.version) not in self._mismatches:
                    self._mismatches.add((node_id, error.version))
                    logger.error("refused to link to node %s: %s; nodes of different "
                                 "versions do not forward to each other (docs/CLUSTER.md)",
                                 node_id, error.reason)
                raise
            self._links[node_id] = link
            return link

    async def _address(self, node_id: str) -> str:
        try:
            records = await self._members.live()
        except StorageError as error:
            raise PeerUnreachable(node_id, f"membership unavailable: {error}") from None
        for record in records:
            if record.node_id == node_id:
                return record.peer_address
        raise PeerUnreachable(node_id, "not a live member")

    async def ask(
        self, node_id: str, address: Address, message: object, timeout: float,  # noqa: ASYNC109
        chain: tuple[Address, ...],
    ) -> Any:
        declaration, body = self._types.encode_message(message)
        link = await self._link(node_id)
        request_id = link.next_id()
        slot = ReplySlot()
        link.pending[request_id] = (slot, address, declaration)
        try:
            frame = Ask(request_id, address.kind, address.id, declaration.name, Raw(body),
                        timeout, tuple(str(link_address) for link_address in chain))
            try:
                await link.outbox.send(frame)
            except (trio.ClosedResourceError, trio.BrokenResourceError):
                raise PeerUnreachable(node_id, "the link closed") from None
            return await slot.wait()
        finally:
            link.pending.pop(request_id, None)

    def _tell_frame(self, address: Address, message: object) -> Tell:
        declaration, body = self._types.encode_message(message)
        return Tell(address.kind, address.id, declaration.name, Raw(body))

    async def tell(self, node_id: str, address: Address, message: object) -> None:
        await self._send_tell(node_id, self._tell_frame(address, message))

    async def _send_tell(self, node_id: str, frame: Tell) -> None:
        link = await self._link(node_id)
        try:
            await link.outbox.send(frame)
        except (trio.ClosedResourceError, trio.BrokenResourceError):
            raise PeerUnreachable(node_id, "the link closed") from None

    def tell_nowait(self, node_id: str, address: Address, message: object) -> None:
        frame = self._tell_frame(address, message)
        link = self._links.get(node_id)
        if link is None or link.broken:
            self.spawn(self._tell_logged, node_id, address, frame)
            return
        try:
            link.outbox.send_nowait(frame)
        except trio.WouldBlock:
            raise MailboxFull(address, OUTBOX_CAPACITY) from None
        except (trio.ClosedResourceError, trio.BrokenResourceError):
            self.spawn(self._tell_logged, node_id, address, frame)

    async def _tell_logged(self, node_id: str, address: Address, frame: Tell) -> None:
        try:
            await self._send_tell(node_id, frame)
        except PeerUnreachable as error:
            logger.warning("a tell to %s was dropped: %s", address, error)
