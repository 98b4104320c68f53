"""Request and response bodies of ``/api/tickets`` (support tickets)."""

from __future__ import annotations

import enum
from typing import Annotated

import msgspec
from msgspec import Meta

from http_facade.pagination import CursorText, Position
from protocol.fields import Identifier, milliseconds
from storage.records.support import Ticket, TicketReply, TicketStatus

Subject = Annotated[str, Meta(min_length=1, max_length=200, pattern=r"\S")]
Body = Annotated[str, Meta(min_length=1, max_length=4000, pattern=r"\S")]
PageSize = Annotated[int, Meta(ge=1, le=100)]


class AfterIdPosition(Position, frozen=True, kw_only=True, tag="a"):
    """The next page holds the items just after the item ``a`` (oldest first lists)."""

    a: Identifier


class TicketScope(enum.StrEnum):
    """Whose tickets a list shows: mine, or (admins) everyone's."""

    MINE = "mine"
    ALL = "all"


class TicketCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Open a ticket to the admins: a subject and the first message."""

    subject: Subject
    body: Body


class ReplyCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A reply on a ticket (its opener or an admin)."""

    body: Body


class TicketQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A page of tickets, newest first; ``scope=all`` is for admins."""

    scope: TicketScope = TicketScope.MINE
    status: TicketStatus | None = None
    cursor: CursorText | None = None
    limit: PageSize = 50


class ReplyQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A page of a ticket's messages, oldest first."""

    cursor: CursorText | None = None
    limit: PageSize = 50


class TicketView(msgspec.Struct, frozen=True, kw_only=True):
    """A ticket as its opener and the admins see it."""

    id: str
    user_id: str
    subject: str
    status: TicketStatus
    reply_count: int
    awaiting_staff: bool
    """True while the opener spoke last: the admins' turn."""
    created_at: int
    updated_at: int
    closed_at: int | None = None
    closed_by: str | None = None

    @classmethod
    def of(cls, ticket: Ticket) -> TicketView:
        """The view of a stored ticket."""
        return cls(
            id=ticket.id, user_id=ticket.user_id, subject=ticket.subject, status=ticket.status,
            reply_count=ticket.reply_count,
            awaiting_staff=ticket.status == "open" and not ticket.last_reply_by_staff,
            created_at=milliseconds(ticket.created_at),
            updated_at=milliseconds(ticket.updated_at),
            closed_at=milliseconds(ticket.closed_at), closed_by=ticket.closed_by,
        )


class ReplyView(msgspec.Struct, frozen=True, kw_only=True):
    """One message of a ticket; ``by_staff`` when an admin wrote it."""

    id: str
    ticket_id: str
    author_id: str
    body: str
    by_staff: bool
    created_at: int

    @classmethod
    def of(cls, reply: TicketReply) -> ReplyView:
        """The view of a stored reply."""
        return cls(
            id=reply.id, ticket_id=reply.ticket_id, author_id=reply.author_id, body=reply.body,
            by_staff=reply.by_staff, created_at=milliseconds(reply.created_at),
        )


class TicketList(msgspec.Struct, frozen=True, kw_only=True):
    """A page of tickets; ``next_cursor`` pages on (None on the last page)."""

    tickets: list[TicketView]
    next_cursor: str | None


class ReplyList(msgspec.Struct, frozen=True, kw_only=True):
    """A page of a ticket's messages; ``next_cursor`` pages on (None on the last page)."""

    replies: list[ReplyView]
    next_cursor: str | None


class TicketWithReply(msgspec.Struct, frozen=True, kw_only=True):
    """A ticket after a message was added, and that message."""

    ticket: TicketView
    reply: ReplyView
