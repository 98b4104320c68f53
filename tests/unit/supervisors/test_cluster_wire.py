"""Node-to-node payloads: declared types only, on both sides; errors as data; framing and
the versioned handshake frames."""

from __future__ import annotations

import dataclasses
from typing import Literal

import msgspec
import pytest
import trio
import trio.testing

from actors.chat.commands import PostMessage, ReactToMessage
from actors.community.topic_commands import AnswerInvitation, ListBans
from actors.runtime.errors import (
    ActorCrashed,
    ActorError,
    AskTimeout,
    DependencyUnavailable,
    MailboxFull,
    NotOwner,
)
from actors.runtime.ref import Address
from protocol.control_frames import MessageAccepted
from protocol.enums import ReactionAction
from protocol.errors import ErrorCode
from services.errors import DomainError
from services.principal import Principal
from storage.records import Ban, Membership
from supervisors.cluster.codec import (
    PeerProtocolError,
    WireTypeError,
    WireTypes,
    declare,
    describe,
    rebuild,
)
from supervisors.cluster.declared import DECLARED
from supervisors.cluster.wire import (
    MAX_FRAME,
    NIL,
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

ROOM = Address("chat_room", "r1")
POST = PostMessage(user_id="u", text="hi", nonce="n")
BY = Principal(user_id="u", session_id="s")
ACCEPTED = MessageAccepted(channel="chat_room:r1", seq=3, message_id="m3")


def test_a_declared_message_and_its_reply_round_trip() -> None:
    declaration, body = DECLARED.encode_message(POST)
    assert declaration.name == "PostMessage"
    assert DECLARED.decode_message("PostMessage", body) == (declaration, POST)
    assert declaration.decode_reply(declaration.encode_reply(ACCEPTED)) == ACCEPTED
    react = ReactToMessage(user_id="u", message_id="m", emoji="🎉",
                           action=ReactionAction.REMOVE)
    assert DECLARED.decode_message("ReactToMessage", DECLARED.encode_message(react)[1])[1] == react


class Undeclared(msgspec.Struct, frozen=True):
    text: str = ""


class PostSubclass(PostMessage, frozen=True, kw_only=True):
    extra: str = ""


@dataclasses.dataclass
class PlainData:
    text: str


@pytest.mark.parametrize(
    "message",
    [Undeclared(), PostSubclass(user_id="u", text="t"), PlainData("t"), "a string", None, 3],
)
def test_the_sender_refuses_an_undeclared_type(message: object) -> None:
    with pytest.raises(WireTypeError, match="may not cross between nodes") as refused:
        DECLARED.encode_message(message)
    assert isinstance(refused.value, TypeError) and isinstance(refused.value, ActorError)


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("Undeclared", msgspec.msgpack.encode(Undeclared())),
        ("os.system", msgspec.msgpack.encode("true")),
        ("PostMessage", msgspec.msgpack.encode(ReactToMessage(user_id="u", message_id="m",
                                                              emoji="x"))),
        ("PostMessage", msgspec.msgpack.encode({"user_id": "u", "text": 3})),
        ("PostMessage", msgspec.msgpack.encode(["u", "hi"])),
        ("PostMessage", b"\x80\x03trailing"),
        ("PostMessage", b""),
    ],
)
def test_the_receiver_refuses_undeclared_names_and_mismatched_bodies(name: str,
                                                                    body: bytes) -> None:
    with pytest.raises(PeerProtocolError):
        DECLARED.decode_message(name, body)


def test_replies_are_checked_against_the_declared_reply_type() -> None:
    post = DECLARED.encode_message(POST)[0]
    with pytest.raises(WireTypeError, match="the reply to PostMessage is of type str"):
        post.encode_reply("not an acknowledgement")
    with pytest.raises(PeerProtocolError):
        post.decode_reply(msgspec.msgpack.encode("not an acknowledgement"))
    answer = DECLARED.encode_message(AnswerInvitation(by=BY, accept=False))[0]
    member = Membership(scope_id="t", user_id="u", role="member", joined_at=1.0)
    assert answer.decode_reply(answer.encode_reply(None)) is None
    assert answer.decode_reply(answer.encode_reply(member)) == member
    bans = DECLARED.encode_message(ListBans(by=BY))[0]
    ban = Ban(scope_id="t", user_id="u", banned_by="o", reason="spam", created_at=1.0)
    assert bans.decode_reply(bans.encode_reply([ban])) == [ban]
    with pytest.raises(PeerProtocolError):
        bans.decode_reply(msgspec.msgpack.encode([member]))


