"""Storage records: frozen msgspec Structs returned by every backend alike.

Ids are strings from :class:`storage.keys.IdGenerator`; times are float seconds since
the epoch (UTC), stored as doubles so both backends return them bit for bit.
"""

from storage.records.activity import (
    AuditEntry,
    Call,
    CallOutcome,
    DataValue,
    FileRecord,
    Notification,
    Report,
    ReportState,
)
from storage.records.chat import (
    Conversation,
    DirectMessage,
    Message,
    MessageDraft,
    Reaction,
    ReopenedLog,
    Room,
    RoomKind,
)
from storage.records.feeds import ChannelEvent
from storage.records.posts import (
    Comment,
    CommentSort,
    Edit,
    Post,
    PostSort,
    RemovedComment,
    VoteTally,
    VoteValue,
)
from storage.records.topics import Ban, Invitation, Membership, Role, Topic, TopicSort
from storage.records.users import OneTimeToken, Preferences, PreferenceValue, Session, User

__all__ = [
    "AuditEntry",
    "Ban",
    "Call",
    "CallOutcome",
    "ChannelEvent",
    "Comment",
    "CommentSort",
    "Conversation",
    "DataValue",
    "DirectMessage",
    "Edit",
    "FileRecord",
    "Invitation",
    "Membership",
    "Message",
    "MessageDraft",
    "Notification",
    "OneTimeToken",
    "Post",
    "PostSort",
    "PreferenceValue",
    "Preferences",
    "Reaction",
    "RemovedComment",
    "ReopenedLog",
    "Report",
    "ReportState",
    "Role",
    "Room",
    "RoomKind",
    "Session",
    "Topic",
    "TopicSort",
    "User",
    "VoteTally",
    "VoteValue",
]
