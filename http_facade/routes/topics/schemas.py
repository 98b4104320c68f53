"""Request and response bodies of ``/api/topics``.

Limits are enforced by the decoder (a violation is 400 ``invalid`` naming the field);
text is stored and returned exactly as sent.  Times are integer milliseconds since the
epoch, as in the WebSocket protocol.
"""

from __future__ import annotations

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, Meta, UnsetType

from actors.community.access import may_moderate
from actors.community.topic_commands import TopicAccess
from http_facade.pagination import CursorText
from protocol.fields import IDENTIFIER_PATTERN, Reason, milliseconds
from protocol.limits import MAX_ID_LENGTH
from storage.records import Ban, Invitation, Membership, Role, Topic

MAX_TOPIC_TITLE_LENGTH = 120
MAX_TOPIC_DESCRIPTION_LENGTH = 2000
MAX_TAGS = 10
MAX_TAG_LENGTH = 32
MAX_SEARCH_LENGTH = 200
MAX_BAN_SECONDS = 10 * 365 * 24 * 3600

TopicTitle = Annotated[str, Meta(min_length=1, max_length=MAX_TOPIC_TITLE_LENGTH, pattern=r"\S")]
TopicDescription = Annotated[str, Meta(max_length=MAX_TOPIC_DESCRIPTION_LENGTH)]
Tag = Annotated[str, Meta(min_length=1, max_length=MAX_TAG_LENGTH, pattern=r"\S")]
Tags = Annotated[list[Tag], Meta(max_length=MAX_TAGS)]
UserId = Annotated[str, Meta(min_length=1, max_length=MAX_ID_LENGTH, pattern=IDENTIFIER_PATTERN)]
PageSize = Annotated[int, Meta(ge=1, le=100)]


class TopicCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A new topic; titles are unique regardless of case."""

    title: TopicTitle
    description: TopicDescription = ""
    tags: Tags = msgspec.field(default_factory=list)
    invite_only: bool = False


class TopicUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The fields to change; absent fields stay as they are."""

    title: TopicTitle | UnsetType = UNSET
    description: TopicDescription | UnsetType = UNSET
    tags: Tags | UnsetType = UNSET
    invite_only: bool | UnsetType = UNSET


class TopicQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Which topics to list: order, a tag, a search text (literal, not a pattern), a page."""

    sort: Literal["activity", "members", "created"] = "activity"
    tag: Tag | None = None
    q: Annotated[str, Meta(min_length=1, max_length=MAX_SEARCH_LENGTH)] | None = None
    cursor: CursorText | None = None
    limit: PageSize = 20


class TopicView(msgspec.Struct, frozen=True, kw_only=True):
    """A topic as the caller sees it, with the caller's role in it."""

    id: str
    title: str
    description: str
    owner_id: str
    tags: list[str]
    invite_only: bool
    member_count: int
    post_count: int
    created_at: int
    last_activity_at: int
    deleted_at: int | None = None
    my_role: Role | None = None
    can_moderate: bool = False
    picture_url: str | None = None
    """The topic's picture (``GET /api/topics/<id>/picture``, versioned), or null."""

    @classmethod
    def of(cls, topic: Topic, role: Role | None, *, is_admin: bool = False) -> TopicView:
        """The view of ``topic`` for a caller holding ``role`` (and an admin or not)."""
        return cls(
            id=topic.id,
            title=topic.title,
            description=topic.description,
            owner_id=topic.owner_id,
            tags=list(topic.tags),
            invite_only=topic.is_private,
            member_count=topic.member_count,
            post_count=topic.post_count,
            created_at=milliseconds(topic.created_at),
            last_activity_at=milliseconds(topic.last_activity_at),
            deleted_at=milliseconds(topic.deleted_at),
            my_role=role,
            can_moderate=may_moderate(role, is_admin=is_admin),
        )

    @classmethod
    def of_access(cls, access: TopicAccess) -> TopicView:
        """The view of the topic an access check returned."""
        return cls.of(access.topic, access.role, is_admin=access.is_admin)


class TopicPage(msgspec.Struct, frozen=True, kw_only=True):
    """One page of topics; ``next_cursor`` is None after the last page."""

    topics: list[TopicView]
    next_cursor: str | None


class TopicMemberQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A page: the ``next_cursor`` of the previous one (none for the first) and how many."""

    cursor: CursorText | None = None
    limit: PageSize = 50


class TopicMemberView(msgspec.Struct, frozen=True, kw_only=True):
    """A member of a topic."""

    user_id: str
    role: Role
    joined_at: int

    @classmethod
    def of(cls, membership: Membership) -> TopicMemberView:
        return cls(
            user_id=membership.user_id,
            role=membership.role,
            joined_at=milliseconds(membership.joined_at),
        )


class TopicMemberPage(msgspec.Struct, frozen=True, kw_only=True):
    """Members in joining order; ``next_cursor`` is None after the last page."""

    members: list[TopicMemberView]
    next_cursor: str | None


class RoleChange(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The member's new role (ownership moves only by transfer)."""

    role: Literal["moderator", "member"]


class OwnershipTransfer(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The member who becomes the owner."""

    user_id: UserId


class InvitationCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Who to invite."""

    user_id: UserId


class InvitationView(msgspec.Struct, frozen=True, kw_only=True):
    """A pending invitation."""

    topic_id: str
    user_id: str
    invited_by: str
    created_at: int
    topic_title: str | None = None

    @classmethod
    def of(cls, invitation: Invitation, topic_title: str | None = None) -> InvitationView:
        return cls(
            topic_id=invitation.scope_id,
            user_id=invitation.user_id,
            invited_by=invitation.invited_by,
            created_at=milliseconds(invitation.created_at),
            topic_title=topic_title,
        )


class InvitationList(msgspec.Struct, frozen=True, kw_only=True):
    """My pending invitations, oldest first; ``next_cursor`` pages on."""

    invitations: list[InvitationView]
    next_cursor: str | None


class BanCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Ban a user, for ``duration_seconds`` or (absent) for good."""

    user_id: UserId
    reason: Reason = ""
    duration_seconds: Annotated[int, Meta(ge=1, le=MAX_BAN_SECONDS)] | None = None


class BanView(msgspec.Struct, frozen=True, kw_only=True):
    """A ban in force; ``expires_at`` None means permanent."""

    topic_id: str
    user_id: str
    banned_by: str
    reason: str
    created_at: int
    expires_at: int | None = None

    @classmethod
    def of(cls, ban: Ban) -> BanView:
        return cls(
            topic_id=ban.scope_id,
            user_id=ban.user_id,
            banned_by=ban.banned_by,
            reason=ban.reason,
            created_at=milliseconds(ban.created_at),
            expires_at=milliseconds(ban.until),
        )


class BanList(msgspec.Struct, frozen=True, kw_only=True):
    """Bans in force; ``next_cursor`` pages on."""

    bans: list[BanView]
    next_cursor: str | None


class MuteState(msgspec.Struct, frozen=True, kw_only=True):
    """Whether the caller muted the topic or post (no notifications from it)."""

    muted: bool
