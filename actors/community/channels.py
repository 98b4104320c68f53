"""Topic, post and user channels as the gateway sees them: who may subscribe, and replay.

* ``topic:<id>`` — whoever may read the topic (the topic actor decides: members only
  for invite-only topics).
* ``post:<id>`` — whoever may read the post's topic; a deleted post is ``not_found``.
* ``user:<id>`` — that user only (their notifications).

Replays read the channel's durable log (:class:`~actors.realtime.channel_log.ChannelHistory`); reads
need no turn of the owning actor.
"""

from __future__ import annotations

from collections.abc import Callable

from actors.community.topic_commands import TOPIC, CheckAccess, Need
from actors.realtime.channel_log import ChannelHistory
from actors.realtime.ports import Replay
from actors.runtime.ref import ActorRef
from actors.users.access import owns_user_channel
from protocol.channels import ChannelKind, channel_name
from protocol.errors import ErrorCode
from services.errors import DomainError
from services.principal import Principal
from storage.errors import NotFound
from storage.protocols import Store

RefFactory = Callable[[str, str], ActorRef]


class TopicChannels:
    """Subscriptions to ``topic:<id>``."""

    def __init__(self, ref: RefFactory, history: ChannelHistory) -> None:
        self._ref = ref
        self._history = history

    async def check_subscribe(self, principal: Principal, channel_id: str) -> None:
        await self._ref(TOPIC, channel_id).ask(CheckAccess(by=principal, need=Need.READ))

    async def replay(
        self, principal: Principal, channel_id: str, since_seq: int | None, limit: int
    ) -> Replay:
        return await self._history.replay(
            channel_name(ChannelKind.TOPIC, channel_id), since_seq, limit
        )


class PostChannels:
    """Subscriptions to ``post:<id>``."""

    def __init__(self, ref: RefFactory, store: Store, history: ChannelHistory) -> None:
        self._ref = ref
        self._store = store
        self._history = history

    async def check_subscribe(self, principal: Principal, channel_id: str) -> None:
        try:
            post = await self._store.posts.get(channel_id)
        except NotFound:
            raise DomainError(ErrorCode.NOT_FOUND, "no such post") from None
        if post.deleted_at is not None:
            raise DomainError(ErrorCode.NOT_FOUND, "no such post")
        await self._ref(TOPIC, post.topic_id).ask(CheckAccess(by=principal, need=Need.READ))

    async def replay(
        self, principal: Principal, channel_id: str, since_seq: int | None, limit: int
    ) -> Replay:
        return await self._history.replay(
            channel_name(ChannelKind.POST, channel_id), since_seq, limit
        )


class UserChannels:
    """Subscriptions to ``user:<id>``: only by that user."""

    def __init__(self, history: ChannelHistory) -> None:
        self._history = history

    async def check_subscribe(self, principal: Principal, channel_id: str) -> None:
        if not owns_user_channel(principal, channel_id):
            raise DomainError(ErrorCode.FORBIDDEN, "only its owner may read a user channel")

    async def replay(
        self, principal: Principal, channel_id: str, since_seq: int | None, limit: int
    ) -> Replay:
        return await self._history.replay(
            channel_name(ChannelKind.USER, channel_id), since_seq, limit
        )
