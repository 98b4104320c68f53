"""Notifications of deleted content lose its text.

Contract: when a post, comment, room message or direct message is deleted, its owning
actor empties the text (``body``) of every notification that quotes it, before the
content itself is deleted (a retried delete then redacts again: the step is idempotent).
Notifications keep their kind, ``subject``, ``object_id`` and link, so a client still
shows that something happened.  A comment, room message or DM is found by its
``subject`` channel and ``object_id`` (``store.notifications.redact``); a post by its
topic's channel and the post id (post mentions), and by its own ``post:<id>`` channel
(replies and comments under it, whose titles quote the post's title, replaced by
:data:`DELETED_POST_TITLE`).  Restoring content does not bring the text back.
"""

from __future__ import annotations

from protocol.channels import ChannelKind, channel_name
from storage.protocols import Store

DELETED_POST_TITLE = "A deleted post"


async def redact_post_notifications(store: Store, topic_channel: str, post_id: str) -> None:
    """Empty the notifications of post ``post_id`` and of everything under it."""
    await store.notifications.redact(topic_channel, post_id, title=DELETED_POST_TITLE)
    await store.notifications.redact(
        channel_name(ChannelKind.POST, post_id), title=DELETED_POST_TITLE
    )
