"""Node-to-node payloads: allow-listed unpickling, errors as data, framing limits."""

from __future__ import annotations

import pickle

import pytest
import trio
import trio.testing

from actors.chat.commands import PostMessage, ReactToMessage
from actors.runtime.errors import ActorCrashed, AskTimeout, MailboxFull, NotOwner
from actors.runtime.ref import Address
from protocol.enums import ReactionAction
from protocol.errors import ErrorCode
from services.errors import DomainError
from supervisors.cluster.codec import PeerProtocolError, describe, dump, load, rebuild
from supervisors.cluster.wire import MAX_FRAME, Ask, FrameStream, Hello, handshake_mac

ROOM = Address("chat_room", "r1")


def test_messages_round_trip() -> None:
    message = ReactToMessage(user_id="u", message_id="m", emoji="🎉",
                             action=ReactionAction.REMOVE)
    assert load(dump(message)) == message
    assert load(dump([PostMessage(user_id="u", text="hi", nonce="n"), None, 3])) == [
        PostMessage(user_id="u", text="hi", nonce="n"), None, 3
    ]


class Boom:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        import os

        return (os.system, ("true",))


def test_payloads_naming_other_globals_are_refused() -> None:
    with pytest.raises(PeerProtocolError):
        load(pickle.dumps(Boom()))
    with pytest.raises(PeerProtocolError):
        load(pickle.dumps(load))  # a function, even from an allowed package
    with pytest.raises(PeerProtocolError):
        load(b"not a pickle")


@pytest.mark.parametrize(
    "error",
    [
        DomainError(ErrorCode.RATE_LIMITED, "slow down", retry_after=1.5),
        NotOwner(ROOM, "owned by node-b"),
        MailboxFull(ROOM, 256),
        AskTimeout(ROOM, 5.0),
        ActorCrashed(ROOM, "PostMessage", "KeyError", "'x'"),
    ],
)
def test_errors_cross_as_the_same_type(error: Exception) -> None:
    rebuilt = rebuild(describe(error), ROOM)
    assert type(rebuilt) is type(error)
    assert str(rebuilt) == str(error)
    if isinstance(error, DomainError):
        assert isinstance(rebuilt, DomainError)
        assert (rebuilt.code, rebuilt.retry_after) == (error.code, error.retry_after)


def test_an_unexpected_error_arrives_as_a_crash() -> None:
    rebuilt = rebuild(describe(RuntimeError("bug")), ROOM)
    assert isinstance(rebuilt, ActorCrashed) and rebuilt.error_type == "RuntimeError"


def test_the_handshake_mac_depends_on_secret_nonce_and_node() -> None:
    mac = handshake_mac("s" * 32, b"nonce", "node-a")
    assert mac == handshake_mac("s" * 32, b"nonce", "node-a")
    assert mac != handshake_mac("t" * 32, b"nonce", "node-a")
    assert mac != handshake_mac("s" * 32, b"other", "node-a")
    assert mac != handshake_mac("s" * 32, b"nonce", "node-b")


async def test_frames_round_trip_and_oversized_frames_are_refused() -> None:
    left, right = trio.testing.memory_stream_pair()
    sender, receiver = FrameStream(left), FrameStream(right)
    frames = [Hello("node-a", b"mac"), Ask(1, "chat_room", "r1", dump("x"), 5.0, ("user/u",))]
    await sender.send_many(frames)
    assert [await receiver.receive(), await receiver.receive()] == frames
    await left.send_all((MAX_FRAME + 1).to_bytes(4, "big"))
    with pytest.raises(PeerProtocolError):
        await receiver.receive()
    await sender.aclose()
