"""Links between nodes: :class:`Peers` forwards asks and tells, :class:`PeerServer` takes them.

One outgoing link per remote node, opened on first use and reopened after it breaks.
Every frame to a node goes through that link's bounded outbox and one writer task, so
frames leave in the order they were issued (per-sender order), batched into few writes.
Contracts:

* ``ask`` raises :class:`PeerUnreachable` when no link could be opened (nothing was
  sent); once sent, a broken link fails the ask with ``ActorStopped`` (it may have been
  handled).  The owner's errors come back as the same exception types.
* ``tell_nowait`` raises ``MailboxFull`` when the link's outbox is full.
* The server reads a link's frames one at a time and enqueues each into the local
  mailbox before reading the next (waiting for room), so order survives the hop.
"""

from __future__ import annotations

import functools
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import trio

from actors.errors import ActorError, ActorStopped, MailboxFull, NotOwner
from actors.messages import ReplySlot
from actors.ref import Address
from storage.errors import StorageError
from storage.realtime import Members
from supervisors.cluster.codec import PeerProtocolError, describe, dump, load, rebuild
from supervisors.cluster.wire import (
    Answer,
    Ask,
    Challenge,
    Frame,
    FrameStream,
    Hello,
    Tell,
    handshake_mac,
)

if TYPE_CHECKING:
    from supervisors.cluster.placement import Placement

logger = logging.getLogger(__name__)

OUTBOX_CAPACITY = 4096
_LINK_ERRORS = (OSError, trio.BrokenResourceError, trio.ClosedResourceError, PeerProtocolError)
HANDSHAKE_SECONDS = 5.0
ENQUEUE_SECONDS = 5.0
"""How long a forwarded message may wait for mailbox room before it is refused; the link
reads nothing else meanwhile (that is what keeps per-sender order)."""


class PeerUnreachable(Exception):
    """No link to the node could be opened; nothing was sent."""

    def __init__(self, node_id: str, reason: str) -> None:
        super().__init__(f"node {node_id} is unreachable: {reason}")
        self.node_id = node_id
        self.reason = reason


def _chain_of(links: tuple[str, ...]) -> tuple[Address, ...]:
    return tuple(Address(*link.split("/", 1)) for link in links)


class _Link:
    """One outgoing connection: an outbox, a writer, a reader and the pending asks."""

    def __init__(self, node_id: str) -> None:
        self.node_id = node_id
        self.outbox, self._queued = trio.open_memory_channel[Frame](OUTBOX_CAPACITY)
        self.pending: dict[int, tuple[ReplySlot, Address]] = {}
        self.broken = False
        self._next_id = 0

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
                await stream.send(Hello(node_id, handshake_mac(secret, challenge.nonce, node_id)))
        except (OSError, trio.TooSlowError, PeerProtocolError) as error:
            self.broken = True
            raise PeerUnreachable(self.node_id, type(error).__name__) from None
        task_status.started()
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._write, stream, nursery.cancel_scope)
                await self._read(stream)
                nursery.cancel_scope.cancel()
        finally:
            self.broken = True
            self.outbox.close()
            for slot, target in self.pending.values():
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
        except _LINK_ERRORS as error:
            logger.warning("link to node %s broke while writing: %s", self.node_id, error)
        scope.cancel()

    async def _read(self, stream: FrameStream) -> None:
        try:
            await self._read_answers(stream)
        except _LINK_ERRORS as error:
            logger.warning("link to node %s broke while reading: %s", self.node_id, error)

    async def _read_answers(self, stream: FrameStream) -> None:
        while (frame := await stream.receive()) is not None:
            if not isinstance(frame, Answer):
                raise PeerProtocolError(f"unexpected {type(frame).__name__} on a caller link")
            waiting = self.pending.pop(frame.id, None)
            if waiting is None:
                continue  # the asker gave up
            slot, target = waiting
            if frame.error is not None:
                slot.fail(rebuild(frame.error, target))
                continue
            try:
                slot.succeed(load(frame.body or b""))
            except PeerProtocolError as error:
                slot.fail(ActorStopped(target, str(error)))


