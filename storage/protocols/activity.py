"""Protocols of notifications, moderation, calls and file metadata."""

from __future__ import annotations

from typing import Protocol

from storage.records import (
    AuditEntry,
    Call,
    CallOutcome,
    DataValue,
    FileRecord,
    Notification,
    Report,
    ReportState,
)


class NotificationStore(Protocol):
    """Per-user notifications, newest first."""

    async def create(
        self, *, user_id: str, kind: str, data: dict[str, DataValue] | None = None
    ) -> Notification: ...

    async def list_for_user(
        self,
        user_id: str,
        *,
        before_id: str | None = None,
        limit: int = 50,
        unread_only: bool = False,
    ) -> list[Notification]: ...

    async def unread_count(self, user_id: str) -> int: ...

    async def mark_read(self, user_id: str, notification_id: str) -> bool:
        """False when it is unknown, someone else's or already read."""
        ...

    async def mark_all_read(self, user_id: str) -> int: ...

    async def mark_read_through(self, user_id: str, notification_id: str) -> int:
        """Mark the user's unread notifications with an id up to ``notification_id``
        (inclusive) read; returns how many changed."""
        ...

    async def redact(
        self, subject: str, object_id: str | None = None, *, title: str | None = None
    ) -> int:
        """Empty the text (``data.body``) of every user's notifications about ``subject``
        (and ``object_id``, when given) and, with ``title``, replace their titles: the
        content they quote was deleted (:func:`storage.redaction.redacted`).  Returns how
        many changed (Mongo: how many it rewrote)."""
        ...


class ReportStore(Protocol):
    """Reports (one per reporter and item) and the moderation audit log.

    States move open → reviewing → resolved | dismissed; open may go straight to
    resolved or dismissed, and resolved or dismissed may be reopened. Any other move
    raises ``Conflict("state")``, decided atomically against the stored state.
    """

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
        """Raises ``Conflict("report")`` if this reporter already reported the item."""
        ...

    async def get(self, report_id: str) -> Report: ...

    async def list_reports(
        self,
        *,
        state: ReportState | None = None,
        topic_id: str | None = None,
        before_id: str | None = None,
        limit: int = 50,
    ) -> list[Report]:
        """The queue, newest first."""
        ...

    async def transition(
        self, report_id: str, *, to_state: ReportState, handled_by: str, note: str = ""
    ) -> Report: ...

    async def append_audit(
        self,
        *,
        actor_id: str,
        action: str,
        target_kind: str,
        target_id: str,
        topic_id: str | None = None,
        details: str = "",
    ) -> AuditEntry: ...

    async def list_audit(
        self,
        *,
        topic_id: str | None = None,
        target_id: str | None = None,
        before_id: str | None = None,
        limit: int = 50,
    ) -> list[AuditEntry]:
        """Newest first."""
        ...


class CallStore(Protocol):
    """Call log: start, participants, end with an outcome."""

    async def start(self, *, context_id: str, initiator_id: str, kind: str = "audio") -> Call:
        """``context_id`` is the room or conversation id; the initiator participates."""
        ...

    async def join(self, call_id: str, user_id: str) -> Call: ...

    async def end(self, call_id: str, *, outcome: CallOutcome) -> Call:
        """Raises ``Conflict("state")`` when the call already ended."""
        ...

    async def get(self, call_id: str) -> Call: ...

    async def list_unfinished(self, *, started_before: float, limit: int = 100) -> list[Call]:
        """Calls with no end in the log that started before ``started_before``, oldest first."""
        ...

    async def list_for_user(
        self, user_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[Call]:
        """Calls the user took part in, newest first."""
        ...


class FileStore(Protocol):
    """File metadata; the bytes live in a :class:`storage.blob.BlobStore`."""

    async def create(
        self, *, owner_id: str, name: str, content_type: str, size: int, blob_key: str
    ) -> FileRecord: ...

    async def get(self, file_id: str) -> FileRecord: ...

    async def delete(self, file_id: str) -> FileRecord:
        """Remove and return the record, so the caller can delete the blob."""
        ...

    async def list_for_owner(
        self, owner_id: str, *, before_id: str | None = None, limit: int = 50
    ) -> list[FileRecord]:
        """Newest first."""
        ...
