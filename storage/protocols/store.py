"""The store: one object with an attribute per aggregate."""

from __future__ import annotations

from typing import Literal, Protocol

from storage.protocols.activity import CallStore, FileStore, NotificationStore, ReportStore
from storage.protocols.api_tokens import ApiTokenStore
from storage.protocols.authored import AuthoredStore
from storage.protocols.chat import DirectMessageStore, MessageStore, RoomStore
from storage.protocols.community import CommentStore, PostStore, TopicStore
from storage.protocols.delivery import DeliveryStore
from storage.protocols.feeds import ChannelEventStore, FollowStore
from storage.protocols.identity import DocumentSessionStore, TokenStore, UserStore
from storage.protocols.pictures import PictureStore
from storage.protocols.reading import ReadPositionStore, RoomDirectoryStore
from storage.protocols.search import SearchStore
from storage.protocols.security import AccountRequestStore, PasskeyStore, SecurityEventStore
from storage.protocols.social import FriendStore, HiddenStore
from storage.protocols.support import SupportStore
from storage.protocols.webhooks import WebhookStore


class Store(Protocol):
    """Everything the actors and the facade persist, behind one handle.

    Obtained from :func:`storage.open_store`, which owns its lifetime.
    """

    @property
    def backend(self) -> Literal["sqlite", "mongo"]: ...

    @property
    def users(self) -> UserStore: ...

    @property
    def tokens(self) -> TokenStore: ...

    @property
    def sessions(self) -> DocumentSessionStore: ...

    @property
    def topics(self) -> TopicStore: ...

    @property
    def posts(self) -> PostStore: ...

    @property
    def comments(self) -> CommentStore: ...

    @property
    def rooms(self) -> RoomStore: ...

    @property
    def messages(self) -> MessageStore: ...

    @property
    def direct_messages(self) -> DirectMessageStore: ...

    @property
    def notifications(self) -> NotificationStore: ...

    @property
    def reports(self) -> ReportStore: ...

    @property
    def calls(self) -> CallStore: ...

    @property
    def files(self) -> FileStore: ...

    @property
    def pictures(self) -> PictureStore:
        """Avatars, topic and room pictures: one per subject."""
        ...

    @property
    def channel_events(self) -> ChannelEventStore: ...

    @property
    def read_positions(self) -> ReadPositionStore:
        """Read positions per user and channel, unread and mention counts."""
        ...

    @property
    def room_directory(self) -> RoomDirectoryStore:
        """Public rooms by name; a room's pending invitations."""
        ...

    @property
    def follows(self) -> FollowStore: ...

    @property
    def authored(self) -> AuthoredStore:
        """By-author reads across posts, comments and messages (admins' review)."""
        ...

    @property
    def search(self) -> SearchStore:
        """Full-text search within what the caller may read (``docs/SEARCH.md``)."""
        ...

    @property
    def passkeys(self) -> PasskeyStore: ...

    @property
    def security_events(self) -> SecurityEventStore:
        """The login audit of each user."""
        ...

    @property
    def account_requests(self) -> AccountRequestStore:
        """Data exports and account deletions (docs/AUTH.md)."""
        ...

    @property
    def api_tokens(self) -> ApiTokenStore:
        """Personal access tokens and bot ownership (docs/AUTH.md, "Tokens")."""
        ...

    @property
    def webhooks(self) -> WebhookStore:
        """Outgoing webhooks, their delivery queue and log (docs/WEBHOOKS.md)."""
        ...

    @property
    def friends(self) -> FriendStore:
        """Friend requests and friendships (docs/COMMUNITY.md, "Friends")."""
        ...

    @property
    def hidden(self) -> HiddenStore:
        """The topics and users each user hid from their feeds and lists."""
        ...

    @property
    def delivery(self) -> DeliveryStore:
        """Offline delivery: push subscriptions, preferences, digests (docs/NOTIFICATIONS.md)."""
        ...

    @property
    def support(self) -> SupportStore:
        """Support tickets, and who staffs support and moderation (docs/MODERATION.md)."""
        ...

    async def ping(self) -> None:
        """Readiness: return when the backend answers, raise ``StorageUnavailable`` otherwise."""
        ...
