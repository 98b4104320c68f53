"""The Mongo side of :mod:`storage.trash`: the derived ``trashed_at`` field and its pages.

Posts and comments carry ``trashed_at`` (the deletion time) only while they are in the
trash: it is set by a delete and cleared by a restore or a purge, so the
``(trashed_at, _id)`` index holds exactly the restorable items and the retention sweep
reads only those due.
"""

from __future__ import annotations

from pymongo import ASCENDING, DESCENDING

from storage.mongo.documents import Document
from storage.trash import TrashCursor

TRASH_SORT: list[tuple[str, int]] = [("trashed_at", DESCENDING), ("_id", DESCENDING)]
DUE_SORT: list[tuple[str, int]] = [("trashed_at", ASCENDING)]


def trash_query(before: TrashCursor | None) -> Document:
    """Items in the trash, after the cursor ``before`` in :data:`TRASH_SORT` order."""
    if before is None:
        return {"trashed_at": {"$gt": 0.0}}
    deleted_at, item_id = before
    return {
        "$or": [
            {"trashed_at": {"$gt": 0.0, "$lt": deleted_at}},
            {"trashed_at": deleted_at, "_id": {"$lt": item_id}},
        ]
    }


def due_query(deleted_before: float) -> Document:
    """Items in the trash deleted before ``deleted_before``."""
    return {"trashed_at": {"$gt": 0.0, "$lt": deleted_before}}
