"""Frames stored in channel logs under revision 1 still replay under revision 2."""

from __future__ import annotations

from typing import Any

import msgspec

from protocol.chat_events import Kicked, MessageEdited
from protocol.feed_events import CommentCreated, PostCreated
from protocol.server_frames import ServerFrame
from protocol.stored import upgrade_stored_frame


def replayed(fields: dict[str, Any]) -> ServerFrame:
    frame: ServerFrame = msgspec.convert(upgrade_stored_frame(fields), ServerFrame)
    return frame


def test_revision_1_snapshots_get_their_id_under_id() -> None:
    post = replayed({
        "type": "post_created", "channel": "topic:t1", "seq": 3,
        "post": {"post_id": "p1", "topic_id": "t1", "author_id": "u1", "title": "hi",
                 "created_at": 1796467491769},
    })
    assert isinstance(post, PostCreated) and post.post.id == "p1"
    comment = replayed({
        "type": "comment_created", "channel": "post:p1", "seq": 1,
        "comment": {"comment_id": "c1", "post_id": "p1", "author_id": "u1", "body": "x",
                    "created_at": 1},
    })
    assert isinstance(comment, CommentCreated)
    assert (comment.comment.id, comment.comment.post_id) == ("c1", "p1")
    edited = replayed({
        "type": "message_edited", "channel": "chat_room:r1", "seq": 9,
        "message": {"message_id": "s4", "author_id": "u1", "text": "new", "created_at": 1},
    })
    assert isinstance(edited, MessageEdited) and edited.message.id == "s4"


def test_revision_1_kicked_keeps_its_ban_end() -> None:
    kicked = replayed({
        "type": "kicked", "channel": "topic:t1", "seq": 2, "user_id": "u2",
        "moderator_id": "u1", "banned": True, "banned_until": 1796467491769,
    })
    assert isinstance(kicked, Kicked) and kicked.ban_expires_at == 1796467491769


def test_current_frames_pass_unchanged() -> None:
    fields = {
        "type": "post_created", "channel": "topic:t1", "seq": 3,
        "post": {"id": "p1", "topic_id": "t1", "author_id": "u1", "title": "hi", "created_at": 1},
    }
    assert upgrade_stored_frame(dict(fields)) == fields
