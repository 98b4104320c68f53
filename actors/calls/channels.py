"""Calls as the gateway sees them: who may subscribe to ``call:<id>``, and call frames.

:class:`CallChannels` is the :class:`~actors.realtime.ports.ChannelAccess` of ``call``
channels: participants and invitees only, no history (call events are ephemeral).
:class:`CallFrames` carries ``call_start``, ``call_accept``, ``call_decline``,
``call_hangup`` and ``call_signal`` to the call actors.  ``call_start`` checks the caller
first: a room call needs membership of the room (it rings the other members, at most
:data:`protocol.limits.MAX_CALL_PARTICIPANTS` - 1); a direct call needs an existing
callee who is not the caller and that neither blocked the other.
"""

from __future__ import annotations

from collections.abc import Callable

from actors.calls.commands import (
    CALL,
    CALL_CONTEXT,
    AcceptCall,
    CheckCallAccess,
    DeclineCall,
    HangUp,
    OpenCall,
    RelaySignal,
)
from actors.chat.commands import CheckMember
from actors.chat.room import CHAT_ROOM
from actors.realtime.ports import Replay
from actors.runtime.ref import ActorRef
from protocol import limits
from protocol.call_frames import CallAccept, CallDecline, CallHangup, CallSignal, CallStart
from protocol.client_frames import ClientFrame
from protocol.control_frames import AnyAckResult
from protocol.errors import ErrorCode
from services.errors import DomainError
from services.principal import Principal
from storage.keys import conversation_id
from storage.protocols import Store

RefFactory = Callable[[str, str], ActorRef]

CALL_FRAME_TYPES: tuple[type[ClientFrame], ...] = (
    CallStart,
    CallAccept,
    CallDecline,
    CallHangup,
    CallSignal,
)
"""The frame types :class:`CallFrames` serves (routed by type: they name no channel)."""


class CallChannels:
    """Subscriptions to ``call:<id>``: the call's participants and invitees only."""

    def __init__(self, ref: RefFactory) -> None:
        self._ref = ref

    async def check_subscribe(self, principal: Principal, channel_id: str) -> None:
        await self._ref(CALL, channel_id).ask(CheckCallAccess(user_id=principal.user_id))

    async def replay(
        self, principal: Principal, channel_id: str, since_seq: int | None, limit: int
    ) -> Replay:
        return Replay(last_seq=0)


class CallFrames:
    """Carries call frames to the call actors on behalf of the connection's user."""

    def __init__(self, ref: RefFactory, store: Store) -> None:
        self._ref = ref
        self._store = store

    async def handle(self, principal: Principal, frame: ClientFrame) -> AnyAckResult | None:
        user_id = principal.user_id
        match frame:
            case CallStart():
                return await self._start(user_id, frame)
            case CallAccept(call_id=call_id):
                await self._ref(CALL, call_id).ask(AcceptCall(user_id=user_id))
            case CallDecline(call_id=call_id):
                await self._ref(CALL, call_id).ask(DeclineCall(user_id=user_id))
            case CallHangup(call_id=call_id):
                await self._ref(CALL, call_id).ask(HangUp(user_id=user_id))
            case CallSignal(call_id=call_id):
                await self._ref(CALL, call_id).ask(
                    RelaySignal(
                        user_id=user_id,
                        target_user_id=frame.target_user_id,
                        kind=frame.kind,
                        payload=frame.payload,
                    )
                )
            case _:
                raise DomainError(ErrorCode.UNSUPPORTED, f"{type(frame).__name__} is not served")
        return None

    async def _start(self, caller_id: str, frame: CallStart) -> AnyAckResult | None:
        if frame.room_id is not None:
            await self._ref(CHAT_ROOM, frame.room_id).ask(CheckMember(user_id=caller_id))
            members = await self._store.rooms.members.list_members(
                frame.room_id, limit=limits.MAX_CALL_PARTICIPANTS
            )
            invitees = tuple(m.user_id for m in members if m.user_id != caller_id)
            context_id = frame.room_id
        else:
            assert frame.callee_id is not None
            await self._require_reachable(caller_id, frame.callee_id)
            invitees = (frame.callee_id,)
            context_id = conversation_id(caller_id, frame.callee_id)
        if not invitees:
            raise DomainError(ErrorCode.INVALID, "there is nobody to call")
        result: AnyAckResult = await self._ref(CALL_CONTEXT, context_id).ask(
            OpenCall(
                caller_id=caller_id,
                invitee_ids=invitees[: limits.MAX_CALL_PARTICIPANTS - 1],
                media=frame.media,
                room_id=frame.room_id,
            )
        )
        return result

    async def _require_reachable(self, caller_id: str, callee_id: str) -> None:
        if callee_id == caller_id:
            raise DomainError(ErrorCode.INVALID, "you cannot call yourself")
        users = {user.id: user for user in await self._store.users.get_many([caller_id, callee_id])}
        if callee_id not in users or caller_id not in users:
            raise DomainError(ErrorCode.NOT_FOUND, "no such user")
        if callee_id in users[caller_id].blocked_user_ids:
            raise DomainError(ErrorCode.FORBIDDEN, "you blocked this user")
        if caller_id in users[callee_id].blocked_user_ids:
            raise DomainError(ErrorCode.FORBIDDEN, "this user does not accept your calls")
