"""Who may read an uploaded file: its owner, and exactly the readers of content carrying it.

Contract (:func:`readable_file`):

* The owner reads their file without further proof.
* Anyone else names the content that carries the file, one of:

  - ``room_id`` and ``seq``: a room message; readable by the room's members (asked of the
    room's actor, :class:`~actors.chat.commands.CheckMember`);
  - ``post_id``: a post; readable by whoever may read the post's topic (asked of the
    topic's actor: members of an invite-only topic, any reader of a public one, as
    :func:`http_facade.routes.community.readable_post` decides);
  - ``direct_message_id``: a direct message; readable by its two participants only
    (:func:`actors.direct.access.takes_part`).

  The content must exist, not be deleted (a post neither deleted nor purged, a message
  not tombstoned, a DM not unsent nor hidden for the caller) and list the file among its
  ``attachment_ids``.  Any failed condition is the same 404 ``not_found`` as an unknown
  file, so nothing tells a stranger whether the file or the content exists.
* When the actor asked does not answer, the client gets that failure (503/504/500), not
  a 404 (:class:`~http_facade.errors.ActorFailure` passes through).
"""

from __future__ import annotations

import re

from actors.chat.commands import CheckMember
from actors.chat.room import CHAT_ROOM
from actors.direct.access import takes_part
from http_facade.errors import ActorFailure, ApiError
from http_facade.node_access import ask_actor, store
from http_facade.routes.community import readable_post
from http_facade.routes.files.access import owns_file
from http_facade.routes.files.schemas import ReadQuery
from protocol.errors import ErrorCode
from services.errors import DomainError
from services.principal import Principal
from storage.errors import NotFound
from storage.records import FileRecord

FILE_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


def no_such_file() -> ApiError:
    """The one answer for a file the caller may not read (or that does not exist)."""
    return ApiError(ErrorCode.NOT_FOUND, "no such file")


async def find_file(file_id: str) -> FileRecord:
    """The file ``file_id``; 404 for malformed or unknown ids."""
    if FILE_ID.fullmatch(file_id) is None:
        raise no_such_file()
    try:
        return await store().files.get(file_id)
    except NotFound:
        raise no_such_file() from None


async def _in_room_message(principal: Principal, file_id: str, room_id: str, seq: int) -> bool:
    await ask_actor(CHAT_ROOM, room_id, CheckMember(user_id=principal.user_id))
    message = await store().messages.get(room_id, seq)
    return message.deleted_at is None and file_id in message.attachment_ids


async def _in_post(principal: Principal, file_id: str, post_id: str) -> bool:
    post, _ = await readable_post(principal, post_id)
    return post.purged_at is None and file_id in post.attachment_ids


async def _in_direct_message(principal: Principal, file_id: str, message_id: str) -> bool:
    message = await store().direct_messages.get(message_id)
    if not takes_part(principal.user_id, message) or message.deleted_at is not None:
        return False
    if principal.user_id in message.hidden_for:
        return False
    return file_id in message.attachment_ids


async def _carried(principal: Principal, file_id: str, query: ReadQuery) -> bool:
    """Whether the content ``query`` names carries ``file_id`` and ``principal`` reads it."""
    if query.room_id is not None and query.seq is not None:
        return await _in_room_message(principal, file_id, query.room_id, query.seq)
    if query.post_id is not None:
        return await _in_post(principal, file_id, query.post_id)
    if query.direct_message_id is not None:
        return await _in_direct_message(principal, file_id, query.direct_message_id)
    return False


async def readable_file(file_id: str, principal: Principal, query: ReadQuery) -> FileRecord:
    """The file, when ``principal`` may read it (see the module docstring); else 404."""
    found = await find_file(file_id)
    if owns_file(principal, found):
        return found
    try:
        carried = await _carried(principal, file_id, query)
    except ActorFailure:
        raise  # the actor did not answer: say so, not "no such file"
    except (DomainError, NotFound):
        carried = False  # not a reader (or no registry, no such content)
    if not carried:
        raise no_such_file()
    return found
