"""Bodies of the room moderation routes: moderators, bans, invitations (issue 23)."""

from __future__ import annotations

import msgspec

from http_facade.routes.rooms.schemas import Identifier
from protocol.fields import milliseconds
from storage.records import Ban, Invitation


class Appointment(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The member to make a moderator."""

    user_id: Identifier


class RoleView(msgspec.Struct, frozen=True, kw_only=True):
    """A member's role after the change."""

    user_id: str
    role: str


class RoomBanView(msgspec.Struct, frozen=True, kw_only=True):
    """A ban in force; ``expires_at`` None: until lifted."""

    user_id: str
    banned_by: str
    reason: str
    created_at: int
    expires_at: int | None

    @classmethod
    def of(cls, ban: Ban) -> RoomBanView:
        return cls(
            user_id=ban.user_id, banned_by=ban.banned_by, reason=ban.reason,
            created_at=milliseconds(ban.created_at), expires_at=milliseconds(ban.until),
        )


class RoomBanList(msgspec.Struct, frozen=True, kw_only=True):
    """The bans in force, oldest first; ``next_cursor`` pages on."""

    bans: list[RoomBanView]
    next_cursor: str | None


class RoomInvitationView(msgspec.Struct, frozen=True, kw_only=True):
    """A pending invitation of ``user_id`` into room ``room_id``."""

    room_id: str
    user_id: str
    invited_by: str
    created_at: int

    @classmethod
    def of(cls, invitation: Invitation) -> RoomInvitationView:
        return cls(
            room_id=invitation.scope_id, user_id=invitation.user_id,
            invited_by=invitation.invited_by, created_at=milliseconds(invitation.created_at),
        )


class RoomInvitationList(msgspec.Struct, frozen=True, kw_only=True):
    """Pending invitations, oldest first; ``next_cursor`` pages on."""

    invitations: list[RoomInvitationView]
    next_cursor: str | None
