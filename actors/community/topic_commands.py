"""Messages of the topic actor (kind ``topic``, one per topic) and its access reply.

Every message names who acts (``by``, a :class:`~actors.realtime.ports.Principal`) so the
actor applies the topic's policy itself.  Replies are storage records or
:class:`TopicAccess`; refusals are :class:`services.errors.DomainError`.  Who may send
which is :mod:`actors.community.access` (``Need`` is defined there, re-exported here).
"""

from __future__ import annotations

from collections.abc import Sequence

import msgspec
from msgspec import UNSET, UnsetType

from actors.community.access import Need as Need
from actors.community.access import may_moderate
from services.principal import Principal
from storage.records import Role, Topic, VoteValue

TOPIC = "topic"
"""The actor kind name; the actor id is the topic id."""


class TopicAccess(msgspec.Struct, frozen=True, kw_only=True):
    """The topic as the caller may see it, with the caller's standing in it."""

    topic: Topic
    role: Role | None
    is_admin: bool = False

    @property
    def can_moderate(self) -> bool:
        """Owner, moderator or admin: may moderate and sees anonymous authors
        (:func:`actors.community.access.may_moderate`)."""
        return may_moderate(self.role, is_admin=self.is_admin)


class CheckAccess(msgspec.Struct, frozen=True, kw_only=True):
    """Reply :class:`TopicAccess` when ``by`` may do ``need``; refuse otherwise."""

    by: Principal
    need: Need


class UpdateTopic(msgspec.Struct, frozen=True, kw_only=True):
    """Change the topic (owner, moderators; ``is_private`` owner only). Reply TopicAccess."""

    by: Principal
    title: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    tags: Sequence[str] | UnsetType = UNSET
    is_private: bool | UnsetType = UNSET


class DeleteTopic(msgspec.Struct, frozen=True, kw_only=True):
    """Soft-delete (owner or admin). Reply TopicAccess."""

    by: Principal


class RestoreTopic(msgspec.Struct, frozen=True, kw_only=True):
    """Undo a soft delete (admins only). Reply TopicAccess."""

    by: Principal


class JoinTopic(msgspec.Struct, frozen=True, kw_only=True):
    """Join (invite-only topics need an invitation). Reply Membership."""

    by: Principal


class LeaveTopic(msgspec.Struct, frozen=True, kw_only=True):
    """Leave (not the owner). Reply True when ``by`` was a member."""

    by: Principal


class SetRole(msgspec.Struct, frozen=True, kw_only=True):
    """Make a member a moderator or a plain member (owner or admin). Reply Membership."""

    by: Principal
    user_id: str
    role: Role


class TransferOwnership(msgspec.Struct, frozen=True, kw_only=True):
    """Hand the topic to another member (owner or admin); the old owner moderates.

    Reply TopicAccess.
    """

    by: Principal
    user_id: str


class InviteUser(msgspec.Struct, frozen=True, kw_only=True):
    """Invite a user (owner, moderators). Reply Invitation."""

    by: Principal
    user_id: str


class AnswerInvitation(msgspec.Struct, frozen=True, kw_only=True):
    """Accept (reply Membership) or decline (reply None) ``by``'s invitation."""

    by: Principal
    accept: bool


class BanUser(msgspec.Struct, frozen=True, kw_only=True):
    """Ban and remove a user for ``duration`` seconds (None: for good). Reply Ban."""

    by: Principal
    user_id: str
    reason: str = ""
    duration: float | None = None


class UnbanUser(msgspec.Struct, frozen=True, kw_only=True):
    """Lift a ban. Reply True when there was one in force."""

    by: Principal
    user_id: str


class CreatePost(msgspec.Struct, frozen=True, kw_only=True):
    """Publish a post (writers). Reply Post, acknowledged after its event is stored."""

    by: Principal
    title: str
    body: str = ""
    gif_url: str | None = None
    attachment_ids: tuple[str, ...] = ()
    anonymous: bool = False


class EditPost(msgspec.Struct, frozen=True, kw_only=True):
    """Replace a post's text (its author). Reply Post."""

    by: Principal
    post_id: str
    body: str
    title: str | None = None


class DeletePost(msgspec.Struct, frozen=True, kw_only=True):
    """Remove a post (its author or a moderator). Reply Post."""

    by: Principal
    post_id: str
    reason: str = ""


class RestorePost(msgspec.Struct, frozen=True, kw_only=True):
    """Bring back a deleted post (admins only); announced again as ``post_created``.

    Reply Post.
    """

    by: Principal
    post_id: str


class PurgePost(msgspec.Struct, frozen=True, kw_only=True):
    """Erase a deleted post's content for good (admins only). Reply Post."""

    by: Principal
    post_id: str


class VotePost(msgspec.Struct, frozen=True, kw_only=True):
    """Set ``by``'s vote on a post (0 withdraws it). Reply VoteTally."""

    by: Principal
    post_id: str
    value: VoteValue


class ListBans(msgspec.Struct, frozen=True, kw_only=True):
    """The bans in force (moderators). Reply list[Ban]."""

    by: Principal
