"""Room moderators and bans: promote, demote, unban — handled by the room actor.

Contract: only the owner promotes a member to ``moderator`` or demotes a moderator to
``member`` (never the owner's own role; the target must be a member); owner, moderators
and admins lift bans.  The member cache of :class:`actors.chat.members.RoomMembers`
stays exact: a role is read from the store on each use, and an unban only lets the user
be invited and join again (joins read the ban from the store).  The rules are
:mod:`actors.chat.access`.
"""

from __future__ import annotations

from actors.chat.access import may_appoint_moderators, may_manage_bans
from actors.chat.commands import SetMemberRole, UnbanMember
from protocol.errors import ErrorCode
from services.errors import DomainError
from storage.protocols import Store
from storage.records import Role


async def set_member_role(store: Store, room_id: str, command: SetMemberRole) -> Role:
    """Promote or demote (see the module docstring); the member's new role."""
    members = store.rooms.members
    actor = await members.get(room_id, command.user_id)
    if not may_appoint_moderators(None if actor is None else actor.role):
        raise DomainError(ErrorCode.FORBIDDEN, "only the owner may appoint moderators")
    target = await members.get(room_id, command.member_id)
    if target is None:
        raise DomainError(ErrorCode.NOT_FOUND, "not a member of this room")
    if target.role == "owner":
        raise DomainError(ErrorCode.CONFLICT, "the owner's role does not change")
    role: Role = "moderator" if command.promote else "member"
    if target.role != role:
        await members.set_role(room_id, command.member_id, role)
    return role


async def unban_member(store: Store, room_id: str, command: UnbanMember) -> bool:
    """Lift a ban (see the module docstring); False when there was none."""
    members = store.rooms.members
    actor = await members.get(room_id, command.user_id)
    if not may_manage_bans(None if actor is None else actor.role, is_admin=command.is_admin):
        raise DomainError(ErrorCode.FORBIDDEN, "only moderators may lift bans")
    return await members.unban(room_id, command.banned_id)
