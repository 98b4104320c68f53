"""Fakes of a connection session's surroundings: the transport, authenticator, a room's
channel access and the frame router (not a test module).

The session tests drive :class:`actors.realtime.session.ConnectionSession` with these; the
test is the peer of :class:`FakeTransport`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from typing import Any

import trio

from actors.realtime.hub import Hub
from actors.realtime.ports import Replay
from protocol.broadcast import BroadcastFrame
from protocol.chat_events import MessageCreated
from protocol.client_frames import ClientFrame, SendMessage
from protocol.control_frames import MessageAccepted
from protocol.errors import ErrorCode
from protocol.payloads import ChatMessage
from protocol.server_frames import ServerFrame
from services.errors import DomainError
from services.principal import Principal

ALICE = Principal(user_id="alice", session_id="s-alice")
CHANNEL = "chat_room:r1"


class FakeTransport:
    """A WebSocket whose peer is the test: it pushes messages and reads what was sent."""

    def __init__(self, *, blocked: bool = False, inbound_capacity: int = 100) -> None:
        self._inbound_send, self._inbound_receive = trio.open_memory_channel[str | None](
            inbound_capacity
        )
        self.sent: list[dict[str, Any]] = []
        self.closed_with: int | None = None
        self.closed = trio.Event()
        self.unblock = trio.Event()
        if not blocked:
            self.unblock.set()
        self.new_frame = trio.Event()

    def push(self, frame: dict[str, Any] | str) -> None:
        self._inbound_send.send_nowait(frame if isinstance(frame, str) else json.dumps(frame))

    def disconnect(self) -> None:
        self._inbound_send.send_nowait(None)

    async def receive(self) -> str | bytes | None:
        return await self._inbound_receive.receive()

    async def send(self, data: str | bytes) -> None:
        await self.unblock.wait()
        self.sent.append(json.loads(data))
        self.new_frame.set()
        self.new_frame = trio.Event()

    async def close(self, code: int, reason: str) -> None:
        self.closed_with = code
        self.closed.set()

    async def next_frame(self, index: int) -> dict[str, Any]:
        while len(self.sent) <= index:
            await self.new_frame.wait()
        return self.sent[index]


class FakeAuthenticator:
    async def authenticate(self, token: str) -> Principal | None:
        return ALICE if token == "good-token" else None

    async def alive_among(self, token_hashes: Collection[str]) -> set[str]:
        return set(token_hashes)


class FakeRoom:
    """Channel access with a stored history; may publish live events during a replay."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.history: list[MessageCreated] = []
        self.during_replay: Callable[[], None] | None = None

    def append(self, text: str) -> MessageCreated:
        seq = len(self.history) + 1
        event = MessageCreated(
            channel=CHANNEL,
            seq=seq,
            message=ChatMessage(id=f"m{seq}", author_id="bob", text=text, created_at=1),
        )
        self.history.append(event)
        return event

    def publish(self, text: str) -> None:
        self.hub.publish(CHANNEL, BroadcastFrame(self.append(text)))

    def publish_many(self, *texts: str) -> None:
        self.hub.publish_many(CHANNEL, [BroadcastFrame(self.append(text)) for text in texts])

    async def check_subscribe(self, principal: Principal, channel_id: str) -> None:
        if channel_id != "r1":
            raise DomainError(ErrorCode.FORBIDDEN, "not a member")

    async def replay(
        self, principal: Principal, channel_id: str, since_seq: int | None, limit: int
    ) -> Replay:
        last = len(self.history)
        missed: list[ServerFrame] = [] if since_seq is None else list(self.history[since_seq:])
        await trio.sleep(0.01)
        if self.during_replay is not None:
            self.during_replay()
        return Replay(last_seq=last, events=missed)


class FakeRouter:
    async def handle(self, principal: Principal, frame: ClientFrame) -> Any:
        assert isinstance(frame, SendMessage)
        if frame.text == "boom":
            raise RuntimeError("handler bug")
        if frame.text == "no":
            raise DomainError(ErrorCode.FORBIDDEN, "you may not")
        if frame.text.startswith("slow "):
            await trio.sleep(float(frame.text.removeprefix("slow ")))
        return MessageAccepted(channel=frame.channel, seq=1, message_id="m1")
