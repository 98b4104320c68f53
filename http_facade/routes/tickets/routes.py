"""``/api/tickets``: a user opens a support ticket to the admins; both sides reply; admins
close it.

Contract:

* A ticket is seen by its opener and by admins only; anyone else gets 404 ``not_found``
  (the same answer as for no ticket), never 403: ids of others' tickets leak nothing.
* ``POST /api/tickets``: open a ticket (subject and first message), at most
  :data:`MAX_OPEN_TICKETS` open at once per user (409 ``conflict`` beyond).
* ``GET /api/tickets``: mine (``scope=mine``, the default) or, for admins, everyone's
  (``scope=all``; 403 otherwise), optionally by ``status``; newest first, paged by
  ``cursor``.  ``GET /api/tickets/{id}``, ``GET /api/tickets/{id}/replies`` (oldest first).
* ``POST /api/tickets/{id}/replies``: its opener or an admin adds a message (at most
  :data:`MAX_REPLIES` per ticket; 409 ``conflict`` on a closed ticket).
* ``POST /api/tickets/{id}/close``: admins close an open ticket (409 when closed).
* Notifications (kind ``ticket``, :mod:`http_facade.routes.tickets.notices`): opening
  and the opener's replies notify the admins; admins' replies and closing notify the
  opener.
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from http_facade.errors import ApiError
from http_facade.guard import admin_required, login_required
from http_facade.node_access import checked_id, store
from http_facade.pagination import BeforeIdPosition, decode_cursor, next_cursor
from http_facade.routes.tickets.notices import notify_opener, notify_staff
from http_facade.routes.tickets.schemas import (
    AfterIdPosition,
    ReplyCreate,
    ReplyList,
    ReplyQuery,
    ReplyView,
    TicketCreate,
    TicketList,
    TicketQuery,
    TicketScope,
    TicketView,
    TicketWithReply,
)
from http_facade.validation import validate_body
from protocol.errors import ErrorCode
from services.principal import Principal
from storage.errors import Conflict, NotFound
from storage.records.support import Ticket

MAX_OPEN_TICKETS = 5
"""Open tickets one user may have at once."""
MAX_REPLIES = 200
"""Messages one ticket holds at most, the opening one included."""

blueprint = Blueprint("tickets", __name__, url_prefix="/api/tickets")
tag_blueprint(blueprint, ["support"])


def may_see(principal: Principal, ticket: Ticket) -> bool:
    """The one read rule: the ticket's opener and admins."""
    return principal.is_admin or ticket.user_id == principal.user_id


async def visible_ticket(principal: Principal, ticket_id: str) -> Ticket:
    """The ticket when ``principal`` may see it; 404 otherwise (see the module)."""
    try:
        ticket = await store().support.get_ticket(checked_id(ticket_id, "ticket"))
    except NotFound:
        raise ApiError(ErrorCode.NOT_FOUND, "no such ticket") from None
    if not may_see(principal, ticket):
        raise ApiError(ErrorCode.NOT_FOUND, "no such ticket")
    return ticket


@blueprint.post("")
@login_required
@validate_body(TicketCreate)
@validate_response(TicketWithReply, 201)
async def open_ticket(principal: Principal, data: TicketCreate) -> tuple[TicketWithReply, int]:
    """Open a ticket to the admins; they are notified."""
    try:
        ticket, first = await store().support.open_ticket(
            user_id=principal.user_id, subject=data.subject, body=data.body,
            max_open=MAX_OPEN_TICKETS,
        )
    except Conflict:
        raise ApiError(
            ErrorCode.CONFLICT, f"you have {MAX_OPEN_TICKETS} open tickets: wait for an answer"
        ) from None
    await notify_staff(ticket, f"New support ticket: {ticket.subject}", data.body,
                       principal.user_id)
    return TicketWithReply(ticket=TicketView.of(ticket), reply=ReplyView.of(first)), 201


