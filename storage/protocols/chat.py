"""Protocols of chat rooms, room messages and direct messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from msgspec import UNSET, UnsetType

from storage.protocols.community import MembershipStore
from storage.records import (
    Conversation,
    DirectMessage,
    Message,
    MessageDraft,
    ReopenedLog,
    Room,
)


class RoomStore(Protocol):
    """Chat rooms inside a topic (``topic_id`` given) or standalone private groups."""

    @property
    def members(self) -> MembershipStore:
        """Members, invitations and bans of these scopes."""
        ...

    async def create(
        self,
        *,
        owner_id: str,
        name: str,
        topic_id: str | None = None,
        description: str = "",
        is_private: bool = False,
    ) -> Room:
        """Create the room with its owner as a member of role ``owner``."""
        ...

    async def get(self, room_id: str) -> Room:
        """The room; ``NotFound`` when unknown or deleted."""
        ...

    async def get_many(self, room_ids: Sequence[str]) -> list[Room]: ...

    async def update(
        self,
        room_id: str,
        *,
        name: str | UnsetType = UNSET,
        description: str | UnsetType = UNSET,
        is_private: bool | UnsetType = UNSET,
        slow_mode_seconds: int | UnsetType = UNSET,
    ) -> Room: ...

    async def delete(self, room_id: str) -> Room:
        """Soft delete."""
        ...

    async def list_for_topic(self, topic_id: str) -> list[Room]:
        """The topic's rooms, oldest first."""
        ...


class MessageStore(Protocol):
    """Room messages, addressed by ``(room_id, seq)``.

    Sequence numbers start at 1 and are gap-free and strictly increasing per room, also
    under concurrent appends from several tasks or nodes. A method returns only after
    the write is durable.

    ``fence`` (cluster mode: the room actor's lease token) makes appends *fenced*: once
    a room was appended to with fence ``f``, an append with a lower fence raises
    ``Conflict("fence")`` and writes nothing, so an owner that lost its lease cannot
    write after a newer owner did.  (Embedded SQLite is single-process; it fences within
    the process.)
    """

    async def append(
        self, room_id: str, draft: MessageDraft, *, fence: int | None = None
    ) -> Message: ...

    async def append_many(
        self, room_id: str, drafts: Sequence[MessageDraft], *, fence: int | None = None
    ) -> list[Message]:
        """Group commit: consecutive sequence numbers, one round trip where possible."""
        ...

    async def get(self, room_id: str, seq: int) -> Message: ...

    async def last_seq(self, room_id: str) -> int:
        """The highest sequence number assigned in the room; 0 when empty."""
        ...

    async def reopen(self, room_id: str, *, recent: int, fence: int | None = None) -> ReopenedLog:
        """Called by a new room owner before it appends: if a writer died between taking a
        sequence number and storing its message, the counter is moved back to the last
        stored message (under ``fence``), so sequence numbers stay gap-free.  Returns the
        last seq and ``(author_id, nonce, seq)`` of the last ``recent`` messages sent
        with a nonce, oldest first (sends stay idempotent across owners)."""
        ...

    async def page_before(
        self, room_id: str, *, before_seq: int | None = None, limit: int = 50
    ) -> list[Message]:
        """Up to ``limit`` messages just below ``before_seq`` (None: the newest), ascending."""
        ...

    async def since(self, room_id: str, *, after_seq: int, limit: int = 200) -> list[Message]:
        """Up to ``limit`` messages above ``after_seq``, ascending (resume after reconnect)."""
        ...

    async def edit(self, room_id: str, seq: int, *, body: str) -> Message:
        """Raises ``Conflict("deleted")`` on a tombstone."""
        ...

    async def delete(self, room_id: str, seq: int) -> Message:
        """Tombstone: body and attachments cleared, sequence kept."""
        ...

    async def add_reaction(self, room_id: str, seq: int, *, user_id: str, emoji: str) -> Message:
        """Idempotent per (user, emoji)."""
        ...

    async def remove_reaction(
        self, room_id: str, seq: int, *, user_id: str, emoji: str
    ) -> Message: ...


class DirectMessageStore(Protocol):
    """Direct messages between two users (see :func:`storage.keys.conversation_id`)."""

    async def send(
        self,
        *,
        sender_id: str,
        recipient_id: str,
        body: str,
        gif_url: str | None = None,
        attachment_ids: Sequence[str] = (),
    ) -> DirectMessage:
        """Store a message (text, a GIF URL, attachments: the caller checked them)."""
        ...

    async def get(self, message_id: str) -> DirectMessage: ...

    async def get_many(self, message_ids: Sequence[str]) -> list[DirectMessage]:
        """The messages that exist among ``message_ids``, in the order asked."""
        ...

    async def list_messages(
        self,
        conversation_id: str,
        *,
        viewer_id: str,
        before_id: str | None = None,
        limit: int = 50,
    ) -> list[DirectMessage]:
        """Up to ``limit`` messages before ``before_id``, not hidden for the viewer, ascending."""
        ...

    async def edit(self, message_id: str, *, body: str) -> DirectMessage: ...

    async def delete_for(self, message_id: str, user_id: str) -> None:
        """Hide the message for one participant only ("delete for me")."""
        ...

    async def unsend(self, message_id: str) -> DirectMessage:
        """Tombstone the message for both participants."""
        ...

    async def mark_read(
        self, conversation_id: str, user_id: str, *, up_to_id: str | None = None
    ) -> int:
        """Mark the messages received by ``user_id`` in the conversation read: every one,
        or those with an id up to ``up_to_id`` (inclusive).  Returns how many changed.
        """
        ...

    async def unread_count(self, user_id: str) -> int: ...

    async def conversations(self, user_id: str, *, limit: int = 50) -> list[Conversation]:
        """The user's conversations by last activity, newest first, with unread counts."""
        ...
