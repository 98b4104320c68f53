"""Support tickets, and who staffs support and moderation (the recipients of alerts)."""

from __future__ import annotations

from typing import Protocol

from storage.records.support import Ticket, TicketReply, TicketStatus


class SupportStore(Protocol):
    """Tickets (newest first by id), their replies (oldest first), and staff lookups.

    Bounds are the caller's and checked atomically with the write: ``max_open`` open
    tickets per user, ``max_replies`` messages per ticket (``Conflict``).
    """

    async def open_ticket(
        self, *, user_id: str, subject: str, body: str, max_open: int
    ) -> tuple[Ticket, TicketReply]:
        """Store a ticket and its opening message; ``Conflict("open tickets")`` when the
        user already has ``max_open`` open tickets."""
        ...

    async def get_ticket(self, ticket_id: str) -> Ticket:
        """The ticket; ``NotFound`` otherwise."""
        ...

    async def list_tickets(
        self,
        *,
        user_id: str | None = None,
        status: TicketStatus | None = None,
        before_id: str | None = None,
        limit: int = 50,
    ) -> list[Ticket]:
        """Tickets newest first (of ``user_id``, in ``status``, older than ``before_id``)."""
        ...

    async def add_reply(
        self, ticket_id: str, *, author_id: str, body: str, by_staff: bool, max_replies: int
    ) -> tuple[Ticket, TicketReply]:
        """Append a message; ``NotFound`` for no ticket, ``Conflict("closed")`` for a
        closed one, ``Conflict("replies")`` past ``max_replies`` messages."""
        ...

    async def list_replies(
        self, ticket_id: str, *, after_id: str | None = None, limit: int = 50
    ) -> list[TicketReply]:
        """A ticket's messages oldest first, after ``after_id``."""
        ...

    async def close_ticket(self, ticket_id: str, *, by: str) -> Ticket:
        """Close an open ticket; ``NotFound``, or ``Conflict("closed")`` when it was."""
        ...

    async def admin_ids(self, *, limit: int) -> list[str]:
        """Ids of admin accounts (at most ``limit``, by id)."""
        ...

    async def topic_moderator_ids(self, topic_id: str, *, limit: int) -> list[str]:
        """Ids of the owner and moderators of a topic (at most ``limit``)."""
        ...
