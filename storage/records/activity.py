"""Records of notifications, moderation, calls and file metadata."""

from __future__ import annotations

from typing import Literal, TypeAlias

import msgspec

DataValue: TypeAlias = str | int | float | bool | None
ReportState: TypeAlias = Literal["open", "reviewing", "resolved", "dismissed"]
CallOutcome: TypeAlias = Literal["completed", "missed", "declined", "failed"]


class Notification(msgspec.Struct, frozen=True, kw_only=True):
    """A notification for one user; ``data`` is kind-specific."""

    id: str
    user_id: str
    kind: str
    created_at: float
    data: dict[str, DataValue] = msgspec.field(default_factory=dict)
    read_at: float | None = None


class Report(msgspec.Struct, frozen=True, kw_only=True):
    """A user's report of an item; one per reporter and item."""

    id: str
    reporter_id: str
    item_kind: str
    item_id: str
    reason: str
    created_at: float
    updated_at: float
    topic_id: str | None = None
    details: str = ""
    state: ReportState = "open"
    handled_by: str | None = None
    resolution_note: str = ""


class AuditEntry(msgspec.Struct, frozen=True, kw_only=True):
    """An append-only moderation log line."""

    id: str
    actor_id: str
    action: str
    target_kind: str
    target_id: str
    created_at: float
    topic_id: str | None = None
    details: str = ""


class Call(msgspec.Struct, frozen=True, kw_only=True):
    """A voice/video call log entry; ``outcome`` is set when the call ends."""

    id: str
    context_id: str
    initiator_id: str
    kind: str
    started_at: float
    participant_ids: tuple[str, ...] = ()
    ended_at: float | None = None
    outcome: CallOutcome | None = None


class FileRecord(msgspec.Struct, frozen=True, kw_only=True):
    """Metadata of an uploaded file; the bytes live in the blob store under ``blob_key``."""

    id: str
    owner_id: str
    name: str
    content_type: str
    size: int
    blob_key: str
    created_at: float
