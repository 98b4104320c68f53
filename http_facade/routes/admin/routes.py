"""``/api/admin``: users, site-wide bans, node figures and the audit log (admins only).

Contract:

* Every route is :func:`~http_facade.guard.admin_required`: 401 anonymous, 403 others.
* Granting and revoking the admin flag stays at ``PUT /api/users/{id}/admin``.
* A site-wide ban closes the user's live connections on this node at once and makes the
  authenticator refuse their tokens until it lapses; its reason is kept with it and told
  to the user at login (403, ``error.ban``); bans and unbans are audited.
* ``/stats`` reads bounded pages and running counters only (see :class:`Stats`).
"""

from __future__ import annotations

from quart import Blueprint, current_app
from quart.blueprints import BlueprintSetupState
from quart_schema import tag_blueprint, validate_querystring, validate_response

from http_facade import moderation_effects as effects
from http_facade.context import current_context
from http_facade.errors import ApiError
from http_facade.guard import admin_required
from http_facade.node_access import checked_id, store
from http_facade.pagination import (
    BeforeIdPosition,
    after_offset,
    decode_cursor,
    next_cursor,
    offset_of,
)
from http_facade.routes.admin.schemas import (
    AdminUserList,
    AdminUserView,
    BanOutcome,
    CappedCount,
    EventRate,
    GlobalBan,
    GlobalUnban,
    Stats,
    UserQuery,
)
from http_facade.routes.reports.schemas import AuditList, AuditQuery, AuditView
from http_facade.validation import validate_body
from protocol.errors import ErrorCode
from services.principal import Principal
from storage.records import ReportState

USER_COUNT_CAP = 1000
REPORT_COUNT_CAP = 100
REPORT_STATES: tuple[ReportState, ...] = ("open", "reviewing", "resolved", "dismissed")
EVENT_RATE_KEY = "topicsflow_admin_event_rate"

blueprint = Blueprint("admin", __name__, url_prefix="/api/admin")
tag_blueprint(blueprint, ["admin"])


@blueprint.record_once
def _install_event_rate(state: BlueprintSetupState) -> None:
    state.app.extensions[EVENT_RATE_KEY] = EventRate()


@blueprint.get("/users")
@admin_required
@validate_querystring(UserQuery)
@validate_response(AdminUserList)
async def list_users(principal: Principal, query_args: UserQuery) -> AdminUserList:
    """Users by username, filtered by prefix and admin flag (a page of ``limit``)."""
    wanted = query_args.is_admin
    start = offset_of(query_args.cursor)
    if start + query_args.limit > USER_COUNT_CAP:
        raise ApiError(ErrorCode.INVALID, f"cursor: the list ends after {USER_COUNT_CAP} users")
    found = await store().users.search(
        query_args.prefix,
        limit=start + query_args.limit + 1 if wanted is None else USER_COUNT_CAP,
    )
    chosen = [user for user in found if wanted is None or user.is_admin == wanted]
    page = chosen[start : start + query_args.limit]
    more = len(chosen) > start + query_args.limit
    return AdminUserList(
        users=[AdminUserView.of(user) for user in page],
        next_cursor=after_offset(start, len(page), query_args.limit, more),
    )


@blueprint.put("/users/<user_id>/ban")
@admin_required
@validate_body(GlobalBan)
@validate_response(BanOutcome)
async def ban_user(principal: Principal, user_id: str, data: GlobalBan) -> BanOutcome:
    """Ban a user site-wide (for ``seconds`` or for good); live sessions close at once."""
    user = await store().users.get(checked_id(user_id, "user"))
    effect = await effects.ban_globally(principal, user.id, data.seconds, data.reason)
    await audit(principal, "user.ban", user.id, f"{effect}; reason: {data.reason}")
    return BanOutcome(user=AdminUserView.of(await store().users.get(user.id)), effect=effect)


@blueprint.post("/users/<user_id>/unban")
@admin_required
@validate_body(GlobalUnban)
@validate_response(BanOutcome)
async def unban_user(principal: Principal, user_id: str, data: GlobalUnban) -> BanOutcome:
    """Lift a user's site-wide ban."""
    user = await store().users.get(checked_id(user_id, "user"))
    effect = await effects.unban_globally(principal, user.id)
    await audit(principal, "user.unban", user.id, f"{effect}; reason: {data.reason}")
    return BanOutcome(user=AdminUserView.of(await store().users.get(user.id)), effect=effect)


@blueprint.get("/stats")
@admin_required
@validate_response(Stats)
async def stats(principal: Principal) -> Stats:
    """Users, live connections, published events per minute, reports by state."""
    context = current_context()
    users = await store().users.search("", limit=USER_COUNT_CAP + 1)
    by_state: dict[str, CappedCount] = {}
    for state in REPORT_STATES:
        page = await store().reports.list_reports(state=state, limit=REPORT_COUNT_CAP + 1)
        by_state[state] = capped(len(page), REPORT_COUNT_CAP)
    rate: EventRate = current_app.extensions[EVENT_RATE_KEY]
    published = 0 if context.hub is None else context.hub.statistics().published
    return Stats(
        users=capped(len(users), USER_COUNT_CAP),
        active_connections=0 if context.gateway is None else context.gateway.connection_count(),
        events_per_minute=rate.sample(published),
        reports_by_state=by_state,
    )


@blueprint.get("/audit")
@admin_required
@validate_querystring(AuditQuery)
@validate_response(AuditList)
async def audit_log(principal: Principal, query_args: AuditQuery) -> AuditList:
    """The moderation audit log, newest first."""
    before = decode_cursor(query_args.cursor, BeforeIdPosition)
    entries = await store().reports.list_audit(
        topic_id=query_args.topic_id, target_id=query_args.target_id,
        before_id=None if before is None else before.b, limit=query_args.limit,
    )
    full_page = bool(entries) and len(entries) == query_args.limit
    return AuditList(
        entries=[AuditView.of(entry) for entry in entries],
        next_cursor=next_cursor(BeforeIdPosition(b=entries[-1].id) if full_page else None),
    )


def capped(found: int, cap: int) -> CappedCount:
    """A count read with ``cap + 1`` as its bound."""
    return CappedCount(count=min(found, cap), capped=found > cap)


async def audit(principal: Principal, action: str, user_id: str, details: str) -> None:
    """Append an admin action on a user to the audit log."""
    await store().reports.append_audit(
        actor_id=principal.user_id, action=action, target_kind="user", target_id=user_id,
        details=details,
    )
