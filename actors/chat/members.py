"""Membership of a chat room: the checks, joins, leaves and kicks of the room actor.

:class:`RoomMembers` is owned by :class:`actors.chat.room.ChatRoomActor` (composition, as
the topic actor owns its membership); it keeps the room's member and ban caches and
records its events through the room's :class:`~actors.chat.log_writer.RoomLogWriter`.
Commands that need the room take its record from the actor, which answers ``not_found``
for a deleted room before asking.  A kick is a sequenced ``kicked`` event
(stored, then published) and ends the kicked user's live subscriptions to the room at
once (``evicted``); a leave ends them too.  Owners cannot be kicked; only owners and
moderators kick, rename or re-describe the room; only the owner (or an admin) deletes it,
which evicts every live subscriber.  Any member may invite.  The rules themselves are
:mod:`actors.chat.access`; this module reads the facts they need (roles, bans).
"""

from __future__ import annotations

from collections.abc import Callable

from actors.chat.access import (
    BANNED,
    may_be_kicked,
    may_delete_room,
    may_kick,
    may_leave_room,
    may_update_room,
    member_refusal,
)
from actors.chat.commands import DeleteRoom, InviteToRoom, KickMember, UpdateRoom
from actors.chat.log_writer import RoomLogWriter
from actors.chat.notices import notify_room_invitation
from actors.realtime.hub import Hub
from actors.runtime.actor import ActorContext
from protocol.chat_events import Kicked, MemberJoined, MemberLeft
from protocol.enums import EvictionReason
from protocol.errors import ErrorCode
from protocol.fields import milliseconds
from services.errors import DomainError
from storage.protocols import Store
from storage.records import Role, Room

MEMBER_PRELOAD = 5000
"""Rooms with at most this many members read all of them (and their bans) when the actor
starts, in two queries, instead of one or two reads per member's first command."""


