"""Records of topics and of the membership shared by topics and chat rooms."""

from __future__ import annotations

from typing import Literal, TypeAlias

import msgspec

Role: TypeAlias = Literal["owner", "moderator", "member"]
TopicSort: TypeAlias = Literal["activity", "members", "created"]


class Topic(msgspec.Struct, frozen=True, kw_only=True):
    """A community. ``title`` is unique case-insensitively among all topics."""

    id: str
    title: str
    description: str
    owner_id: str
    tags: tuple[str, ...] = ()
    is_private: bool = False
    member_count: int = 0
    post_count: int = 0
    created_at: float = 0.0
    last_activity_at: float = 0.0
    deleted_at: float | None = None


class Membership(msgspec.Struct, frozen=True, kw_only=True):
    """A user's membership of a topic or room (``scope_id``)."""

    scope_id: str
    user_id: str
    role: Role
    joined_at: float


class Invitation(msgspec.Struct, frozen=True, kw_only=True):
    """A pending invitation of ``user_id`` into a topic or room."""

    scope_id: str
    user_id: str
    invited_by: str
    created_at: float


class Ban(msgspec.Struct, frozen=True, kw_only=True):
    """A ban of ``user_id`` from a topic or room; ``until`` None means permanent."""

    scope_id: str
    user_id: str
    banned_by: str
    reason: str
    created_at: float
    until: float | None = None
