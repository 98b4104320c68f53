"""The topic actor: one per topic, the single writer of its membership, posts and votes.

Contract:

* Every command that changes the topic — its settings, members, roles, invitations,
  bans, posts and post votes — is a message to this actor, so they are serialised per
  topic: counters move exactly once per real change, and the actor's role cache is exact.
* ``topic:<id>`` is this actor's channel.  Its events are appended to the channel's
  durable log **before** they are published, and a command replies only after both its
  write and its event are stored (acknowledged means stored).
* Refusals are :class:`DomainError` and leave the actor running.  A crash restarts it
  from storage (``on_start``); the log's sequence comes from storage, so nothing
  acknowledged is lost and no ``seq`` is issued twice.
* Ban durations are measured on ``clock`` (the store's clock in production: wall time).
* Topics are created over REST straight in storage (the title's uniqueness is the
  store's); the actor activates on the first message about an existing topic.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from actors.community.access import may_change_privacy, may_manage_trash
from actors.community.topic_access import TopicPolicy
from actors.community.topic_commands import (
    AnswerInvitation,
    BanUser,
    CheckAccess,
    CreatePost,
    DeletePost,
    DeleteTopic,
    EditPost,
    InviteUser,
    JoinTopic,
    LeaveTopic,
    ListBans,
    Need,
    PurgePost,
    RestorePost,
    RestoreTopic,
    SetRole,
    TopicAccess,
    TransferOwnership,
    UnbanUser,
    UpdateTopic,
    VotePost,
)
from actors.community.topic_membership import TopicMembership
from actors.community.topic_posts import TopicPosts
from actors.realtime.channel_log import ChannelLog
from actors.runtime.actor import Actor, ActorContext
from actors.users.notification_feed import feed_notifier
from protocol.errors import ErrorCode
from services.aliases import AliasMaker
from services.content_filter import ContentFilter
from services.errors import DomainError
from services.principal import Principal
from storage.errors import Conflict, NotFound
from storage.protocols import Store
from storage.records import Topic


class TopicActor(Actor):
    """See the module docstring."""

    __slots__ = ("_clock", "_membership", "_policy", "_posts", "_store")

    def __init__(
        self,
        context: ActorContext,
        store: Store,
        log: ChannelLog,
        aliases: AliasMaker,
        clock: Callable[[], float] = time.time,
        content_filter: ContentFilter | None = None,
    ) -> None:
        super().__init__(context)
        topic_id = context.address.id
        self._store = store
        self._clock = clock
        self._policy = TopicPolicy(store, topic_id)
        self._membership = TopicMembership(
            topic_id, self._policy, store, log, feed_notifier(context)
        )
        self._posts = TopicPosts(
            topic_id, self._policy, store, log, aliases,
            content_filter or ContentFilter.from_rules(), feed_notifier(context),
        )

    async def on_start(self) -> None:
        await self._policy.load()

    async def on_receive(self, message: object) -> object:
        match message:
            case CheckAccess(by=by, need=need):
                return await self._policy.check(by, need)
            case CreatePost():
                return await self._posts.create(message)
            case VotePost():
                return await self._posts.vote(message)
            case EditPost():
                return await self._posts.edit(message)
            case DeletePost():
                return await self._posts.delete(message)
            case RestorePost():
                return await self._posts.restore(message)
            case PurgePost():
                return await self._posts.purge(message)
            case JoinTopic(by=by):
                return await self._membership.join(by)
            case LeaveTopic(by=by):
                return await self._membership.leave(by)
            case AnswerInvitation(by=by, accept=accept):
                return await self._membership.answer(by, accept=accept)
            case InviteUser(by=by, user_id=user_id):
                return await self._membership.invite(by, user_id)
            case SetRole(by=by, user_id=user_id, role=role):
                return await self._membership.set_role(by, user_id, role)
            case TransferOwnership(by=by, user_id=user_id):
                return await self._access_after(by, self._membership.transfer(by, user_id))
            case BanUser(by=by, user_id=user_id, reason=reason, duration=duration):
                until = None if duration is None else self._clock() + duration
                return await self._membership.ban(by, user_id, reason, until)
            case UnbanUser(by=by, user_id=user_id):
                return await self._membership.unban(by, user_id)
            case ListBans(by=by):
                return await self._membership.bans(by)
            case UpdateTopic(by=by):
                return await self._access_after(by, self._update(message))
            case DeleteTopic(by=by):
                return await self._access_after(by, self._delete(by))
            case RestoreTopic(by=by):
                return await self._access_after(by, self._restore(by))
            case _:
                self.unhandled(message)

    async def _access_after(self, by: Principal, change: Awaitable[Topic]) -> TopicAccess:
        """Run ``change`` and reply the changed topic with the caller's standing in it."""
        topic = await change
        role = await self._policy.role_of(by.user_id)
        return TopicAccess(topic=topic, role=role, is_admin=by.is_admin)

    async def _update(self, command: UpdateTopic) -> Topic:
        access = await self._policy.check(command.by, Need.MODERATE)
        privacy = command.is_private
        changes_privacy = isinstance(privacy, bool) and privacy != access.topic.is_private
        if changes_privacy and not may_change_privacy(command.by, access.role):
            raise DomainError(ErrorCode.FORBIDDEN, "only the owner may change who can join")
        try:
            updated = await self._store.topics.update(
                self.address.id,
                title=command.title,
                description=command.description,
                tags=command.tags,
                is_private=command.is_private,
            )
        except Conflict:
            raise DomainError(ErrorCode.CONFLICT, "a topic with this title exists") from None
        self._policy.replace_topic(updated)
        return updated

    async def _delete(self, by: Principal) -> Topic:
        self._policy.require_owner(by)
        deleted = await self._store.topics.delete(self.address.id)
        self._policy.replace_topic(deleted)
        return deleted

    async def _restore(self, by: Principal) -> Topic:
        if not may_manage_trash(by):
            raise DomainError(ErrorCode.FORBIDDEN, "only administrators may restore a topic")
        if self._policy.topic is None:
            raise DomainError(ErrorCode.NOT_FOUND, "no such topic")
        try:
            restored = await self._store.topics.restore(self.address.id)
        except NotFound:
            raise DomainError(ErrorCode.NOT_FOUND, "no such topic") from None
        self._policy.replace_topic(restored)
        return restored
