"""Request and response bodies of ``/api/reports`` and ``/api/admin/audit``.

Every request Struct forbids unknown fields and bounds its strings; ids follow the
protocol's identifier rule (``^[A-Za-z0-9_-]{1,64}$``), except a room message's item
id, which is ``<room_id>:<message_id>``.
"""

from __future__ import annotations

import enum
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from http_facade.pagination import CursorText
from protocol.fields import milliseconds
from storage.records import AuditEntry, Report, ReportState

ID_PATTERN = "^[A-Za-z0-9_-]{1,64}$"
ITEM_ID_PATTERN = "^[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_-]{1,64})?$"
MAX_BAN_SECONDS = 10 * 365 * 24 * 3600

Identifier = Annotated[str, Meta(min_length=1, max_length=64, pattern=ID_PATTERN)]
ItemId = Annotated[str, Meta(min_length=1, max_length=129, pattern=ITEM_ID_PATTERN)]
Reason = Annotated[str, Meta(min_length=1, max_length=500)]
Details = Annotated[str, Meta(max_length=2000)]
PageSize = Annotated[int, Meta(ge=1, le=100)]


class ItemKind(enum.StrEnum):
    """What a report is about."""

    POST = "post"
    COMMENT = "comment"
    ROOM_MESSAGE = "room_message"
    USER = "user"
    ROOM = "room"
    DIRECT_MESSAGE = "direct_message"


class Action(enum.StrEnum):
    """What a moderator does with a report."""

    DELETE_CONTENT = "delete_content"
    WARN = "warn"
    BAN = "ban"
    DISMISS = "dismiss"
    ESCALATE = "escalate"
    REOPEN = "reopen"


class BanScope(enum.StrEnum):
    """Where a ban applies."""

    GLOBAL = "global"
    TOPIC = "topic"
    ROOM = "room"


class ReportCreate(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Report an item; ``item_id`` of a room message is ``<room_id>:<message_id>``."""

    item_kind: ItemKind
    item_id: ItemId
    reason: Reason
    details: Details = ""


class ReportQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A page of the queue, newest first."""

    state: ReportState | None = None
    topic_id: Identifier | None = None
    cursor: CursorText | None = None
    limit: PageSize = 50


class ActionRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """An action on a report; ``ban_scope`` and ``ban_seconds`` apply to ``ban`` only."""

    action: Action
    reason: Reason
    ban_scope: BanScope | None = None
    ban_seconds: Annotated[int, Meta(ge=1, le=MAX_BAN_SECONDS)] | None = None


class ReportView(msgspec.Struct, frozen=True, kw_only=True):
    """A report as moderators (and its reporter) see it."""

    id: str
    reporter_id: str
    item_kind: str
    item_id: str
    reason: str
    details: str
    topic_id: str | None
    state: ReportState
    handled_by: str | None
    resolution_note: str
    created_at: int
    updated_at: int

    @classmethod
    def of(cls, report: Report) -> ReportView:
        """The view of a stored report."""
        return cls(
            id=report.id, reporter_id=report.reporter_id, item_kind=report.item_kind,
            item_id=report.item_id, reason=report.reason, details=report.details,
            topic_id=report.topic_id, state=report.state, handled_by=report.handled_by,
            resolution_note=report.resolution_note,
            created_at=milliseconds(report.created_at),
            updated_at=milliseconds(report.updated_at),
        )


class ReportList(msgspec.Struct, frozen=True, kw_only=True):
    """A page of reports; ``next_cursor`` pages on (None on the last page)."""

    reports: list[ReportView]
    next_cursor: str | None


class ActionOutcome(msgspec.Struct, frozen=True, kw_only=True):
    """The report after the action, and what the action did."""

    status: Literal["ok"] = "ok"
    report: ReportView
    effect: str


class AuditQuery(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """A page of the audit log, newest first."""

    topic_id: Identifier | None = None
    target_id: ItemId | None = None
    cursor: CursorText | None = None
    limit: PageSize = 50


class AuditView(msgspec.Struct, frozen=True, kw_only=True):
    """One audit line: who did what to which target, when and why."""

    id: str
    actor_id: str
    action: str
    target_kind: str
    target_id: str
    topic_id: str | None
    details: str
    created_at: int

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditView:
        """The view of a stored audit entry."""
        return cls(
            id=entry.id, actor_id=entry.actor_id, action=entry.action,
            target_kind=entry.target_kind, target_id=entry.target_id,
            topic_id=entry.topic_id, details=entry.details,
            created_at=milliseconds(entry.created_at),
        )


class AuditList(msgspec.Struct, frozen=True, kw_only=True):
    """A page of the audit log; ``next_cursor`` pages on (None on the last page)."""

    entries: list[AuditView]
    next_cursor: str | None
