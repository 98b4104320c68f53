"""Edits with history on Mongo, without transactions: optimistic on ``edited_at``.

The update applies only if the document still has the ``edited_at`` that was read, so
the version pushed onto ``edit_history`` is exactly the one replaced; a concurrent edit
makes this one re-read and try again.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from pymongo import ReturnDocument
from pymongo.collection import Collection

from storage.errors import Conflict, NotFound
from storage.mongo.documents import Document
from storage.rules import EDIT_HISTORY_LIMIT

Call = Callable[[Callable[[], Any]], Awaitable[Any]]


async def edit_with_history(
    call: Call,
    collection: Collection[Document],
    query: Document,
    changes: Callable[[Document], Document],
    *,
    now: float,
    kind: str,
    keep_title: bool = False,
) -> Document:
    """Apply ``changes(current)`` plus ``edited_at=now``; ``Conflict("deleted")`` on tombstones."""
    for _ in range(8):
        current = await call(lambda: collection.find_one(query))
        if current is None:
            raise NotFound(kind, str(query.get("_id", query)))
        if current.get("deleted_at") is not None:
            raise Conflict("deleted")
        previous = {"body": current["body"], "edited_at": now}
        if keep_title:
            previous["title"] = current["title"]
        guard = {**query, "edited_at": current.get("edited_at"), "deleted_at": None}
        update = {
            "$set": {**changes(current), "edited_at": now},
            "$push": {"edit_history": {"$each": [previous], "$slice": -EDIT_HISTORY_LIMIT}},
        }
        found: Document | None = await call(
            functools.partial(
                collection.find_one_and_update,
                guard,
                update,
                return_document=ReturnDocument.AFTER,
            )
        )
        if found is not None:
            return found
    raise Conflict("edit", "the text kept changing concurrently")
