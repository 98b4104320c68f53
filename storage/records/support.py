"""Records of support tickets: a user's conversation with the admins."""

from __future__ import annotations

from typing import Literal, TypeAlias

import msgspec

TicketStatus: TypeAlias = Literal["open", "closed"]


class Ticket(msgspec.Struct, frozen=True, kw_only=True):
    """A support ticket opened by ``user_id``; its messages are :class:`TicketReply`.

    ``reply_count`` counts every message, the opening one included; ``last_reply_by_staff``
    tells whose turn it is (True: the admins answered last).
    """

    id: str
    user_id: str
    subject: str
    status: TicketStatus = "open"
    created_at: float
    updated_at: float
    reply_count: int = 1
    last_reply_by_staff: bool = False
    closed_at: float | None = None
    closed_by: str | None = None


class TicketReply(msgspec.Struct, frozen=True, kw_only=True):
    """One message of a ticket: the opening text or a reply of its opener or an admin."""

    id: str
    ticket_id: str
    author_id: str
    body: str
    by_staff: bool = False
    created_at: float
