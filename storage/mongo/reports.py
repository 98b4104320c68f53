"""Mongo reports and the moderation audit log."""

from __future__ import annotations

from pymongo import DESCENDING, ReturnDocument

from storage.builders import new_report
from storage.errors import Conflict
from storage.mongo.documents import Codec, Document, MongoContext
from storage.records import AuditEntry, Report, ReportState
from storage.rules import REPORT_SOURCES, page_limit

REPORTS = Codec(Report)
AUDIT_LOG = Codec(AuditEntry)


def _filters(before_id: str | None, **equal: str | None) -> Document:
    query: Document = {name: value for name, value in equal.items() if value is not None}
    if before_id is not None:
        query["_id"] = {"$lt": before_id}
    return query


class MongoReports:
    def __init__(self, context: MongoContext) -> None:
        self._reports = context.database["reports"]
        self._audit = context.database["audit_log"]
        self._call = context.executor.call
        self._ids = context.ids
        self._clock = context.clock
        self._locks = context.locks

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
        try:
            await self._call(
                lambda: self._reports.insert_one(REPORTS.encode(report)), idempotent=False
            )
        except Conflict as conflict:
            raise Conflict("report") from conflict
        return report

    async def get(self, report_id: str) -> Report:
        found = await self._call(lambda: self._reports.find_one({"_id": report_id}))
        return REPORTS.decode_or_raise(found, "report", report_id)

    async def list_reports(
        self,
        *,
        state: ReportState | None = None,
        topic_id: str | None = None,
        before_id: str | None = None,
        limit: int = 50,
    ) -> list[Report]:
        query = _filters(before_id, state=state, topic_id=topic_id)
        limit = page_limit(limit)
        found = await self._call(
            lambda: list(self._reports.find(query).sort("_id", DESCENDING).limit(limit))
        )
        return [REPORTS.decode(document) for document in found]

    async def transition(
        self, report_id: str, *, to_state: ReportState, handled_by: str, note: str = ""
    ) -> Report:
        sources = sorted(REPORT_SOURCES[to_state])
        async with self._locks.hold(f"reports:{report_id}"):
            found = await self._call(
                lambda: self._reports.find_one_and_update(
                    {"_id": report_id, "state": {"$in": sources}},
                    {
                        "$set": {
                            "state": to_state,
                            "handled_by": handled_by,
                            "resolution_note": note,
                            "updated_at": self._clock(),
                        }
                    },
                    return_document=ReturnDocument.AFTER,
                )
            )
        if found is None:
            current = await self.get(report_id)
            raise Conflict("state", f"a report cannot move from {current.state} to {to_state}")
        return REPORTS.decode(found)

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
        await self._call(lambda: self._audit.insert_one(AUDIT_LOG.encode(entry)), idempotent=False)
        return entry

    async def list_audit(
        self,
        *,
        topic_id: str | None = None,
        target_id: str | None = None,
        before_id: str | None = None,
        limit: int = 50,
    ) -> list[AuditEntry]:
        query = _filters(before_id, topic_id=topic_id, target_id=target_id)
        limit = page_limit(limit)
        found = await self._call(
            lambda: list(self._audit.find(query).sort("_id", DESCENDING).limit(limit))
        )
        return [AUDIT_LOG.decode(document) for document in found]
