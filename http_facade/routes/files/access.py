"""Who owns an uploaded file: the files domain's access rule.

A file record belongs to the user who uploaded it (``FileRecord.owner_id``).  Only the
owner reads it without further proof, deletes it, and attaches it to a post; anyone
else reads it only through a room message that references it
(:func:`http_facade.routes.files.readers.readable_file`).  Admins are no exception.
Files have no actor, so the rule lives with their routes; the posts routes use it too.
"""

from __future__ import annotations

from services.principal import Principal
from storage.records import FileRecord


def owns_file(principal: Principal, record: FileRecord) -> bool:
    """Whether ``principal`` uploaded ``record`` (reads, deletes and attaches it)."""
    return record.owner_id == principal.user_id
