"""``/api/auth``: my login sessions (list, revoke) and changing my password."""

from __future__ import annotations

from quart import Blueprint
from quart_schema import validate_querystring, validate_response

from http_facade.guard import login_required, require_caller
from http_facade.middleware.rate_limits import RateClass, rate_class
from http_facade.pagination import ListQuery, slice_page
from http_facade.replies import Done
from http_facade.routes.auth.dependencies import account_services, require_step_up
from http_facade.routes.auth.schemas import (
    ChangePasswordRequest,
    RevokedSessions,
    SessionList,
    SessionView,
)
from http_facade.validation import validate_body
from protocol.fields import milliseconds
from services.accounts import recovery, sessions
from services.principal import Principal
from services.tokens import public_session_id

blueprint = Blueprint("account", __name__)


@blueprint.get("/sessions")
@login_required
@validate_querystring(ListQuery)
@validate_response(SessionList)
async def list_sessions(principal: Principal, query_args: ListQuery) -> SessionList:
    """My live login sessions, newest first; ``current`` is this request's."""
    found = await sessions.list_sessions(account_services(), principal.user_id)
    views = []
    for session in found:
        session_id = public_session_id(session.token_hash)
        views.append(
            SessionView(
                id=session_id,
                created_at=milliseconds(session.created_at),
                last_seen_at=milliseconds(session.last_seen_at),
                expires_at=milliseconds(session.expires_at),
                user_agent=session.user_agent,
                ip_address=session.ip_address,
                current=session_id == principal.session_id,
            )
        )
    page, cursor = slice_page(views, query_args.cursor, query_args.limit)
    return SessionList(sessions=page, next_cursor=cursor)


@blueprint.delete("/sessions/<session_id>")
@login_required
@validate_response(Done)
async def revoke_session(principal: Principal, session_id: str) -> Done:
    """End one of my sessions (its WebSockets close at once); 404 for any other id."""
    await sessions.revoke_session(account_services(), principal.user_id, session_id)
    return Done(message="the session has ended")


@blueprint.delete("/sessions")
@login_required
@validate_response(RevokedSessions)
async def revoke_other_sessions(principal: Principal) -> RevokedSessions:
    """End every session of mine except this request's."""
    caller = await require_caller()
    revoked = await sessions.revoke_other_sessions(
        account_services(), principal.user_id, caller.token_hash
    )
    return RevokedSessions(revoked=revoked)


@blueprint.post("/password")
@rate_class(RateClass.CODE)
@login_required
@validate_body(ChangePasswordRequest)
@validate_response(RevokedSessions)
async def change_password(principal: Principal, data: ChangePasswordRequest) -> RevokedSessions:
    """Change my password (the current one and a recent authentication are required);
    my other sessions end."""
    caller = await require_caller()
    revoked = await recovery.change_password(
        await require_step_up(principal),
        user_id=principal.user_id,
        current_password=data.current_password,
        new_password=data.new_password,
        keep_token_hash=caller.token_hash,
    )
    return RevokedSessions(revoked=revoked)
