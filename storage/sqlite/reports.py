"""SQLite reports and the moderation audit log."""

from __future__ import annotations

import sqlite3
from typing import Any

import msgspec

from storage.builders import new_report
from storage.errors import Conflict
from storage.records import AuditEntry, Report, ReportState
from storage.rules import REPORT_SOURCES, page_limit
from storage.sqlite.context import SqliteContext
from storage.sqlite.tables import Table

REPORTS = Table(
    "reports",
    Report,
    ("id",),
    lambda report: {
        "id": report.id,
        "reporter_id": report.reporter_id,
        "item_kind": report.item_kind,
        "item_id": report.item_id,
        "state": report.state,
        "topic_id": report.topic_id,
    },
)
AUDIT_LOG = Table(
    "audit_log",
    AuditEntry,
    ("id",),
    lambda entry: {"id": entry.id, "topic_id": entry.topic_id, "target_id": entry.target_id},
)


def _filters(**equal: str | None) -> tuple[str, list[Any]]:
    conditions = [f"{column} = ?" for column, value in equal.items() if value is not None]
    return " AND ".join(["id < ?", *conditions]), [v for v in equal.values() if v is not None]


class SqliteReports:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
        self._ids = context.ids
        self._clock = context.clock

    async def create(
        self,
        *,
        reporter_id: str,
        item_kind: str,
        item_id: str,
        reason: str,
        details: str = "",
        topic_id: str | None = None,
    ) -> Report:
        now = self._clock()
        report = new_report(
            self._ids.new_id(),
            now,
            reporter_id=reporter_id,
            item_kind=item_kind,
            item_id=item_id,
            reason=reason,
            details=details,
            topic_id=topic_id,
        )

        def insert(connection: sqlite3.Connection) -> Report:
            try:
                return REPORTS.insert(connection, report)
            except sqlite3.IntegrityError as error:
                raise Conflict("report") from error

        return await self._run(insert)

    async def get(self, report_id: str) -> Report:
        return await self._run(lambda connection: REPORTS.require(connection, report_id))

    async def list_reports(
        self,
        *,
        state: ReportState | None = None,
        topic_id: str | None = None,
        before_id: str | None = None,
        limit: int = 50,
    ) -> list[Report]:
        where, values = _filters(state=state, topic_id=topic_id)
        parameters = [before_id or "~", *values, page_limit(limit)]
        tail = f"WHERE {where} ORDER BY id DESC LIMIT ?"
        return await self._run(lambda connection: REPORTS.select(connection, tail, parameters))

    async def transition(
        self, report_id: str, *, to_state: ReportState, handled_by: str, note: str = ""
    ) -> Report:
        now = self._clock()

        def move(report: Report) -> Report:
            if report.state not in REPORT_SOURCES[to_state]:
                raise Conflict("state", f"a report cannot move from {report.state} to {to_state}")
            return msgspec.structs.replace(
                report, state=to_state, handled_by=handled_by, resolution_note=note, updated_at=now
            )

        return await self._run(lambda connection: REPORTS.modify(connection, (report_id,), move))

    async def append_audit(
        self,
        *,
        actor_id: str,
        action: str,
        target_kind: str,
        target_id: str,
        topic_id: str | None = None,
        details: str = "",
    ) -> AuditEntry:
        entry = AuditEntry(
            id=self._ids.new_id(),
            actor_id=actor_id,
            action=action,
            target_kind=target_kind,
            target_id=target_id,
            topic_id=topic_id,
            details=details,
            created_at=self._clock(),
        )
        return await self._run(lambda connection: AUDIT_LOG.insert(connection, entry))

    async def list_audit(
        self,
        *,
        topic_id: str | None = None,
        target_id: str | None = None,
        before_id: str | None = None,
        limit: int = 50,
    ) -> list[AuditEntry]:
        where, values = _filters(topic_id=topic_id, target_id=target_id)
        parameters = [before_id or "~", *values, page_limit(limit)]
        tail = f"WHERE {where} ORDER BY id DESC LIMIT ?"
        return await self._run(lambda connection: AUDIT_LOG.select(connection, tail, parameters))
