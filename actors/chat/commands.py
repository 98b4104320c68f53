"""The messages a chat-room actor accepts (see :mod:`actors.chat.room`).

Each names the acting user; the actor checks that user's membership and rights.
"""

from __future__ import annotations

import msgspec

from protocol.enums import ReactionAction, TypingState


class PostMessage(msgspec.Struct, frozen=True, kw_only=True):
    """Append a message from ``user_id``; replies ``MessageAccepted``."""

    user_id: str
    text: str
    attachment_ids: tuple[str, ...] = ()
    reply_to: str | None = None
    nonce: str | None = None
    gif_url: str | None = None


class EditRoomMessage(msgspec.Struct, frozen=True, kw_only=True):
    """Replace the text of the author's own message; replies ``MessageAccepted``."""

    user_id: str
    message_id: str
    text: str


class DeleteRoomMessage(msgspec.Struct, frozen=True, kw_only=True):
    """Tombstone a message (its author, a moderator, or an admin acting on a report,
    ``is_admin``, who need not be a member); replies ``MessageAccepted``."""

    user_id: str
    message_id: str
    is_admin: bool = False


class ReactToMessage(msgspec.Struct, frozen=True, kw_only=True):
    """Add or remove ``emoji`` on a message; replies ``Sequenced``."""

    user_id: str
    message_id: str
    emoji: str
    action: ReactionAction = ReactionAction.ADD


class SetTyping(msgspec.Struct, frozen=True, kw_only=True):
    """Tell the room that ``user_id`` started or stopped typing (ephemeral)."""

    user_id: str
    state: TypingState = TypingState.START


class MarkRoomRead(msgspec.Struct, frozen=True, kw_only=True):
    """``user_id`` read up to ``up_to_seq``; other members get a read receipt."""

    user_id: str
    up_to_seq: int


class CheckMember(msgspec.Struct, frozen=True, kw_only=True):
    """Return None when ``user_id`` may read the room; refuse otherwise."""

    user_id: str


class JoinRoom(msgspec.Struct, frozen=True, kw_only=True):
    """Add ``user_id`` (public rooms, or by invitation); replies True when newly joined."""

    user_id: str


class LeaveRoom(msgspec.Struct, frozen=True, kw_only=True):
    """Remove ``user_id``; replies True when they were a member."""

    user_id: str


class KickMember(msgspec.Struct, frozen=True, kw_only=True):
    """A moderator removes ``user_id``, optionally banning them until ``ban_until``.

    ``ban`` without ``ban_until`` bans for good.  ``is_admin``: a global admin acting on
    a report, who may do so without a role in the room.  Replies None.
    """

    moderator_id: str
    user_id: str
    reason: str = ""
    ban: bool = False
    ban_until: float | None = None
    is_admin: bool = False


class InviteToRoom(msgspec.Struct, frozen=True, kw_only=True):
    """A member invites ``invitee_id`` (needed to join a private room).  Replies None."""

    user_id: str
    invitee_id: str


class UpdateRoom(msgspec.Struct, frozen=True, kw_only=True):
    """The owner or a moderator renames or re-describes the room; replies the Room."""

    user_id: str
    name: str | None = None
    description: str | None = None
    slow_mode_seconds: int | None = None


class DeleteRoom(msgspec.Struct, frozen=True, kw_only=True):
    """The owner (or an admin) deletes the room; live subscribers are evicted."""

    user_id: str
    is_admin: bool = False


class SetMemberRole(msgspec.Struct, frozen=True, kw_only=True):
    """The owner makes member ``member_id`` a moderator (``promote``) or a plain member
    again; replies the new role (``moderator`` or ``member``)."""

    user_id: str
    member_id: str
    promote: bool


class UnbanMember(msgspec.Struct, frozen=True, kw_only=True):
    """A moderator (or an admin, ``is_admin``) lifts the ban of ``banned_id``; replies True
    when a ban was lifted.  The user may then be invited and join again."""

    user_id: str
    banned_id: str
    is_admin: bool = False
