"""Who may attach an uploaded file: the one rule of every message, post and DM.

Contract:

* A file record belongs to the user who uploaded it (``FileRecord.owner_id``); only its
  owner may put its id into content (a room message, a post, a direct message).
* :func:`require_own_files` refuses any other id with :class:`DomainError`
  ``invalid`` and one message, ``"attachment <id> is not one of your files"``, whether
  the file exists, belongs to someone else or the id is malformed: the refusal tells the
  caller nothing they did not send.  Duplicates are refused the same way (a message
  carries a file once).  At most :data:`protocol.limits.MAX_ATTACHMENTS` ids are
  checked; more is ``invalid`` (the wire types already cap them).
* It reads the store only (one ``files.get`` per id); actors call it in their turn (the
  chat room's ``_prepare_post``; the direct conversation's send), the REST handlers of
  posts before asking the topic.
"""

from __future__ import annotations

from collections.abc import Sequence

from protocol import limits
from protocol.errors import ErrorCode
from services.errors import DomainError
from storage.errors import NotFound
from storage.protocols import Store


def not_yours(file_id: str) -> DomainError:
    """The one refusal of a file id the caller may not attach."""
    shown = file_id if len(file_id) <= 64 and file_id.isprintable() else "(malformed)"
    return DomainError(ErrorCode.INVALID, f"attachment {shown} is not one of your files")


async def require_own_files(store: Store, user_id: str, file_ids: Sequence[str]) -> None:
    """Raise :func:`not_yours` unless ``user_id`` uploaded every file of ``file_ids``."""
    if len(file_ids) > limits.MAX_ATTACHMENTS:
        raise DomainError(ErrorCode.INVALID, "too many attachments")
    seen: set[str] = set()
    for file_id in file_ids:
        if file_id in seen:
            raise not_yours(file_id)
        seen.add(file_id)
        try:
            record = await store.files.get(file_id)
        except NotFound:
            raise not_yours(file_id) from None
        if record.owner_id != user_id:
            raise not_yours(file_id)