def test_declarations_are_checked_when_built() -> None:
    with pytest.raises(TypeError):
        declare("Plain", PlainData, None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        declare("Odd", Undeclared, Literal[1, 2])
    with pytest.raises(ValueError, match="declared twice"):
        WireTypes([declare("A", Undeclared, None), declare("A", PostMessage, None)])
    with pytest.raises(ValueError, match="declared twice"):
        WireTypes([declare("A", Undeclared, None), declare("B", Undeclared, None)])


@pytest.mark.parametrize(
    "error",
    [
        DomainError(ErrorCode.RATE_LIMITED, "slow down", retry_after=1.5),
        NotOwner(ROOM, "owned by node-b"),
        MailboxFull(ROOM, 256),
        AskTimeout(ROOM, 5.0),
        ActorCrashed(ROOM, "PostMessage", "KeyError", "'x'"),
        DependencyUnavailable(
            ROOM, "PostMessage", "mongo: no answer within 1.5 s", outcome_unknown=True,
            retry_after=0.25,
        ),
    ],
)
def test_errors_cross_as_the_same_type(error: Exception) -> None:
    rebuilt = rebuild(describe(error), ROOM)
    assert type(rebuilt) is type(error)
    assert str(rebuilt) == str(error)
    if isinstance(error, DomainError):
        assert isinstance(rebuilt, DomainError)
        assert (rebuilt.code, rebuilt.retry_after) == (error.code, error.retry_after)
    if isinstance(error, DependencyUnavailable):
        assert isinstance(rebuilt, DependencyUnavailable)
        assert (rebuilt.outcome_unknown, rebuilt.retry_after) == (True, 0.25)


def test_an_unexpected_error_arrives_as_a_crash() -> None:
    rebuilt = rebuild(describe(RuntimeError("bug")), ROOM)
    assert isinstance(rebuilt, ActorCrashed) and rebuilt.error_type == "RuntimeError"


@pytest.mark.parametrize(
    "error", [PeerProtocolError("undeclared type 'X'"), WireTypeError("the reply is off")]
)
def test_a_refusal_by_the_owners_wire_arrives_as_a_wire_type_error(error: Exception) -> None:
    rebuilt = rebuild(describe(error), ROOM)
    assert isinstance(rebuilt, WireTypeError)
    assert str(error) in str(rebuilt) and "chat_room/r1" in str(rebuilt)


def test_the_handshake_mac_depends_on_secret_nonce_and_node() -> None:
    mac = handshake_mac("s" * 32, b"nonce", "node-a")
    assert mac == handshake_mac("s" * 32, b"nonce", "node-a")
    assert mac != handshake_mac("t" * 32, b"nonce", "node-a")
    assert mac != handshake_mac("s" * 32, b"other", "node-a")
    assert mac != handshake_mac("s" * 32, b"nonce", "node-b")


class HelloBeforeVersions(msgspec.Struct, frozen=True, tag="hello"):
    node_id: str
    mac: bytes


async def test_frames_round_trip_and_bad_frames_are_refused() -> None:
    left, right = trio.testing.memory_stream_pair()
    sender, receiver = FrameStream(left), FrameStream(right)
    body = msgspec.Raw(DECLARED.encode_message(POST)[1])
    frames: list[Frame] = [
        Challenge(b"nonce", WIRE_VERSION),
        Hello("node-a", b"mac", WIRE_VERSION),
        Ask(1, "chat_room", "r1", "PostMessage", body, 5.0, ("user/u",)),
        Tell("chat_room", "r1", "PostMessage", body),
        Answer(1, body=msgspec.Raw(msgspec.msgpack.encode(ACCEPTED))),
        Answer(2, error=describe(MailboxFull(ROOM, 1))),
    ]
    await sender.send_many(frames)
    received = [await receiver.receive() for _ in frames]
    assert received == frames
    assert isinstance(received[-1], Answer) and received[-1].body == NIL
    old = msgspec.msgpack.encode(HelloBeforeVersions("node-old", b"mac"))
    await left.send_all(len(old).to_bytes(4, "big") + old)
    assert await receiver.receive() == Hello("node-old", b"mac", 0)
    await left.send_all((3).to_bytes(4, "big") + b"\xc1\xc1\xc1")
    with pytest.raises(PeerProtocolError, match="malformed"):
        await receiver.receive()
    await left.send_all((MAX_FRAME + 1).to_bytes(4, "big"))
    with pytest.raises(PeerProtocolError):
        await receiver.receive()
    await sender.aclose()
