"""Mongo support tickets (``support_tickets``) and their replies (``support_replies``),
and the staff lookups of alerts; indexes in :mod:`storage.mongo.indexes`.

The per-user bound of open tickets is checked then inserted under a per-user lock of
this process (it may be passed by concurrent openings on several nodes, by at most one
per node); a reply moves its ticket's counter with one conditional update first (open,
under the bound), so closed tickets and full ones take no reply.
"""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING, ReturnDocument

from storage.errors import Conflict
from storage.mongo.documents import Codec, Document, MongoContext
from storage.records.support import Ticket, TicketReply, TicketStatus
from storage.rules import page_limit

TICKETS = Codec(Ticket)
REPLIES = Codec(TicketReply)


class MongoSupport:
    """Implements :class:`storage.protocols.support.SupportStore` on MongoDB."""

    def __init__(self, context: MongoContext) -> None:
        self._tickets = context.database["support_tickets"]
        self._replies = context.database["support_replies"]
        self._users = context.database["users"]
        self._members = context.database["members"]
        self._locks = context.locks
        self._call = context.executor.call
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
        async with self._locks.hold(f"support_tickets:{user_id}"):
            count = await self._call(
                lambda: self._tickets.count_documents({"user_id": user_id, "status": "open"})
            )
            if count >= max_open:
                raise Conflict("open tickets")
            document = TICKETS.encode(ticket)
            await self._call(lambda: self._tickets.insert_one(document), idempotent=False)
        first = REPLIES.encode(reply)
        await self._call(lambda: self._replies.insert_one(first), idempotent=False)
        return ticket, reply

    async def get_ticket(self, ticket_id: str) -> Ticket:
        found = await self._call(lambda: self._tickets.find_one({"_id": ticket_id}))
        return TICKETS.decode_or_raise(found, "ticket", ticket_id)

    async def list_tickets(
        self,
        *,
        user_id: str | None = None,
        status: TicketStatus | None = None,
        before_id: str | None = None,
        limit: int = 50,
    ) -> list[Ticket]:
        query: Document = {}
        if user_id is not None:
            query["user_id"] = user_id
        if status is not None:
            query["status"] = status
        if before_id is not None:
            query["_id"] = {"$lt": before_id}
        size = page_limit(limit)
        found = await self._call(
            lambda: list(self._tickets.find(query).sort("_id", DESCENDING).limit(size))
        )
        return [TICKETS.decode(document) for document in found]

    async def add_reply(
        self, ticket_id: str, *, author_id: str, body: str, by_staff: bool, max_replies: int
    ) -> tuple[Ticket, TicketReply]:
        now = self._clock()
        reply = TicketReply(
            id=self._ids.new_id(), ticket_id=ticket_id, author_id=author_id, body=body,
            by_staff=by_staff, created_at=now,
        )
        changed = await self._call(
            lambda: self._tickets.find_one_and_update(
                {"_id": ticket_id, "status": "open", "reply_count": {"$lt": max_replies}},
                {"$inc": {"reply_count": 1},
                 "$set": {"updated_at": now, "last_reply_by_staff": by_staff}},
                return_document=ReturnDocument.AFTER,
            )
        )
        if changed is None:
            ticket = await self.get_ticket(ticket_id)
            raise Conflict("closed" if ticket.status != "open" else "replies")
        document = REPLIES.encode(reply)
        await self._call(lambda: self._replies.insert_one(document), idempotent=False)
        return TICKETS.decode(changed), reply

    async def list_replies(
        self, ticket_id: str, *, after_id: str | None = None, limit: int = 50
    ) -> list[TicketReply]:
        query: Document = {"ticket_id": ticket_id}
        if after_id is not None:
            query["_id"] = {"$gt": after_id}
        size = page_limit(limit)
        found = await self._call(
            lambda: list(self._replies.find(query).sort("_id", ASCENDING).limit(size))
        )
        return [REPLIES.decode(document) for document in found]

    async def close_ticket(self, ticket_id: str, *, by: str) -> Ticket:
        now = self._clock()
        closed = await self._call(
            lambda: self._tickets.find_one_and_update(
                {"_id": ticket_id, "status": "open"},
                {"$set": {"status": "closed", "closed_at": now, "closed_by": by,
                          "updated_at": now}},
                return_document=ReturnDocument.AFTER,
            )
        )
        if closed is None:
            await self.get_ticket(ticket_id)  # NotFound when there is no such ticket
            raise Conflict("closed")
        return TICKETS.decode(closed)

    async def admin_ids(self, *, limit: int) -> list[str]:
        found = await self._call(
            lambda: list(
                self._users.find({"is_admin": True}, {"_id": 1}).sort("_id", ASCENDING)
                .limit(limit)
            )
        )
        return [document["_id"] for document in found]

    async def topic_moderator_ids(self, topic_id: str, *, limit: int) -> list[str]:
        query = {"scope": "topic", "scope_id": topic_id, "role": {"$in": ["owner", "moderator"]}}
        found = await self._call(
            lambda: list(
                self._members.find(query, {"user_id": 1})
                .sort([("joined_at", ASCENDING), ("user_id", ASCENDING)]).limit(limit)
            )
        )
        return [document["user_id"] for document in found]
