"""Protocols of channel event logs and of follows and mutes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from storage.records import ChannelEvent


class ChannelEventStore(Protocol):
    """Durable, gap-free event logs, one per channel name.

    Sequence numbers start at 1 and grow by exactly 1 per :meth:`append` on a channel,
    whoever appends (they are reserved atomically, as room messages are). Publishing the
    events in ``seq`` order is the caller's job: one writer per channel.
    """

    async def append(self, channel: str, *, kind: str, data: str) -> ChannelEvent:
        """Store an event with the channel's next sequence number and return it."""
        ...

    async def last_seq(self, channel: str) -> int:
        """The channel's latest sequence number; 0 before its first event."""
        ...

    async def since(self, channel: str, *, after_seq: int, limit: int = 200) -> list[ChannelEvent]:
        """Events with ``seq > after_seq`` in order, at most ``limit`` (1..1000)."""
        ...


class FollowStore(Protocol):
    """Who follows which object (to be notified) and who muted which (never notified).

    Targets are ids of posts, topics or any other record; ids are unique across kinds.
    Following and muting are independent and idempotent.
    """

    async def follow(self, user_id: str, target_id: str) -> bool:
        """Follow; False when already following."""
        ...

    async def unfollow(self, user_id: str, target_id: str) -> bool:
        """Stop following; False when not following."""
        ...

    async def is_following(self, user_id: str, target_id: str) -> bool: ...

    async def followers(self, target_id: str, *, limit: int = 1000) -> list[str]:
        """Ids of the target's followers in the order they followed (1..1000)."""
        ...

    async def mute(self, user_id: str, target_id: str) -> bool:
        """Mute; False when already muted."""
        ...

    async def unmute(self, user_id: str, target_id: str) -> bool:
        """Unmute; False when not muted."""
        ...

    async def muting(self, user_ids: Sequence[str], target_ids: Sequence[str]) -> set[str]:
        """The users among ``user_ids`` who muted at least one of ``target_ids``."""
        ...
