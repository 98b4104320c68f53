"""The tagged union :data:`ServerFrame` of every server-to-client frame.

The frames themselves live by subject in :mod:`protocol.control_frames`,
:mod:`protocol.chat_events`, :mod:`protocol.feed_events` and :mod:`protocol.call_frames`.
"""

from collections.abc import Mapping
from typing import TypeAlias

import msgspec

from protocol.base import tags_of
from protocol.call_frames import CallRinging, CallSignalReceived, CallStateChanged
from protocol.chat_events import (
    Kicked,
    MemberJoined,
    MemberLeft,
    MessageCreated,
    MessageDeleted,
    MessageEdited,
    PresenceChanged,
    ReactionChanged,
    ReadReceipt,
    TypingChanged,
)
from protocol.control_frames import (
    Ack,
    ErrorReply,
    Evicted,
    Goodbye,
    ModerationWarning,
    Pong,
    Subscribed,
)
from protocol.feed_events import (
    CommentCreated,
    CommentDeleted,
    CommentEdited,
    Notification,
    PostCreated,
    PostDeleted,
    PostEdited,
    VoteChanged,
)

ServerFrame: TypeAlias = (
    Ack
    | ErrorReply
    | Pong
    | Subscribed
    | Evicted
    | ModerationWarning
    | Goodbye
    | MessageCreated
    | MessageEdited
    | MessageDeleted
    | ReactionChanged
    | TypingChanged
    | PresenceChanged
    | ReadReceipt
    | MemberJoined
    | MemberLeft
    | Kicked
    | PostCreated
    | PostEdited
    | PostDeleted
    | CommentCreated
    | CommentEdited
    | CommentDeleted
    | VoteChanged
    | Notification
    | CallRinging
    | CallStateChanged
    | CallSignalReceived
)
"""Every frame the server may send, discriminated by its ``type`` field."""

SERVER_FRAME_TAGS: Mapping[str, type[msgspec.Struct]] = tags_of(ServerFrame)
"""Each server frame ``type`` tag and its class."""