@blueprint.get("")
@login_required
@validate_querystring(TicketQuery)
@validate_response(TicketList)
async def list_tickets(principal: Principal, query_args: TicketQuery) -> TicketList:
    """My tickets, or (admins, ``scope=all``) everyone's; newest first."""
    if query_args.scope is TicketScope.ALL and not principal.is_admin:
        raise ApiError(ErrorCode.FORBIDDEN, "only admins list every ticket")
    before = decode_cursor(query_args.cursor, BeforeIdPosition)
    tickets = await store().support.list_tickets(
        user_id=None if query_args.scope is TicketScope.ALL else principal.user_id,
        status=query_args.status,
        before_id=None if before is None else before.b,
        limit=query_args.limit,
    )
    full_page = bool(tickets) and len(tickets) == query_args.limit
    return TicketList(
        tickets=[TicketView.of(ticket) for ticket in tickets],
        next_cursor=next_cursor(BeforeIdPosition(b=tickets[-1].id) if full_page else None),
    )


@blueprint.get("/<ticket_id>")
@login_required
@validate_response(TicketView)
async def one_ticket(principal: Principal, ticket_id: str) -> TicketView:
    """One ticket (its opener and admins)."""
    return TicketView.of(await visible_ticket(principal, ticket_id))


@blueprint.get("/<ticket_id>/replies")
@login_required
@validate_querystring(ReplyQuery)
@validate_response(ReplyList)
async def replies(principal: Principal, ticket_id: str, query_args: ReplyQuery) -> ReplyList:
    """A ticket's messages, oldest first (its opener and admins)."""
    ticket = await visible_ticket(principal, ticket_id)
    after = decode_cursor(query_args.cursor, AfterIdPosition)
    found = await store().support.list_replies(
        ticket.id, after_id=None if after is None else after.a, limit=query_args.limit
    )
    full_page = bool(found) and len(found) == query_args.limit
    return ReplyList(
        replies=[ReplyView.of(reply) for reply in found],
        next_cursor=next_cursor(AfterIdPosition(a=found[-1].id) if full_page else None),
    )


@blueprint.post("/<ticket_id>/replies")
@login_required
@validate_body(ReplyCreate)
@validate_response(TicketWithReply, 201)
async def reply(
    principal: Principal, ticket_id: str, data: ReplyCreate
) -> tuple[TicketWithReply, int]:
    """Answer on a ticket: its opener (the admins are notified) or an admin (the opener is)."""
    ticket = await visible_ticket(principal, ticket_id)
    by_staff = principal.is_admin and ticket.user_id != principal.user_id
    try:
        changed, added = await store().support.add_reply(
            ticket.id, author_id=principal.user_id, body=data.body, by_staff=by_staff,
            max_replies=MAX_REPLIES,
        )
    except Conflict as error:
        closed = error.field == "closed"
        raise ApiError(
            ErrorCode.CONFLICT,
            "the ticket is closed" if closed else f"a ticket holds {MAX_REPLIES} messages",
        ) from None
    except NotFound:
        raise ApiError(ErrorCode.NOT_FOUND, "no such ticket") from None
    title = f"Reply on your ticket: {ticket.subject}" if by_staff else (
        f"New reply on ticket: {ticket.subject}"
    )
    if by_staff:
        await notify_opener(changed, title, data.body, principal.user_id)
    else:
        await notify_staff(changed, title, data.body, principal.user_id)
    return TicketWithReply(ticket=TicketView.of(changed), reply=ReplyView.of(added)), 201


@blueprint.post("/<ticket_id>/close")
@admin_required
@validate_response(TicketView)
async def close(principal: Principal, ticket_id: str) -> TicketView:
    """Close an open ticket (admins); its opener is notified."""
    ticket = await visible_ticket(principal, ticket_id)
    try:
        closed = await store().support.close_ticket(ticket.id, by=principal.user_id)
    except Conflict:
        raise ApiError(ErrorCode.CONFLICT, "the ticket is already closed") from None
    except NotFound:
        raise ApiError(ErrorCode.NOT_FOUND, "no such ticket") from None
    await notify_opener(closed, f"Ticket closed: {ticket.subject}", "", principal.user_id)
    return TicketView.of(closed)
