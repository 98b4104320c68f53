"""Two nodes in one process over real loopback links: declared types cross, undeclared ones
are refused by the sender and by the receiver without reaching any actor, and a peer of
another wire version is refused at the handshake."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import logging
from collections.abc import AsyncIterator

import msgspec
import pytest
import trio

from actors.runtime.actor import Actor, ActorContext
from actors.runtime.errors import ActorStopped
from actors.runtime.ref import Address
from storage.realtime.leases import MemoryLeaseTable, MemoryMembers, NodeRecord
from supervisors import ActorKind, Registry, open_registry
from supervisors.cluster.codec import WireTypeError, WireTypes, declare
from supervisors.cluster.peer_server import PeerServer
from supervisors.cluster.peers import Peers, PeerUnreachable, WireVersionMismatch
from supervisors.cluster.placement import Placement
from supervisors.cluster.wire import (
    NIL,
    WIRE_VERSION,
    Answer,
    Ask,
    Challenge,
    FrameStream,
    Hello,
    handshake_mac,
)

SECRET = "links-test-secret-" + "s" * 24
LEASE = 30.0
COUNTER = Address("counter", "c1")


class Add(msgspec.Struct, frozen=True):
    amount: int


class Get(msgspec.Struct, frozen=True):
    pass


class Forgotten(msgspec.Struct, frozen=True):
    """Declared on the asking node only, so the owner refuses it."""


COMMON = [declare("Add", Add, int), declare("Get", Get, int)]


@dataclasses.dataclass
class Seen:
    """Every message the owner's counter actors were handed."""

    messages: list[object] = dataclasses.field(default_factory=list)


class Counter(Actor):
    __slots__ = ("seen", "total")

    def __init__(self, context: ActorContext, seen: Seen) -> None:
        super().__init__(context)
        self.seen = seen
        self.total = 0

    async def on_receive(self, message: object) -> object:
        self.seen.messages.append(message)
        match message:
            case Add(amount=amount):
                self.total += amount
                return self.total
            case Get():
                return self.total
            case _:
                return "handled"


@dataclasses.dataclass
class Pair:
    """Node A (asks through its placement) and node B (owns ``COUNTER``)."""

    a: Registry
    peers_a: Peers
    seen_b: Seen
    server_b: PeerServer
    address_b: str


@contextlib.asynccontextmanager
async def two_nodes(
    types_a: WireTypes, types_b: WireTypes
) -> AsyncIterator[Pair]:
    leases = MemoryLeaseTable(trio.current_time)
    members = MemoryMembers(trio.current_time)
    seen_b, seen_a = Seen(), Seen()
    async with (
        open_registry([ActorKind("counter", lambda context: Counter(context, seen_b))]) as b,
        open_registry([ActorKind("counter", lambda context: Counter(context, seen_a))]) as a,
        trio.open_nursery() as nursery,
    ):
        peers_b = Peers("node-b", SECRET, members, types_b)
        placement_b = Placement("node-b", leases, peers_b, lease_seconds=LEASE)
        b.attach_placement(placement_b)
        server_b = PeerServer(SECRET, placement_b, types_b)
        address_b: str = await nursery.start(server_b.run, "127.0.0.1", 0)
        await members.heartbeat(
            NodeRecord(node_id="node-b", peer_address=address_b, http_url="", started_at=0.0),
            LEASE,
        )
        assert await placement_b.owner(COUNTER) == "node-b"
        peers_a = Peers("node-a", SECRET, members, types_a)
        await nursery.start(peers_a.run)
        a.attach_placement(Placement("node-a", leases, peers_a, lease_seconds=LEASE))
        yield Pair(a, peers_a, seen_b, server_b, address_b)
        assert seen_a.messages == [], "node A never serves the counter"
        nursery.cancel_scope.cancel()