class Peers:
    """Outgoing links to the other nodes, found through :class:`storage.realtime.Members`."""

    def __init__(self, node_id: str, secret: str, members: Members) -> None:
        self.node_id = node_id
        self._secret = secret
        self._members = members
        self._links: dict[str, _Link] = {}
        self._connecting: dict[str, trio.Lock] = {}
        self._nursery: trio.Nursery | None = None

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            task_status.started()
            await trio.sleep_forever()

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
            await self._nursery.start(link.run, address, self.node_id, self._secret)
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
        link = await self._link(node_id)
        request_id = link.next_id()
        slot = ReplySlot()
        link.pending[request_id] = (slot, address)
        try:
            frame = Ask(request_id, address.kind, address.id, dump(message), timeout,
                        tuple(str(link_address) for link_address in chain))
            try:
                await link.outbox.send(frame)
            except (trio.ClosedResourceError, trio.BrokenResourceError):
                raise PeerUnreachable(node_id, "the link closed") from None
            return await slot.wait()
        finally:
            link.pending.pop(request_id, None)

    async def tell(self, node_id: str, address: Address, message: object) -> None:
        link = await self._link(node_id)
        try:
            await link.outbox.send(Tell(address.kind, address.id, dump(message)))
        except (trio.ClosedResourceError, trio.BrokenResourceError):
            raise PeerUnreachable(node_id, "the link closed") from None

    def tell_nowait(self, node_id: str, address: Address, message: object) -> None:
        link = self._links.get(node_id)
        if link is None or link.broken:
            self.spawn(self._tell_logged, node_id, address, message)
            return
        try:
            link.outbox.send_nowait(Tell(address.kind, address.id, dump(message)))
        except trio.WouldBlock:
            raise MailboxFull(address, OUTBOX_CAPACITY) from None
        except (trio.ClosedResourceError, trio.BrokenResourceError):
            self.spawn(self._tell_logged, node_id, address, message)

    async def _tell_logged(self, node_id: str, address: Address, message: object) -> None:
        try:
            await self.tell(node_id, address, message)
        except PeerUnreachable as error:
            logger.warning("a tell to %s was dropped: %s", address, error)


class PeerServer:
    """Accepts links from other nodes and delivers their frames to local actors."""

    def __init__(self, secret: str, placement: Placement) -> None:
        self._secret = secret
        self._placement = placement
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
                except _LINK_ERRORS as error:
                    logger.warning("peer link from %s closed: %s", peer, error)
                nursery.cancel_scope.cancel()
        except _LINK_ERRORS as error:
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
            await stream.send(Challenge(nonce))
            hello = await stream.receive()
            if isinstance(hello, Hello) and hmac.compare_digest(
                hello.mac, handshake_mac(self._secret, nonce, hello.node_id)
            ):
                return hello.node_id
        logger.warning("refused a peer link that failed the handshake")
        return None

    async def _accept_ask(self, stream: FrameStream, frame: Ask, nursery: trio.Nursery) -> None:
        address = Address(frame.kind, frame.actor_id)
        try:
            message = load(frame.body)
            slot = await self._enqueue(address, message, _chain_of(frame.chain), reply=True)
        except (ActorError, PeerProtocolError) as error:
            await stream.send(Answer(frame.id, error=describe(error)))
            return
        assert slot is not None
        nursery.start_soon(self._answer, stream, frame, slot, address)

    async def _accept_tell(self, frame: Tell) -> None:
        address = Address(frame.kind, frame.actor_id)
        try:
            await self._enqueue(address, load(frame.body), (), reply=False)
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
                      address: Address) -> None:
        with trio.move_on_after(frame.timeout):
            try:
                value = await slot.wait()
            except Exception as error:  # the owner's error travels back to the asker
                answer = Answer(frame.id, error=describe(error))
            else:
                answer = Answer(frame.id, body=dump(value))
            try:
                await stream.send(answer)
            except (OSError, trio.BrokenResourceError, trio.ClosedResourceError):
                logger.info("the asker of %s left before its answer", address)
