"""Records of chat rooms, room messages and direct messages."""

from __future__ import annotations

from typing import Literal, TypeAlias

import msgspec

from storage.records.posts import Edit

RoomKind: TypeAlias = Literal["topic", "group"]


class Room(msgspec.Struct, frozen=True, kw_only=True):
    """A chat room inside a topic (``kind="topic"``) or a standalone private group."""

    id: str
    kind: RoomKind
    name: str
    owner_id: str
    topic_id: str | None = None
    description: str = ""
    is_private: bool = False
    slow_mode_seconds: int = 0
    """Least seconds between two messages of one member (0: only the flood limit)."""
    member_count: int = 0
    created_at: float = 0.0
    deleted_at: float | None = None


class Reaction(msgspec.Struct, frozen=True, kw_only=True):
    """One emoji on a message and who put it there."""

    emoji: str
    user_ids: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.user_ids)


class MessageDraft(msgspec.Struct, frozen=True, kw_only=True):
    """What a caller supplies to append a room message."""

    author_id: str
    body: str
    kind: str = "text"
    reply_to_id: str | None = None
    attachment_ids: tuple[str, ...] = ()
    nonce: str | None = None
    """The sender's idempotency key, kept so a retried send is recognised after failover."""
    gif_url: str | None = None


class Message(msgspec.Struct, frozen=True, kw_only=True):
    """A room message; ``seq`` is gap-free and increasing per room from 1."""

    id: str
    room_id: str
    seq: int
    author_id: str
    body: str
    created_at: float
    kind: str = "text"
    reply_to_id: str | None = None
    attachment_ids: tuple[str, ...] = ()
    reactions: tuple[Reaction, ...] = ()
    edited_at: float | None = None
    deleted_at: float | None = None
    edit_history: tuple[Edit, ...] = ()
    nonce: str | None = None
    gif_url: str | None = None


class ReopenedLog(msgspec.Struct, frozen=True, kw_only=True):
    """What a new owner of a room learns from :meth:`MessageStore.reopen`."""

    last_seq: int
    nonces: tuple[tuple[str, str, int], ...] = ()


class DirectMessage(msgspec.Struct, frozen=True, kw_only=True):
    """A message between two users. ``deleted_at`` marks an unsent (tombstoned) message,
    whose text, GIF and attachments are cleared."""

    id: str
    conversation_id: str
    sender_id: str
    recipient_id: str
    body: str
    created_at: float
    read_at: float | None = None
    edited_at: float | None = None
    deleted_at: float | None = None
    hidden_for: tuple[str, ...] = ()
    edit_history: tuple[Edit, ...] = ()
    gif_url: str | None = None
    attachment_ids: tuple[str, ...] = ()


class Conversation(msgspec.Struct, frozen=True, kw_only=True):
    """A conversation as one participant sees it in their list."""

    id: str
    user_ids: tuple[str, str]
    last_message_id: str
    last_message_at: float
    unread_count: int = 0
