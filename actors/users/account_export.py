"""The archive of one user's data: what it holds and how it is built.

Contract:

* :func:`collect` reads, by the user's id only, everything that is theirs: the profile
  (no password hash, no second-factor secrets), the topics they belong to (with their
  role), their posts, comments, chat messages and the direct messages they **sent**,
  their files (metadata, and contents up to :data:`MAX_FILE_BYTES` in all), their
  notifications (without the ``body`` preview, which quotes other people's messages),
  their login audit and their passkeys' names and dates.  Nothing is
  read by another user's id, so no one else's private data (their direct messages,
  profiles, emails) can reach the archive; only ids of other users appear.
* Each kind is read in pages of :data:`PAGE` and bounded to :data:`MAX_ITEMS` items.
* :func:`build_zip` writes the archive (one JSON file per kind, ``files/<id>/<name>``
  for contents, a ``README.txt``) in a worker thread and returns its bytes.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import msgspec
import trio

from storage.blob import BlobStore
from storage.errors import NotFound
from storage.protocols import Store
from storage.records import Notification, User

PAGE = 500
MAX_ITEMS = 100_000
MAX_FILE_BYTES = 64 * 1024 * 1024
_ZIP_LIMITER = trio.CapacityLimiter(1)
_SECRET_FIELDS = ("password_hash", "totp_secret", "totp_last_step", "pending_totp_secret",
                  "backup_code_hashes")
T = TypeVar("T")

README = """This archive holds your TopicsFlow data, one JSON file per kind:
profile, topics (with your role), posts, comments, messages (chat messages you sent),
direct_messages (direct messages you sent), files (metadata; contents under files/),
notifications, logins (your login audit) and passkeys (names and dates).
Other people appear only by their user id.
"""


@dataclasses.dataclass
class Archive:
    """What goes into the zip: JSON-ready documents and file contents by path."""

    documents: dict[str, Any] = dataclasses.field(default_factory=dict)
    contents: dict[str, bytes] = dataclasses.field(default_factory=dict)
    skipped_files: list[str] = dataclasses.field(default_factory=list)


def profile_of(user: User) -> dict[str, Any]:
    """The user's own record without any secret."""
    document: dict[str, Any] = msgspec.to_builtins(user)
    for field in _SECRET_FIELDS:
        document.pop(field, None)
    return document


async def _pages(read: Callable[[str | None], Awaitable[Sequence[T]]], key: Callable[[T], str]
                 ) -> list[T]:
    found: list[T] = []
    before: str | None = None
    while len(found) < MAX_ITEMS:
        page = await read(before)
        found.extend(page)
        if len(page) < PAGE:
            break
        before = key(page[-1])
    return found[:MAX_ITEMS]


def _without_preview(notification: Notification) -> dict[str, Any]:
    """A notification without its ``body``: a preview of someone else's words."""
    document: dict[str, Any] = msgspec.to_builtins(notification)
    document["data"] = {k: v for k, v in notification.data.items() if k != "body"}
    return document


def _plain(records: Sequence[Any]) -> list[Any]:
    return [msgspec.to_builtins(record) for record in records]


async def collect(store: Store, blobs: BlobStore | None, user_id: str) -> Archive:
    """Read the user's data; see the module docstring."""
    archive = Archive()
    docs = archive.documents
    user = await store.users.get(user_id)
    docs["profile"] = profile_of(user)
    memberships = await store.topics.members.list_for_user(user_id)
    roles = {membership.scope_id: membership.role for membership in memberships}
    topics = await store.topics.get_many(list(roles))
    docs["topics"] = [
        {"id": topic.id, "title": topic.title, "description": topic.description,
         "role": roles[topic.id], "owner": topic.owner_id == user_id}
        for topic in topics
    ]
    authored = store.authored
    docs["posts"] = _plain(await _pages(
        lambda before: authored.posts(user_id, before_id=before, limit=PAGE), lambda r: r.id))
    docs["comments"] = _plain(await _pages(
        lambda before: authored.comments(user_id, before_id=before, limit=PAGE), lambda r: r.id))
    docs["messages"] = _plain(await _pages(
        lambda before: authored.room_messages(user_id, before_id=before, limit=PAGE),
        lambda r: r.id))
    docs["direct_messages"] = _plain(await _pages(
        lambda before: authored.direct_messages(user_id, before_id=before, limit=PAGE),
        lambda r: r.id))
    notifications = await _pages(
        lambda before: store.notifications.list_for_user(user_id, before_id=before, limit=PAGE),
        lambda r: r.id)
    docs["notifications"] = [_without_preview(record) for record in notifications]
    docs["logins"] = _plain(await _pages(
        lambda before: store.security_events.list_for_user(user_id, before_id=before, limit=PAGE),
        lambda r: r.id))
    docs["passkeys"] = [
        {"id": key.id, "name": key.name, "created_at": key.created_at,
         "last_used_at": key.last_used_at}
        for key in await store.passkeys.list_for_user(user_id)
    ]
    files = await _pages(
        lambda before: store.files.list_for_owner(user_id, before_id=before, limit=PAGE),
        lambda r: r.id)
    docs["files"] = _plain(files)
    budget = MAX_FILE_BYTES
    for record in files:
        if blobs is None or record.size > budget:
            archive.skipped_files.append(record.id)
            continue
        data = await _read_blob(blobs, record.blob_key, budget)
        if data is None:
            archive.skipped_files.append(record.id)
            continue
        budget -= len(data)
        archive.contents[f"files/{record.id}/{_safe_name(record.name)}"] = data
    docs["files_without_contents"] = archive.skipped_files
    return archive


async def _read_blob(blobs: BlobStore, key: str, budget: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    try:
        async with blobs.download(key) as stream:
            async for chunk in stream:
                size += len(chunk)
                if size > budget:
                    return None
                chunks.append(chunk)
    except NotFound:
        return None
    return b"".join(chunks)


def _safe_name(name: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "._- " else "_" for c in name).strip(". ")
    return cleaned[:100] or "file"


def _zip(archive: Archive) -> bytes:
    buffer = io.BytesIO()
    encoder = msgspec.json.Encoder()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("README.txt", README)
        for name, document in archive.documents.items():
            bundle.writestr(f"{name}.json", msgspec.json.format(encoder.encode(document)))
        for path, data in archive.contents.items():
            bundle.writestr(path, data)
    return buffer.getvalue()


async def build_zip(archive: Archive) -> bytes:
    """The zip of ``archive``, written in a worker thread (one at a time per process)."""
    return await trio.to_thread.run_sync(_zip, archive, limiter=_ZIP_LIMITER)