async def test_declared_asks_and_tells_cross_and_keep_their_order() -> None:
    async with two_nodes(WireTypes(COMMON), WireTypes(COMMON)) as pair:
        counter = pair.a.ref(COUNTER.kind, COUNTER.id)
        assert await counter.ask(Add(2)) == 2
        await counter.tell(Add(3))
        counter.tell_nowait(Add(4))
        assert await counter.ask(Get()) == 9
        assert pair.seen_b.messages == [Add(2), Add(3), Add(4), Get()]


async def test_the_sender_refuses_an_undeclared_type_before_linking() -> None:
    async with two_nodes(WireTypes(COMMON), WireTypes(COMMON)) as pair:
        counter = pair.a.ref(COUNTER.kind, COUNTER.id)
        with pytest.raises(WireTypeError, match="Forgotten may not cross between nodes"):
            await counter.ask(Forgotten())
        with pytest.raises(WireTypeError):
            await counter.tell(Forgotten())
        with pytest.raises(WireTypeError):
            await pair.peers_a.ask("node-b", COUNTER, Forgotten(), 5.0, ())
        with pytest.raises(WireTypeError):
            pair.peers_a.tell_nowait("node-b", COUNTER, Forgotten())
        assert pair.server_b.links == 0, "nothing was sent, not even a handshake"
        assert pair.seen_b.messages == []


