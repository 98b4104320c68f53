"""SQLite support tickets and their replies, and the staff lookups of alerts.

The schema is :data:`SUPPORT_MIGRATION` (one entry of
:data:`storage.sqlite.schema.MIGRATIONS`).  Every method is one transaction on the
worker, so the count-then-insert of the per-user and per-ticket bounds is atomic.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import msgspec

from storage.errors import Conflict
from storage.records.support import Ticket, TicketReply, TicketStatus
from storage.rules import page_limit
from storage.sqlite.context import SqliteContext
from storage.sqlite.tables import Table

SUPPORT_MIGRATION = """
CREATE TABLE support_tickets (
    id TEXT PRIMARY KEY, user_id TEXT NOT NULL, status TEXT NOT NULL, doc BLOB NOT NULL);
CREATE INDEX support_tickets_user ON support_tickets (user_id, status, id);
CREATE INDEX support_tickets_status ON support_tickets (status, id);
CREATE TABLE support_replies (
    id TEXT PRIMARY KEY, ticket_id TEXT NOT NULL, doc BLOB NOT NULL);
CREATE INDEX support_replies_ticket ON support_replies (ticket_id, id);
"""

TICKETS = Table(
    "support_tickets",
    Ticket,
    ("id",),
    lambda ticket: {"id": ticket.id, "user_id": ticket.user_id, "status": ticket.status},
)
REPLIES = Table(
    "support_replies",
    TicketReply,
    ("id",),
    lambda reply: {"id": reply.id, "ticket_id": reply.ticket_id},
)


class SqliteSupport:
    """Implements :class:`storage.protocols.support.SupportStore` on SQLite."""

    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
        self._ids = context.ids
        self._clock = context.clock

    async def open_ticket(
        self, *, user_id: str, subject: str, body: str, max_open: int
    ) -> tuple[Ticket, TicketReply]:
        now = self._clock()
        ticket = Ticket(
            id=self._ids.new_id(), user_id=user_id, subject=subject, created_at=now,
            updated_at=now,
        )
        reply = TicketReply(
            id=self._ids.new_id(), ticket_id=ticket.id, author_id=user_id, body=body,
            created_at=now,
        )

        def insert(connection: sqlite3.Connection) -> tuple[Ticket, TicketReply]:
            (count,) = connection.execute(
                "SELECT count(*) FROM support_tickets WHERE user_id = ? AND status = 'open'",
                (user_id,),
            ).fetchone()
            if count >= max_open:
                raise Conflict("open tickets")
            TICKETS.insert(connection, ticket)
            REPLIES.insert(connection, reply)
            return ticket, reply

        return await self._run(insert)

    async def get_ticket(self, ticket_id: str) -> Ticket:
        return await self._run(lambda connection: TICKETS.require(connection, ticket_id))

    async def list_tickets(
        self,
        *,
        user_id: str | None = None,
        status: TicketStatus | None = None,
        before_id: str | None = None,
        limit: int = 50,
    ) -> list[Ticket]:
        clauses = ["id < ?"]
        parameters: list[Any] = [before_id or "~"]
        if user_id is not None:
            clauses.append("user_id = ?")
            parameters.append(user_id)
        if status is not None:
            clauses.append("status = ?")
            parameters.append(status)
        parameters.append(page_limit(limit))
        tail = f"WHERE {' AND '.join(clauses)} ORDER BY id DESC LIMIT ?"
        return await self._run(lambda connection: TICKETS.select(connection, tail, parameters))

    async def add_reply(
        self, ticket_id: str, *, author_id: str, body: str, by_staff: bool, max_replies: int
    ) -> tuple[Ticket, TicketReply]:
        now = self._clock()
        reply = TicketReply(
            id=self._ids.new_id(), ticket_id=ticket_id, author_id=author_id, body=body,
            by_staff=by_staff, created_at=now,
        )

        def append(connection: sqlite3.Connection) -> tuple[Ticket, TicketReply]:
            ticket = TICKETS.require(connection, ticket_id)
            if ticket.status != "open":
                raise Conflict("closed")
            if ticket.reply_count >= max_replies:
                raise Conflict("replies")
            REPLIES.insert(connection, reply)
            changed = msgspec.structs.replace(
                ticket, reply_count=ticket.reply_count + 1, updated_at=now,
                last_reply_by_staff=by_staff,
            )
            return TICKETS.update(connection, changed), reply

        return await self._run(append)

    async def list_replies(
        self, ticket_id: str, *, after_id: str | None = None, limit: int = 50
    ) -> list[TicketReply]:
        parameters = (ticket_id, after_id or "", page_limit(limit))
        return await self._run(
            lambda connection: REPLIES.select(
                connection, "WHERE ticket_id = ? AND id > ? ORDER BY id LIMIT ?", parameters
            )
        )

    async def close_ticket(self, ticket_id: str, *, by: str) -> Ticket:
        now = self._clock()

        def close(ticket: Ticket) -> Ticket:
            if ticket.status != "open":
                raise Conflict("closed")
            return msgspec.structs.replace(
                ticket, status="closed", closed_at=now, closed_by=by, updated_at=now
            )

        return await self._run(lambda connection: TICKETS.modify(connection, (ticket_id,), close))

    async def admin_ids(self, *, limit: int) -> list[str]:
        rows = await self._run(
            lambda connection: connection.execute(
                "SELECT id FROM users WHERE json_extract(CAST(doc AS TEXT), '$.is_admin') = 1"
                " ORDER BY id LIMIT ?",
                (limit,),
            ).fetchall()
        )
        return [row[0] for row in rows]

    async def topic_moderator_ids(self, topic_id: str, *, limit: int) -> list[str]:
        rows = await self._run(
            lambda connection: connection.execute(
                "SELECT user_id FROM members WHERE scope = 'topic' AND scope_id = ?"
                " AND role IN ('owner', 'moderator') ORDER BY joined_at, user_id LIMIT ?",
                (topic_id, limit),
            ).fetchall()
        )
        return [row[0] for row in rows]
