"""Membership commands of the topic actor: join, leave, roles, ownership, invitations, bans.

Each runs inside the topic actor's turn, writes storage first and only then records the
topic channel's event (``member_joined``, ``member_left``, ``kicked``), so counts stay
exact (storage moves ``member_count`` only when a membership really changes) and events
are never ahead of the data.  A banned user's live ``topic:<id>`` subscriptions end with
``evicted`` (``banned``), as do a leaving member's when the topic is invite-only
(``access_revoked``).
"""

from __future__ import annotations

from actors.community.access import ban_refusal, is_topic_owner, join_refusal
from actors.community.topic_access import TopicPolicy
from actors.community.topic_commands import Need
from actors.realtime.channel_log import UNSEQUENCED, ChannelLog
from actors.users.notification_feed import Notifier, Notify
from protocol.channels import ChannelKind, channel_name
from protocol.chat_events import Kicked, MemberJoined, MemberLeft
from protocol.enums import EvictionReason
from protocol.errors import ErrorCode
from protocol.fields import milliseconds
from services.errors import DomainError
from services.principal import Principal
from storage.errors import NotFound
from storage.protocols import Store
from storage.records import Ban, Invitation, Membership, Role, Topic


class TopicMembership:
    """The membership commands of one topic; see the module docstring."""

    __slots__ = ("_channel", "_log", "_notify", "_policy", "_store", "_topic_id")

    def __init__(
        self,
        topic_id: str,
        policy: TopicPolicy,
        store: Store,
        log: ChannelLog,
        notify: Notifier,
    ) -> None:
        self._topic_id = topic_id
        self._policy = policy
        self._store = store
        self._log = log
        self._notify = notify
        self._channel = channel_name(ChannelKind.TOPIC, topic_id)

    async def _membership(self, user_id: str) -> Membership:
        membership = await self._store.topics.members.get(self._topic_id, user_id)
        if membership is None:
            raise DomainError(ErrorCode.NOT_FOUND, "that user is not a member of this topic")
        return membership

    async def _require_user(self, user_id: str) -> None:
        try:
            await self._store.users.get(user_id)
        except NotFound:
            raise DomainError(ErrorCode.NOT_FOUND, "no such user") from None

    async def join(self, by: Principal) -> Membership:
        """Join; idempotent (a repeated join changes nothing and records nothing)."""
        topic = self._policy.require_topic()
        if await self._policy.role_of(by.user_id) is not None:
            return await self._membership(by.user_id)
        banned = await self._policy.ban_of(by.user_id) is not None
        invited = not banned and await self._policy.is_invited(by.user_id)
        refusal = join_refusal(by, topic, invited=invited, banned=banned)
        if refusal is not None:
            raise DomainError(ErrorCode.FORBIDDEN, refusal)
        joined = await self._store.topics.members.join(self._topic_id, by.user_id)
        self._policy.remember(by.user_id, "member")
        if joined:
            await self._log.record(
                MemberJoined(channel=self._channel, seq=UNSEQUENCED, user_id=by.user_id)
            )
        return await self._membership(by.user_id)

    async def leave(self, by: Principal) -> bool:
        """Leave; the owner must hand the topic over first."""
        topic = self._policy.require_topic()
        if is_topic_owner(by, topic):
            raise DomainError(ErrorCode.CONFLICT, "the owner must transfer the topic first")
        left = await self._store.topics.members.leave(self._topic_id, by.user_id)
        self._policy.remember(by.user_id, None)
        if left:
            await self._log.record(
                MemberLeft(channel=self._channel, seq=UNSEQUENCED, user_id=by.user_id)
            )
        if topic.is_private and not by.is_admin:
            self._log.evict(self._channel, by.user_id, EvictionReason.ACCESS_REVOKED)
        return left

    async def set_role(self, by: Principal, user_id: str, role: Role) -> Membership:
        """Make a member a moderator or a plain member (the owner's role never moves)."""
        self._policy.require_owner(by)
        if role == "owner":
            raise DomainError(ErrorCode.INVALID, "transfer the ownership instead")
        current = await self._membership(user_id)
        if current.role == "owner":
            raise DomainError(ErrorCode.CONFLICT, "the owner's role changes only by transfer")
        changed = await self._store.topics.members.set_role(self._topic_id, user_id, role)
        self._policy.remember(user_id, role)
        return changed

    async def transfer(self, by: Principal, user_id: str) -> Topic:
        """Make member ``user_id`` the owner; the previous owner becomes a moderator."""
        topic = self._policy.require_owner(by)
        if user_id == topic.owner_id:
            return topic
        if (await self._membership(user_id)).role == "owner":
            raise DomainError(ErrorCode.CONFLICT, "that member already owns the topic")
        await self._store.topics.members.set_role(self._topic_id, user_id, "owner")
        self._policy.remember(user_id, "owner")
        updated = await self._store.topics.update(self._topic_id, owner_id=user_id)
        self._policy.replace_topic(updated)
        if await self._store.topics.members.get(self._topic_id, topic.owner_id) is not None:
            await self._store.topics.members.set_role(self._topic_id, topic.owner_id, "moderator")
            self._policy.remember(topic.owner_id, "moderator")
        return updated

    async def invite(self, by: Principal, user_id: str) -> Invitation:
        """Invite ``user_id`` (moderators); they are notified."""
        access = await self._policy.check(by, Need.MODERATE)
        await self._require_user(user_id)
        if await self._policy.role_of(user_id) is not None:
            raise DomainError(ErrorCode.CONFLICT, "that user is already a member")
        if await self._policy.ban_of(user_id) is not None:
            raise DomainError(ErrorCode.CONFLICT, "that user is banned from this topic")
        invitation = await self._store.topics.members.invite(
            self._topic_id, user_id, invited_by=by.user_id
        )
        await self._notify(
            user_id,
            Notify(
                kind="invite",
                title=f"You are invited to {access.topic.title}",
                actor_id=by.user_id,
                subject=self._channel,
                object_id=self._topic_id,
                link=f"/topics/{self._topic_id}",
            ),
        )
        return invitation

    async def answer(self, by: Principal, *, accept: bool) -> Membership | None:
        """Accept (join) or decline ``by``'s pending invitation; ``not_found`` without one."""
        self._policy.require_topic()
        if not await self._policy.is_invited(by.user_id):
            raise DomainError(ErrorCode.NOT_FOUND, "you have no invitation to this topic")
        if accept:
            return await self.join(by)
        await self._store.topics.members.withdraw_invitation(self._topic_id, by.user_id)
        return None

    async def ban(self, by: Principal, user_id: str, reason: str, until: float | None) -> Ban:
        """Ban and remove ``user_id``; moderators may ban members, owners moderators too."""
        access = await self._policy.check(by, Need.MODERATE)
        await self._require_user(user_id)
        if user_id == by.user_id:
            raise DomainError(ErrorCode.CONFLICT, "you cannot ban yourself")
        refusal = ban_refusal(by, access.role, await self._policy.role_of(user_id))
        if refusal is not None:
            raise DomainError(ErrorCode.FORBIDDEN, refusal)
        ban = await self._store.topics.members.ban(
            self._topic_id, user_id, banned_by=by.user_id, reason=reason, until=until
        )
        await self._store.topics.members.withdraw_invitation(self._topic_id, user_id)
        self._policy.remember(user_id, None)
        await self._log.record(
            Kicked(
                channel=self._channel,
                seq=UNSEQUENCED,
                user_id=user_id,
                moderator_id=by.user_id,
                reason=reason,
                banned=True,
                ban_expires_at=milliseconds(until),
            )
        )
        self._log.evict(self._channel, user_id, EvictionReason.BANNED)
        return ban

    async def unban(self, by: Principal, user_id: str) -> bool:
        """Lift a ban; True when one was in force."""
        await self._policy.check(by, Need.MODERATE)
        return await self._store.topics.members.unban(self._topic_id, user_id)

    async def bans(self, by: Principal) -> list[Ban]:
        """The bans in force (moderators)."""
        await self._policy.check(by, Need.MODERATE)
        return await self._store.topics.members.list_bans(self._topic_id)
