"""Messages of the post actor (kind ``post``, one per post): its comments and their votes."""

from __future__ import annotations

import msgspec

from services.principal import Principal
from storage.records import VoteValue

POST = "post"
"""The actor kind name; the actor id is the post id."""

MAX_COMMENT_DEPTH = 8
"""Comments nest at most this deep: a top-level comment has depth 0, so replies to a
comment at depth ``MAX_COMMENT_DEPTH - 1`` are refused (``invalid``)."""


class CreateComment(msgspec.Struct, frozen=True, kw_only=True):
    """Comment on the post, or reply to ``parent_id``. Reply Comment."""

    by: Principal
    body: str
    parent_id: str | None = None
    anonymous: bool = False


class EditComment(msgspec.Struct, frozen=True, kw_only=True):
    """Replace a comment's text (its author). Reply Comment."""

    by: Principal
    comment_id: str
    body: str


class DeleteComment(msgspec.Struct, frozen=True, kw_only=True):
    """Turn a comment into a tombstone (author, moderators). Reply Comment."""

    by: Principal
    comment_id: str


class RestoreComment(msgspec.Struct, frozen=True, kw_only=True):
    """Bring back a deleted comment (admins only; the post must be live); announced again
    as ``comment_created``. Reply Comment."""

    by: Principal
    comment_id: str


class PurgeComment(msgspec.Struct, frozen=True, kw_only=True):
    """Drop a deleted comment's text and author for good (admins only). Reply Comment."""

    by: Principal
    comment_id: str


class VoteComment(msgspec.Struct, frozen=True, kw_only=True):
    """Set ``by``'s vote on a comment (0 withdraws it). Reply VoteTally."""

    by: Principal
    comment_id: str
    value: VoteValue
