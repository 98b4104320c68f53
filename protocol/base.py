"""Base classes fixing the msgspec configuration every frame and payload shares.

All are ``frozen`` (frames are shared between tasks and cached encodings must stay
valid), ``forbid_unknown_fields`` (the server rejects anything it does not understand),
``kw_only`` (construction names every field) and ``omit_defaults`` (optional fields at their
default are left out of the encoding; a missing field means its default). Frames are tagged
with the ``type`` field; every subclass passes an explicit snake_case ``tag``.
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import get_args

import msgspec

from protocol.channels import Channel
from protocol.fields import EventSeq, RequestId


class Payload(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True, omit_defaults=True
):
    """An untagged object nested in frames (a message, post or comment snapshot)."""


class ClientFrameBase(
    msgspec.Struct,
    frozen=True,
    forbid_unknown_fields=True,
    kw_only=True,
    omit_defaults=True,
    tag_field="type",
):
    """A client-to-server frame. Every one is a request: the server answers it exactly once.

    The reply is ``ack`` or ``error`` echoing ``id`` (``pong`` for ``ping``, ``subscribed``
    for a successful ``subscribe``). The server never interprets ``id``; clients normally
    use a counter starting at 1 and keep ids of in-flight requests unique.
    """

    id: RequestId


class ServerFrameBase(
    msgspec.Struct,
    frozen=True,
    forbid_unknown_fields=True,
    kw_only=True,
    omit_defaults=True,
    tag_field="type",
):
    """A server-to-client frame."""


class ChannelEvent(ServerFrameBase, frozen=True, kw_only=True):
    """An ephemeral event on a channel: not sequenced, never replayed, may be dropped.

    Ephemeral events report state that is either short-lived (typing, call signalling)
    or re-fetched over REST after a reconnect (presence, read positions).
    """

    channel: Channel


class SequencedEvent(ServerFrameBase, frozen=True, kw_only=True):
    """A durable event on a channel, stored before it is sent.

    ``seq`` is 1 for a channel's first event and grows by exactly 1 per event, so a client
    that sees a jump has missed events and resubscribes with ``since_seq``. Events of one
    channel arrive in ``seq`` order; there is no ordering across channels.
    """

    channel: Channel
    seq: EventSeq


def tags_of(union: object) -> Mapping[str, type[msgspec.Struct]]:
    """Map each ``type`` tag of a tagged union of frames to its class, in union order."""
    by_tag: dict[str, type[msgspec.Struct]] = {}
    for frame_type in get_args(union):
        tag = frame_type.__struct_config__.tag
        if not isinstance(tag, str) or tag in by_tag:
            raise TypeError(f"{frame_type.__name__} needs a unique string tag, has {tag!r}")
        by_tag[tag] = frame_type
    return MappingProxyType(by_tag)