async def test_the_receiver_refuses_a_type_it_does_not_declare(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sender_types = WireTypes([*COMMON, declare("Forgotten", Forgotten, str)])
    async with two_nodes(sender_types, WireTypes(COMMON)) as pair:
        counter = pair.a.ref(COUNTER.kind, COUNTER.id)
        with pytest.raises(WireTypeError, match="undeclared type 'Forgotten'"):
            await counter.ask(Forgotten())
        await counter.tell(Forgotten())
        assert await counter.ask(Add(1)) == 1  # the link survives; the tell was dropped
        assert pair.seen_b.messages == [Add(1)]
    assert "a forwarded tell to counter/c1 was dropped" in caplog.text


async def test_replies_must_be_of_the_declared_type_on_both_sides() -> None:
    says_str = WireTypes([declare("Add", Add, int), declare("Get", Get, str)])
    async with two_nodes(says_str, WireTypes(COMMON)) as pair:
        counter = pair.a.ref(COUNTER.kind, COUNTER.id)
        with pytest.raises(WireTypeError, match="does not match"):
            await counter.ask(Get())  # the owner sends an int; the asker reads a str
    async with two_nodes(says_str, says_str) as pair:
        counter = pair.a.ref(COUNTER.kind, COUNTER.id)
        with pytest.raises(WireTypeError, match="the reply to Get is of type int"):
            await counter.ask(Get())  # the owner refuses to send an int declared str
        assert pair.seen_b.messages == [Get()]


@contextlib.asynccontextmanager
async def raw_link(address: str, *, node_id: str = "node-x",
                   version: int = WIRE_VERSION) -> AsyncIterator[FrameStream]:
    """A hand-made caller: dials ``address`` and answers the challenge with ``version``."""
    host, _, port = address.rpartition(":")
    stream = FrameStream(await trio.open_tcp_stream(host, int(port)))
    try:
        challenge = await stream.receive()
        assert isinstance(challenge, Challenge) and challenge.version == WIRE_VERSION
        await stream.send(Hello(node_id, handshake_mac(SECRET, challenge.nonce, node_id),
                                version))
        yield stream
    finally:
        await stream.aclose()


async def test_a_body_that_does_not_match_its_declared_type_is_refused() -> None:
    async with two_nodes(WireTypes(COMMON), WireTypes(COMMON)) as pair:
        async with raw_link(pair.address_b) as stream:
            bad = msgspec.msgpack.encode({"amount": "two"})
            await stream.send(Ask(1, COUNTER.kind, COUNTER.id, "Add", msgspec.Raw(bad), 5.0))
            not_a_map = msgspec.msgpack.encode(["an", "array"])
            await stream.send(Ask(2, COUNTER.kind, COUNTER.id, "Add", msgspec.Raw(not_a_map), 5.0))
            await stream.send(Ask(3, COUNTER.kind, COUNTER.id, "os.system", NIL, 5.0))
            answers = [await stream.receive() for _ in range(3)]
            await stream.send(Ask(4, COUNTER.kind, COUNTER.id, "Add",
                                  msgspec.Raw(msgspec.msgpack.encode(Add(5))), 5.0))
            good = await stream.receive()
        assert all(isinstance(answer, Answer) and answer.error is not None
                   and answer.error.type == "wire" for answer in answers), answers
        assert isinstance(good, Answer) and good.error is None
        assert msgspec.msgpack.decode(good.body) == 5
        assert pair.seen_b.messages == [Add(5)]


async def test_a_caller_of_another_version_is_refused_at_the_handshake(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR)
    async with two_nodes(WireTypes(COMMON), WireTypes(COMMON)) as pair:
        async with raw_link(pair.address_b, version=WIRE_VERSION + 1) as stream:
            assert await stream.receive() is None  # closed right after the hello
        assert pair.server_b.links == 0 and pair.seen_b.messages == []
    assert (f"refused a link from node node-x: it speaks cluster wire version "
            f"{WIRE_VERSION + 1}, this node {WIRE_VERSION}") in caplog.text


class ChallengeBeforeVersions(msgspec.Struct, frozen=True, tag="challenge"):
    """What a node from before wire versions sends first."""

    nonce: bytes


@pytest.mark.parametrize("sent", [ChallengeBeforeVersions(b"n" * 32),
                                  Challenge(b"n" * 32, WIRE_VERSION + 1)])
async def test_an_owner_of_another_version_is_refused_at_the_handshake(
    caplog: pytest.LogCaptureFixture, sent: msgspec.Struct,
) -> None:
    caplog.set_level(logging.ERROR)
    version = getattr(sent, "version", 0)

    async def other_version(raw: trio.SocketStream) -> None:
        async with raw:
            data = msgspec.msgpack.encode(sent)
            await raw.send_all(len(data).to_bytes(4, "big") + data)
            stream = FrameStream(raw)
            hello = await stream.receive()
            assert isinstance(hello, Hello) and hello.version == WIRE_VERSION
            assert await stream.receive() is None  # the caller hung up

    members = MemoryMembers(trio.current_time)
    async with trio.open_nursery() as nursery:
        listeners = await nursery.start(
            functools.partial(trio.serve_tcp, other_version, 0, host="127.0.0.1")
        )
        port = listeners[0].socket.getsockname()[1]
        await members.heartbeat(NodeRecord(node_id="node-old", peer_address=f"127.0.0.1:{port}",
                                           http_url="", started_at=0.0), LEASE)
        peers = Peers("node-a", SECRET, members, WireTypes(COMMON))
        await nursery.start(peers.run)
        for _ in range(2):
            with pytest.raises(WireVersionMismatch) as refused:
                await peers.ask("node-old", COUNTER, Get(), 5.0, ())
            assert isinstance(refused.value, PeerUnreachable)
            assert refused.value.version == version
        leases = MemoryLeaseTable(trio.current_time)
        await leases.acquire("counter/c1", "node-old", LEASE)
        placement = Placement("node-a", leases, peers, lease_seconds=LEASE)
        with pytest.raises(ActorStopped, match=f"cluster wire version {version}"):
            await placement.request(COUNTER, Get(), 5.0, ())
        nursery.cancel_scope.cancel()
    refusals = [record for record in caplog.records
                if record.message.startswith("refused to link to node node-old")]
    assert len(refusals) == 1, "logged once per node and version"
    assert (f"it speaks cluster wire version {version}, this node {WIRE_VERSION}"
            in refusals[0].message)

