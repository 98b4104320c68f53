"""Who may do what in a direct-message conversation: the direct domain's access rules.

A conversation belongs to its two participants, and nobody else — admins included —
may read it, subscribe to ``dm:<id>``, send, mark read or mute.  Who takes part is
decided from the conversation id alone (:func:`storage.keys.conversation_partner`), so
no lookup is needed.  Within a conversation a message's sender owns it: only they edit
or unsend it, while either participant may hide any message for themselves.  Pure
functions, applied by the conversation actor (:mod:`actors.direct.conversation`), the
WebSocket channel route (:class:`actors.direct.channels.DirectChannels`) and the REST
facade (``/api/messages``, reports of direct messages).
"""

from __future__ import annotations

from protocol.errors import ErrorCode
from services.errors import DomainError
from storage.keys import conversation_partner
from storage.records import DirectMessage

NOT_A_PARTICIPANT = "you are not part of this conversation"


def partner_in(conversation: str, user_id: str) -> str:
    """The other participant of ``conversation`` when ``user_id`` takes part in it;
    :class:`DomainError` ``forbidden`` otherwise."""
    partner = conversation_partner(conversation, user_id)
    if partner is None:
        raise DomainError(ErrorCode.FORBIDDEN, NOT_A_PARTICIPANT)
    return partner


def takes_part(user_id: str, message: DirectMessage) -> bool:
    """Whether ``user_id`` is the sender or the recipient of ``message``."""
    return user_id in (message.sender_id, message.recipient_id)


def owns_message(user_id: str, message: DirectMessage) -> bool:
    """Whether ``user_id`` may edit or unsend ``message``: its sender only."""
    return message.sender_id == user_id
