"""Restoring and purging deleted comments inside the post actor's turn (admins only).

Contract:

* :func:`require_admin` refuses (``forbidden``) anyone but a global admin: restore and
  purge are admin tools, as topic restore is.
* :meth:`CommentTrash.restore` writes the comment back (storage's
  :mod:`storage.trash` rules: ``conflict`` for a live or purged comment), then records
  ``comment_created`` with the restored comment on ``post:<id>`` before replying, as a
  new comment would be; the post itself must be live (the caller checks it).
* :meth:`CommentTrash.purge` drops the set-aside text and author for good; subscribers
  already saw the deletion, so nothing is announced.
"""

from __future__ import annotations

from actors.community.access import may_manage_trash
from actors.community.payloads import comment_payload
from actors.realtime.channel_log import UNSEQUENCED, ChannelLog
from protocol.errors import ErrorCode
from protocol.feed_events import CommentCreated
from services.errors import DomainError
from services.principal import Principal
from storage.errors import Conflict
from storage.protocols import Store
from storage.records import Comment


def require_admin(by: Principal, action: str) -> None:
    """Refuse ``forbidden`` unless ``by`` may manage the trash
    (:func:`actors.community.access.may_manage_trash`: global admins)."""
    if not may_manage_trash(by):
        raise DomainError(ErrorCode.FORBIDDEN, f"only administrators may {action}")


class CommentTrash:
    """The comment restore and purge of one post actor; see the module docstring."""

    __slots__ = ("_channel", "_log", "_store")

    def __init__(self, store: Store, log: ChannelLog, channel: str) -> None:
        self._store = store
        self._log = log
        self._channel = channel

    async def restore(self, comment: Comment) -> Comment:
        """Bring ``comment`` back and announce it."""
        try:
            restored = await self._store.comments.restore(comment.id)
        except Conflict as error:
            raise DomainError(ErrorCode.CONFLICT, str(error)) from None
        await self._log.record(
            CommentCreated(
                channel=self._channel, seq=UNSEQUENCED, comment=comment_payload(restored)
            )
        )
        return restored

    async def purge(self, comment: Comment) -> Comment:
        """Drop ``comment``'s set-aside content for good."""
        try:
            return await self._store.comments.purge(comment.id)
        except Conflict as error:
            raise DomainError(ErrorCode.CONFLICT, str(error)) from None
