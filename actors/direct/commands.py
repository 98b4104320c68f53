"""The messages a direct-message conversation actor accepts (see :mod:`actors.direct.conversation`).

The actor's id is the conversation id (:func:`storage.keys.conversation_id`).  Each
message names the acting user; the actor checks that the user takes part in the
conversation and, for anything that reaches the other participant, that neither blocked
the other.
"""

from __future__ import annotations

import msgspec

from protocol.enums import TypingState

DIRECT_CONVERSATION = "dm"
"""The actor kind name; the actor id is the conversation id."""


class SendDirect(msgspec.Struct, frozen=True, kw_only=True):
    """Send ``text`` from ``user_id`` to the other participant; replies ``MessageAccepted``.

    ``gif_url`` (an https URL, checked by the wire types) and ``attachment_ids`` (files
    ``user_id`` uploaded: checked by the actor) may come with or instead of text.
    """

    user_id: str
    text: str
    nonce: str | None = None
    gif_url: str | None = None
    attachment_ids: tuple[str, ...] = ()


class EditDirect(msgspec.Struct, frozen=True, kw_only=True):
    """Replace the text of the author's own message; replies ``MessageAccepted``."""

    user_id: str
    message_id: str
    text: str


class UnsendDirect(msgspec.Struct, frozen=True, kw_only=True):
    """Delete the author's own message for both participants (a tombstone stays);
    replies ``MessageAccepted``."""

    user_id: str
    message_id: str


class HideDirect(msgspec.Struct, frozen=True, kw_only=True):
    """Delete a message for ``user_id`` only ("delete for me"); replies None.

    Private to that user: no event is published on the shared channel, and a replay for
    them shows the message as ``message_deleted``.
    """

    user_id: str
    message_id: str


class MarkDirectRead(msgspec.Struct, frozen=True, kw_only=True):
    """``user_id`` read the channel up to ``up_to_seq``; the other participant gets a
    ``read_receipt``.  Replies None."""

    user_id: str
    up_to_seq: int


class SetDirectTyping(msgspec.Struct, frozen=True, kw_only=True):
    """Tell the other participant that ``user_id`` started or stopped typing (ephemeral)."""

    user_id: str
    state: TypingState = TypingState.START


class CheckParticipant(msgspec.Struct, frozen=True, kw_only=True):
    """Return None when ``user_id`` takes part in the conversation; ``forbidden`` otherwise."""

    user_id: str