class RoomMembers:
    """The members of one room and the membership commands (see the module docstring)."""

    __slots__ = ("_channel", "_complete", "_context", "_hub", "_known", "_log",
                 "_not_banned", "_room_id", "_store")

    def __init__(
        self, room_id: str, channel: str, store: Store, hub: Hub, log: RoomLogWriter,
        context: ActorContext,
    ) -> None:
        self._room_id = room_id
        self._channel = channel
        self._store = store
        self._hub = hub
        self._log = log
        self._context = context
        self._known: dict[str, bool] = {}
        self._complete = False
        self._not_banned: set[str] = set()

    def forget(self) -> None:
        """Drop what is cached (after a write whose outcome is unknown); the next checks
        read the store, or :meth:`preload` again."""
        self._known.clear()
        self._not_banned.clear()
        self._complete = False

    async def preload(self) -> None:
        """Read every member and the bans in force, when there are at most
        :data:`MEMBER_PRELOAD` members: the member cache is then complete, and a user it
        does not know is not a member.  Called when the actor starts, before any command."""
        members = self._store.rooms.members
        found = await members.list_members(self._room_id, limit=MEMBER_PRELOAD + 1)
        if len(found) > MEMBER_PRELOAD:
            return
        banned = {ban.user_id for ban in await members.list_bans(self._room_id)}
        for membership in found:
            self._known[membership.user_id] = True
            if membership.user_id not in banned:
                self._not_banned.add(membership.user_id)
        self._complete = True

    async def is_member(self, user_id: str) -> bool:
        """Whether ``user_id`` belongs to the room (cached: joins come through this actor)."""
        known = self._known.get(user_id)
        if known is None:
            if self._complete:
                return False
            known = await self._store.rooms.members.get(self._room_id, user_id) is not None
            self._known[user_id] = known
        return known

    async def is_banned(self, user_id: str) -> bool:
        """Whether a ban of ``user_id`` is in force (a member found not banned is
        remembered: bans only come through this actor)."""
        if user_id in self._not_banned:
            return False
        if await self._store.rooms.members.get_ban(self._room_id, user_id) is not None:
            return True
        self._not_banned.add(user_id)
        return False

    async def require_member(self, user_id: str) -> None:
        """Refuse (``forbidden``) a non-member, or a member under a ban in force."""
        is_member = await self.is_member(user_id)
        banned = is_member and await self.is_banned(user_id)
        refusal = member_refusal(is_member=is_member, banned=banned)
        if refusal is not None:
            raise DomainError(ErrorCode.FORBIDDEN, refusal)

    async def role(self, user_id: str) -> Role | None:
        """``user_id``'s role in the room, None for a non-member (read from the store)."""
        membership = await self._store.rooms.members.get(self._room_id, user_id)
        return None if membership is None else membership.role

    async def allowed(self, rule: Callable[[Role | None], bool], user_id: str) -> bool:
        """``rule`` (of :mod:`actors.chat.access`) for ``user_id``'s role; the role is read
        only when the rule refuses a non-member (a role only ever widens rights)."""
        return rule(None) or rule(await self.role(user_id))

    async def join(self, room: Room, user_id: str) -> bool:
        """Join ``room``; False when already a member (nothing recorded)."""
        if await self._store.rooms.members.get_ban(self._room_id, user_id) is not None:
            raise DomainError(ErrorCode.FORBIDDEN, BANNED)
        if room.is_private and not await self.is_member(user_id):
            invitations = await self._store.rooms.members.list_invitations(user_id)
            if not any(invitation.scope_id == room.id for invitation in invitations):
                raise DomainError(ErrorCode.FORBIDDEN, "this room needs an invitation")
        joined = await self._store.rooms.members.join(self._room_id, user_id)
        self._known[user_id] = True
        self._not_banned.add(user_id)  # checked above; bans only come through this actor
        if joined:
            await self._log.record(
                user_id, MemberJoined(channel=self._channel, seq=1, user_id=user_id)
            )
        return joined

    async def leave(self, user_id: str) -> bool:
        """Leave the room (not the owner); ends the user's live subscriptions to it."""
        if not may_leave_room(await self.role(user_id)):
            raise DomainError(ErrorCode.CONFLICT, "the owner cannot leave; transfer it first")
        left = await self._store.rooms.members.leave(self._room_id, user_id)
        self._known[user_id] = False
        if left:
            await self._log.record(
                user_id, MemberLeft(channel=self._channel, seq=1, user_id=user_id)
            )
        self._hub.evict_user(self._channel, user_id, EvictionReason.ACCESS_REVOKED)
        return left

    async def kick(self, command: KickMember) -> None:
        """Remove (and with ``ban`` bar) a member; a sequenced ``kicked`` and an eviction."""

        def kicks(role: Role | None) -> bool:
            return may_kick(role, is_admin=command.is_admin)

        if not await self.allowed(kicks, command.moderator_id):
            raise DomainError(ErrorCode.FORBIDDEN, "only moderators may kick")
        target_role = await self.role(command.user_id)
        if not may_be_kicked(target_role):
            raise DomainError(ErrorCode.FORBIDDEN, "the owner cannot be kicked")
        if target_role is None and not command.ban:
            raise DomainError(ErrorCode.NOT_FOUND, "not a member of this room")
        members = self._store.rooms.members
        if command.ban:
            self._not_banned.discard(command.user_id)
            await members.ban(
                self._room_id,
                command.user_id,
                banned_by=command.moderator_id,
                reason=command.reason,
                until=command.ban_until,
            )
        else:
            await members.leave(self._room_id, command.user_id)
        self._known[command.user_id] = False
        until_ms = milliseconds(command.ban_until)
        await self._log.record(
            command.moderator_id,
            Kicked(
                channel=self._channel,
                seq=1,
                user_id=command.user_id,
                moderator_id=command.moderator_id,
                reason=command.reason,
                banned=command.ban,
                ban_expires_at=until_ms,
            ),
        )
        reason = EvictionReason.BANNED if command.ban else EvictionReason.KICKED
        self._hub.evict_user(self._channel, command.user_id, reason)

    async def invite(self, room: Room, command: InviteToRoom) -> None:
        """A member invites someone not banned; the invitee is notified."""
        await self.require_member(command.user_id)
        if await self._store.rooms.members.get_ban(self._room_id, command.invitee_id):
            raise DomainError(ErrorCode.FORBIDDEN, "that user is banned from this room")
        await self._store.users.get(command.invitee_id)
        await self._store.rooms.members.invite(
            self._room_id, command.invitee_id, invited_by=command.user_id
        )
        await notify_room_invitation(self._context.ref, room, command.invitee_id, command.user_id)

    async def update(self, command: UpdateRoom) -> Room:
        """Rename, re-describe or set slow mode (owner, moderators); the stored room."""
        if not may_update_room(await self.role(command.user_id)):
            raise DomainError(ErrorCode.FORBIDDEN, "only moderators may change the room")
        changes = {
            field: value
            for field, value in (
                ("name", command.name),
                ("description", command.description),
                ("slow_mode_seconds", command.slow_mode_seconds),
            )
            if value is not None
        }
        return await self._store.rooms.update(self._room_id, **changes)  # type: ignore[arg-type]

    async def delete(self, command: DeleteRoom) -> Room:
        """Delete the room (owner, admins); evicts every live subscriber."""

        def deletes(role: Role | None) -> bool:
            return may_delete_room(role, is_admin=command.is_admin)

        if not await self.allowed(deletes, command.user_id):
            raise DomainError(ErrorCode.FORBIDDEN, "only the owner may delete the room")
        deleted = await self._store.rooms.delete(self._room_id)
        self._hub.evict_channel(self._channel, EvictionReason.DELETED)
        return deleted
