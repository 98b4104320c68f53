"""Channel names: ``"<kind>:<id>"`` strings naming what a client subscribes to.

A channel is a plain string on the wire (cheap to compare, usable as a dict key, readable
in logs), validated at decode by a pattern: a known :class:`ChannelKind`, a colon, and an
:data:`~protocol.fields.Identifier`. Build names with :func:`channel_name` and take them
apart with :func:`parse_channel` rather than by hand.
"""

import enum
import re
from typing import Annotated, NamedTuple, TypeAlias

from msgspec import Meta

from protocol import limits
from protocol.fields import whole_string_pattern


class ChannelKind(enum.StrEnum):
    """What a channel carries; its id is the id of the object of that kind."""

    TOPIC = "topic"
    """Posts of a topic, topic membership."""
    POST = "post"
    """Comments and votes of one post."""
    CHAT_ROOM = "chat_room"
    """Messages, reactions, typing, read receipts and members of a chat room."""
    DM = "dm"
    """One direct-message conversation; its id is the conversation id."""
    USER = "user"
    """A user's own feed: notifications, incoming calls. Only that user may subscribe."""
    CALL = "call"
    """Signalling and state of one call; only its participants may subscribe."""


_KINDS_PATTERN = "|".join(kind.value for kind in ChannelKind)
CHANNEL_PATTERN = whole_string_pattern(
    rf"(?:{_KINDS_PATTERN}):[A-Za-z0-9_-]{{1,{limits.MAX_ID_LENGTH}}}"
)
_CHANNEL_REGEX = re.compile(CHANNEL_PATTERN)

Channel: TypeAlias = Annotated[
    str,
    Meta(
        pattern=CHANNEL_PATTERN,
        description="A channel name '<kind>:<id>', for example 'chat_room:r42'.",
        examples=["chat_room:r42", "topic:python", "user:u7", "dm:c9", "call:k3"],
    ),
]

MESSAGE_CHANNEL_KINDS = frozenset({ChannelKind.CHAT_ROOM, ChannelKind.DM})
"""Kinds of channel that hold chat messages (``send_message`` and friends)."""


class ChannelRef(NamedTuple):
    """A parsed channel name."""

    kind: ChannelKind
    id: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.id}"


def channel_name(kind: ChannelKind, object_id: str) -> Channel:
    """Return the channel name for ``object_id`` of ``kind``.

    Raises ``ValueError`` when ``object_id`` is not a valid identifier, so a server never
    emits a channel its own decoders would reject.
    """
    name = f"{ChannelKind(kind).value}:{object_id}"
    if _CHANNEL_REGEX.fullmatch(name) is None:
        raise ValueError(f"not a valid channel id: {object_id!r}")
    return name


def parse_channel(name: str) -> ChannelRef:
    """Split a channel name into kind and id; ``ValueError`` if it is not a channel name."""
    if _CHANNEL_REGEX.fullmatch(name) is None:
        raise ValueError(f"not a channel name: {name!r}")
    kind, _, object_id = name.partition(":")
    return ChannelRef(ChannelKind(kind), object_id)


def channel_kind(name: str) -> ChannelKind | None:
    """The kind of channel ``name``, or ``None`` if it is not a valid channel name."""
    try:
        return parse_channel(name).kind
    except ValueError:
        return None


def is_message_channel(name: str) -> bool:
    """Whether ``name`` is a valid channel that holds chat messages (chat room or DM)."""
    return channel_kind(name) in MESSAGE_CHANNEL_KINDS
