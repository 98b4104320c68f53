"""Storage protocols, one per aggregate, shaped by what actors and the facade need."""

from storage.protocols.activity import CallStore, FileStore, NotificationStore, ReportStore
from storage.protocols.authored import AuthoredStore
from storage.protocols.chat import DirectMessageStore, MessageStore, RoomStore
from storage.protocols.community import CommentStore, MembershipStore, PostStore, TopicStore
from storage.protocols.feeds import ChannelEventStore, FollowStore
from storage.protocols.identity import DocumentSessionStore, SessionStore, TokenStore, UserStore
from storage.protocols.search import SearchStore
from storage.protocols.store import Store

__all__ = [
    "AuthoredStore",
    "CallStore",
    "ChannelEventStore",
    "CommentStore",
    "DirectMessageStore",
    "DocumentSessionStore",
    "FileStore",
    "FollowStore",
    "MembershipStore",
    "MessageStore",
    "NotificationStore",
    "PostStore",
    "ReportStore",
    "RoomStore",
    "SearchStore",
    "SessionStore",
    "Store",
    "TokenStore",
    "TopicStore",
    "UserStore",
]
