"""Unread and mention counts of a user's channels, from ``store.read_positions``.

Contract: every count is bounded (``COUNT_CAP``, an index range per channel; never a
scan of a history).  Rooms: messages above the read position not by the user; mentions:
those the room's notices actor recorded for the user above it.  Direct messages: the
store's unread messages of the conversation (kept by the ``dm`` actor).  Topics: the
``post_created`` events of the topic's feed (``topic:<id>``) above the position.  A
channel never read has position 0.
"""

from __future__ import annotations

from collections.abc import Sequence

from http_facade.node_access import store
from http_facade.routes.rooms.unread_schemas import ChannelUnread, Unread
from protocol.channels import ChannelKind, channel_name

MAX_ROOMS = 500
MAX_CONVERSATIONS = 200
MAX_TOPICS = 500


async def room_unread(user_id: str, room_ids: Sequence[str]) -> dict[str, Unread]:
    """Per room id: my counts and position (two or three store calls in all)."""
    reads = store().read_positions
    channels = {room_id: channel_name(ChannelKind.CHAT_ROOM, room_id) for room_id in room_ids}
    positions = await reads.positions(user_id, list(channels.values()))
    by_room = {room_id: positions.get(channel, 0) for room_id, channel in channels.items()}
    unread = await reads.unread_room_messages(user_id, by_room)
    mentions = await reads.mention_counts(
        user_id, {channels[room_id]: seq for room_id, seq in by_room.items()}
    )
    return {
        room_id: Unread(
            unread_count=unread.get(room_id, 0),
            mention_count=mentions.get(channels[room_id], 0),
            last_read_seq=seq,
        )
        for room_id, seq in by_room.items()
    }


async def all_unread(user_id: str) -> list[ChannelUnread]:
    """Every channel of mine: rooms, then conversations, then topics."""
    found: list[ChannelUnread] = []
    rooms = await store().rooms.members.list_for_user(user_id, limit=MAX_ROOMS)
    live = await store().rooms.get_many([membership.scope_id for membership in rooms])
    for room_id, counts in (await room_unread(user_id, [room.id for room in live])).items():
        found.append(ChannelUnread(
            channel=channel_name(ChannelKind.CHAT_ROOM, room_id), kind="chat_room", id=room_id,
            unread_count=counts.unread_count, mention_count=counts.mention_count,
            last_read_seq=counts.last_read_seq,
        ))
    reads = store().read_positions
    conversations = await store().direct_messages.conversations(
        user_id, limit=MAX_CONVERSATIONS
    )
    dm_channels = [channel_name(ChannelKind.DM, found.id) for found in conversations]
    dm_positions = await reads.positions(user_id, dm_channels)
    for conversation, channel in zip(conversations, dm_channels, strict=True):
        found.append(ChannelUnread(
            channel=channel, kind="dm", id=conversation.id,
            unread_count=conversation.unread_count, mention_count=0,
            last_read_seq=dm_positions.get(channel, 0),
        ))
    topics = await store().topics.members.list_for_user(user_id, limit=MAX_TOPICS)
    topic_channels = [channel_name(ChannelKind.TOPIC, member.scope_id) for member in topics]
    topic_positions = await reads.positions(user_id, topic_channels)
    by_channel = {channel: topic_positions.get(channel, 0) for channel in topic_channels}
    posts = await reads.unread_feed_posts(by_channel)
    for member, channel in zip(topics, topic_channels, strict=True):
        found.append(ChannelUnread(
            channel=channel, kind="topic", id=member.scope_id,
            unread_count=posts.get(channel, 0), mention_count=0,
            last_read_seq=by_channel[channel],
        ))
    return found
