"""``/api/reports``: users report items; moderators work the queue and act.

Contract:

* ``POST /api/reports``: any logged-in user reports an item they can see
  (:mod:`http_facade.routes.reports.targets`); 409 ``conflict`` on a second report of one item.
  The topic's moderators and the admins are alerted live
  (:mod:`http_facade.routes.reports.alerts`).
* ``GET /api/reports``: admins see every report; a topic's moderators see that topic's
  (``topic_id`` is then required, 403 otherwise).  Newest first, paged by ``cursor``.
* ``POST /api/reports/{id}/actions``: the topic's moderators or an admin act.  An
  escalated report (``reviewing`` with an ``escalated:`` note) is for admins only.
  The report's state moves first (atomically, 409 ``conflict`` when it cannot), then the
  effect runs (:mod:`http_facade.moderation_effects`); if the effect fails the report
  is reopened and the error returned.  Every action is appended to the audit log.
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from actors.community.topic_commands import Need
from http_facade import moderation_effects as effects
from http_facade.errors import ApiError
from http_facade.guard import login_required
from http_facade.node_access import checked_id, store
from http_facade.pagination import BeforeIdPosition, decode_cursor, next_cursor
from http_facade.routes.community import topic_access
from http_facade.routes.reports.alerts import alert_handlers
from http_facade.routes.reports.schemas import (
    Action,
    ActionOutcome,
    ActionRequest,
    BanScope,
    ItemKind,
    ReportCreate,
    ReportList,
    ReportQuery,
    ReportView,
)
from http_facade.routes.reports.targets import Target, resolve_target
from http_facade.validation import validate_body
from protocol.errors import ErrorCode
from services.errors import DomainError
from services.principal import Principal
from storage.errors import Conflict
from storage.records import Report, ReportState

ESCALATED = "escalated: "
NEXT_STATE: dict[Action, ReportState] = {
    Action.DELETE_CONTENT: "resolved", Action.WARN: "resolved", Action.BAN: "resolved",
    Action.DISMISS: "dismissed", Action.ESCALATE: "reviewing", Action.REOPEN: "open",
}

blueprint = Blueprint("reports", __name__, url_prefix="/api/reports")
tag_blueprint(blueprint, ["moderation"])


def is_escalated(report: Report) -> bool:
    """True when a topic moderator handed the report to the admins."""
    return report.state == "reviewing" and report.resolution_note.startswith(ESCALATED)


async def require_moderator(principal: Principal, report: Report) -> None:
    """Pass admins, and the topic's moderators for reports that are not escalated."""
    if principal.is_admin:
        return
    if report.topic_id is None or is_escalated(report):
        raise ApiError(ErrorCode.FORBIDDEN, "only admins may handle this report")
    await topic_access(principal, report.topic_id, Need.MODERATE)


@blueprint.post("")
@login_required
@validate_body(ReportCreate)
@validate_response(ReportView, 201)
async def create_report(principal: Principal, data: ReportCreate) -> tuple[ReportView, int]:
    """Report an item I can see (once per item)."""
    target = await resolve_target(data.item_kind, data.item_id, principal)
    try:
        report = await store().reports.create(
            reporter_id=principal.user_id, item_kind=str(data.item_kind), item_id=target.item_id,
            reason=data.reason, details=data.details, topic_id=target.topic_id,
        )
    except Conflict:
        raise ApiError(ErrorCode.CONFLICT, "you already reported this") from None
    await alert_handlers(report, target.author_id)
    return ReportView.of(report), 201


@blueprint.get("")
@login_required
@validate_querystring(ReportQuery)
@validate_response(ReportList)
async def queue(principal: Principal, query_args: ReportQuery) -> ReportList:
    """The queue: all reports for admins, one topic's for its moderators."""
    if not principal.is_admin:
        if query_args.topic_id is None:
            raise ApiError(ErrorCode.FORBIDDEN, "moderators must name their topic_id")
        await topic_access(principal, query_args.topic_id, Need.MODERATE)
    before = decode_cursor(query_args.cursor, BeforeIdPosition)
    reports = await store().reports.list_reports(
        state=query_args.state, topic_id=query_args.topic_id,
        before_id=None if before is None else before.b, limit=query_args.limit,
    )
    full_page = bool(reports) and len(reports) == query_args.limit
    return ReportList(
        reports=[ReportView.of(report) for report in reports],
        next_cursor=next_cursor(BeforeIdPosition(b=reports[-1].id) if full_page else None),
    )


