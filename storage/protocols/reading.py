"""Protocols of read positions, unread and mention counts, and the room directory.

A read position is ``(user, channel) -> seq``: the user has read ``channel`` (a sequenced
channel name, ``chat_room:<id>``, ``dm:<id>`` or ``topic:<id>``) up to ``seq``.  Positions
only ever move forward, whoever writes them (the store keeps the larger value), so
several writers (a room actor, a REST handler on another node) never move one back.

Counts are bounded: every count stops at ``cap`` and reads an index range (the user's
unread mentions, a room's messages above a position), never a whole history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from storage.records import Invitation, Room

COUNT_CAP = 1000
"""The largest unread or mention count reported (clients show "999+")."""
DIRECTORY_SCAN = 2000
"""Rooms one directory search examines at most."""


class ReadPositionStore(Protocol):
    """Read positions per user and channel, and the mentions not read yet."""

    async def advance(self, moves: Sequence[tuple[str, str, int]]) -> None:
        """For each ``(user_id, channel, seq)``: move the position to ``seq`` when it is
        ahead of the stored one (positions never move back), and forget the user's
        recorded mentions in that channel up to ``seq`` (they are read).  One round
        trip per call where the backend allows it."""
        ...

    async def positions(self, user_id: str, channels: Sequence[str]) -> dict[str, int]:
        """The user's stored positions among ``channels`` (a channel never read is absent)."""
        ...

    async def record_mentions(self, channel: str, seq: int, user_ids: Sequence[str]) -> None:
        """Remember that the event ``seq`` of ``channel`` mentions each of ``user_ids``
        (idempotent per user, channel and seq)."""
        ...

    async def mention_counts(
        self, user_id: str, positions: Mapping[str, int], *, cap: int = COUNT_CAP
    ) -> dict[str, int]:
        """Per channel of ``positions``: the user's mentions above that position, at most
        ``cap`` each (channels without one are absent)."""
        ...

    async def unread_room_messages(
        self, user_id: str, positions: Mapping[str, int], *, cap: int = COUNT_CAP
    ) -> dict[str, int]:
        """Per room id of ``positions`` (room id -> read seq): the room's messages above
        that seq not written by ``user_id`` (membership events left out), at most ``cap``
        each; rooms with none are absent."""
        ...

    async def unread_feed_posts(
        self, positions: Mapping[str, int], *, cap: int = COUNT_CAP
    ) -> dict[str, int]:
        """Per ``topic:<id>`` channel of ``positions``: its ``post_created`` events above
        that seq, at most ``cap`` each; channels with none are absent."""
        ...


class RoomDirectoryStore(Protocol):
    """Public rooms by name, and the pending invitations of one room."""

    async def public_rooms(
        self, *, query: str = "", after_id: str | None = None, limit: int = 50
    ) -> tuple[list[Room], str | None]:
        """Public (not private), not deleted rooms whose folded name contains the folded
        ``query`` (a plain substring, never a pattern), by id ascending after
        ``after_id``, at most ``limit`` (1..200); and the id to continue after, None when
        nothing is left.  At most :data:`DIRECTORY_SCAN` rooms are examined per call, so a
        page may hold fewer than ``limit`` rooms and still have a continuation."""
        ...

    async def room_invitations(
        self, room_id: str, *, offset: int = 0, limit: int = 50
    ) -> list[Invitation]:
        """The room's pending invitations, oldest first."""
        ...
