"""Who may do what in a chat room: the chat domain's access rules.

Every rule of the chat domain that decides whether someone may read a room, moderate
it, own it, or change a message is a pure function here, over the storage records and
the caller's role in the room (``Membership.role``: ``owner``, ``moderator``,
``member``; None when not a member) and, where it matters, the caller's global admin
flag (``Principal.is_admin``, which the room commands carry as ``is_admin``).  Nothing
here reads storage: callers look up roles and bans and pass what they found; since a
role only ever widens what a caller may do, a caller may first ask a rule with
``role=None`` and read the role only when that answer is no.  The rules are applied by
the room actor (:mod:`actors.chat.members`, :mod:`actors.chat.room`), the WebSocket
channel route (:class:`actors.chat.channels.ChatRoomChannels`) and the room notices
actor (:mod:`actors.chat.notices`).

===================================  =====================================================
action                               who may
===================================  =====================================================
read the room, send, react, type,    members who are not banned
subscribe
rename, re-describe, slow mode       owner, moderators (admins need a role too)
kick, ban                            owner, moderators, admins; never the owner
delete the room                      owner, admins
leave                                anyone but the owner (who cannot leave)
edit a message                       its author only
delete a message                     its author, owner, moderators, admins (admins
                                     without being members)
send without waiting in slow mode    owner, moderators
``@here`` (mention every member)     owner, moderators
===================================  =====================================================
"""

from __future__ import annotations

from storage.records import Message, Role

MODERATOR_ROLES: frozenset[Role] = frozenset({"owner", "moderator"})
"""The roles that moderate a room."""

NOT_A_MEMBER = "you are not a member of this room"
BANNED = "you are banned from this room"


def holds_moderator_role(role: Role | None) -> bool:
    """The owner/moderator rule of a room: ``role`` is the owner's or a moderator's.

    Admins get no override from this rule; the rules that give them one say so.
    """
    return role in MODERATOR_ROLES


def member_refusal(*, is_member: bool, banned: bool) -> str | None:
    """Why someone may not read the room or act in it (``forbidden``), or None: a
    non-member is refused first, then a member under a ban in force.  ``banned`` is
    not consulted for a non-member (it need not be looked up)."""
    if not is_member:
        return NOT_A_MEMBER
    if banned:
        return BANNED
    return None


def may_update_room(role: Role | None) -> bool:
    """Whether the holder of ``role`` may rename or re-describe the room or set its slow
    mode: owner and moderators."""
    return holds_moderator_role(role)


def may_kick(role: Role | None, *, is_admin: bool) -> bool:
    """Whether the holder of ``role`` may kick or ban members: owner, moderators, and
    admins (acting on a report, without a role in the room)."""
    return is_admin or holds_moderator_role(role)


def may_be_kicked(target_role: Role | None) -> bool:
    """Whether a user holding ``target_role`` may be kicked or banned: anyone but the
    owner."""
    return target_role != "owner"


def may_delete_room(role: Role | None, *, is_admin: bool) -> bool:
    """Whether the holder of ``role`` may delete the room: the owner and admins."""
    return is_admin or role == "owner"


def may_leave_room(role: Role | None) -> bool:
    """Whether the holder of ``role`` may leave the room: anyone but the owner."""
    return role != "owner"


def may_edit_message(user_id: str, message: Message) -> bool:
    """Whether ``user_id`` may change ``message``'s text: its author only."""
    return message.author_id == user_id


def may_delete_message(
    user_id: str, message: Message, role: Role | None, *, is_admin: bool
) -> bool:
    """Whether ``user_id`` (holding ``role``) may delete ``message``: its author, the
    room's owner and moderators, and admins."""
    return message.author_id == user_id or is_admin or holds_moderator_role(role)


def exempt_from_slow_mode(role: Role | None) -> bool:
    """Whether the holder of ``role`` sends without waiting in slow mode: owner and
    moderators."""
    return holds_moderator_role(role)


def may_mention_everyone(role: Role | None) -> bool:
    """Whether the holder of ``role`` may notify every member with ``@here``: owner and
    moderators."""
    return holds_moderator_role(role)


def may_appoint_moderators(role: Role | None) -> bool:
    """Whether the holder of ``role`` may promote members to moderators or demote them:
    the owner only."""
    return role == "owner"


def may_manage_bans(role: Role | None, *, is_admin: bool) -> bool:
    """Whether the holder of ``role`` may see the room's bans and lift them: owner,
    moderators, admins."""
    return is_admin or holds_moderator_role(role)


def may_withdraw_invitation(
    user_id: str, invited_by: str, role: Role | None, *, is_admin: bool
) -> bool:
    """Whether ``user_id`` (holding ``role``) may withdraw an invitation made by
    ``invited_by``: its inviter, the owner and moderators, admins.  (The invitee declines
    their own.)"""
    return user_id == invited_by or is_admin or holds_moderator_role(role)


def may_list_room(is_private: bool, is_member: bool) -> bool:
    """Whether a room appears in a list (a topic's rooms) to someone who may read the
    topic: public rooms to all of them, private rooms to their members only."""
    return is_member or not is_private