@blueprint.get("/<report_id>")
@login_required
@validate_response(ReportView)
async def one_report(principal: Principal, report_id: str) -> ReportView:
    """One report: for its reporter and those who may handle it."""
    report = await store().reports.get(checked_id(report_id, "report"))
    if report.reporter_id != principal.user_id:
        await require_moderator(principal, report)
    return ReportView.of(report)


@blueprint.post("/<report_id>/actions")
@login_required
@validate_body(ActionRequest)
@validate_response(ActionOutcome)
async def act(principal: Principal, report_id: str, data: ActionRequest) -> ActionOutcome:
    """Act on a report (see module): the state moves, the effect runs, the audit logs."""
    reports = store().reports
    report = await reports.get(checked_id(report_id, "report"))
    await require_moderator(principal, report)
    if data.action is Action.ESCALATE and principal.is_admin:
        raise ApiError(ErrorCode.INVALID, "admins handle escalated reports themselves")
    target: Target | None = None
    if data.action in (Action.DELETE_CONTENT, Action.WARN, Action.BAN):
        target = await resolve_target(reported_kind(report), report.item_id)
    note = (ESCALATED if data.action is Action.ESCALATE else "") + data.reason
    try:
        moved = await reports.transition(
            report.id, to_state=NEXT_STATE[data.action], handled_by=principal.user_id, note=note
        )
    except Conflict:
        raise ApiError(ErrorCode.CONFLICT, f"a {report.state} report cannot be {data.action}ed"
                       ) from None
    try:
        effect = await run_effect(principal, data, target, report)
    except DomainError:
        await reports.transition(report.id, to_state="open", handled_by=principal.user_id,
                                 note="the action failed")
        raise
    await reports.append_audit(
        actor_id=principal.user_id, action=f"report.{data.action}", target_kind=report.item_kind,
        target_id=report.item_id, topic_id=report.topic_id,
        details=f"report {report.id}: {effect}; reason: {data.reason}",
    )
    return ActionOutcome(report=ReportView.of(moved), effect=effect)


async def run_effect(
    principal: Principal, data: ActionRequest, target: Target | None, report: Report
) -> str:
    """Carry out ``data.action`` on the report's target; returns what it did."""
    if target is None:
        return {Action.DISMISS: "dismissed", Action.ESCALATE: "escalated to the admins",
                Action.REOPEN: "reopened"}[data.action]
    if data.action is Action.DELETE_CONTENT:
        return await effects.delete_content(principal, target, data.reason)
    user_id = effects.offender(target)
    if data.action is Action.WARN:
        return await effects.warn(principal, user_id, data.reason)
    scope = data.ban_scope or default_scope(target)
    if scope is BanScope.GLOBAL:
        return await effects.ban_globally(principal, user_id, data.ban_seconds, data.reason)
    if scope is BanScope.TOPIC and target.topic_id is not None:
        return await effects.ban_in_topic(
            principal, target.topic_id, user_id, data.reason, data.ban_seconds
        )
    if scope is BanScope.ROOM and target.room_id is not None:
        return await effects.ban_in_room(
            principal, target.room_id, user_id, data.reason, data.ban_seconds
        )
    raise ApiError(ErrorCode.INVALID, f"a {report.item_kind} report has no {scope} to ban from")


def reported_kind(report: Report) -> ItemKind:
    """The kind of the reported item; 400 for kinds no action knows (yet)."""
    try:
        return ItemKind(report.item_kind)
    except ValueError:
        raise ApiError(
            ErrorCode.INVALID, f"a {report.item_kind} report can only be dismissed or escalated"
        ) from None


def default_scope(target: Target) -> BanScope:
    """Room items ban from the room, topic items from the topic, users site-wide."""
    if target.room_id is not None:
        return BanScope.ROOM
    return BanScope.TOPIC if target.topic_id is not None else BanScope.GLOBAL
