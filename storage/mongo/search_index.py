"""The search index the Mongo backend maintains itself (FerretDB 1.x has no ``$text``).

Contract:

* ``search_docs`` holds one document per searchable item, ``_id`` ``<kind>|<key>``:
  its scope (room, conversation or topic), a comment's ``parent`` post, ``created_at``,
  the ``title`` and ``body`` (for snippets) and the access fields below.
  ``search_terms`` holds one document per (item, term), ``_id`` ``<kind>|<key>|<term>``,
  with the term's ``weight`` (occurrences, titles counting :data:`TITLE_WEIGHT` each)
  and copies of the access fields, under the index ``(term, kind)``: a query term finds
  its items by a range on ``term`` (a prefix), never a pattern.
* Access fields, kept so that a query can restrict to what its caller may read:
  ``open`` (posts, comments, topics: the topic is public and not deleted),
  ``readers`` (direct messages: the participants who did not delete it for themselves),
  ``post_live`` (comments: their post is not deleted).
* The store methods that write content call :class:`MongoSearchIndex` after their own
  write (``put`` on create/edit/restore, ``drop`` on delete, the access updates on hide,
  privacy changes and post deletion).  Every operation is idempotent (upserts, deletes,
  ``$set``/``$pull``), so the executor may retry it.  The write and its indexing are two
  steps: an outage between them leaves the item unindexed (or indexed after its deletion
  until the next change of it); a search never shows more than its caller may read,
  since the access fields are set with the terms and verified again by the facade.
* Users are indexed by the trigrams of their folded username (kind ``user``).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, DeleteMany, IndexModel, ReplaceOne
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import BulkWriteError

from storage.keys import fold
from storage.mongo.bulk import bulk_write_chunked
from storage.mongo.documents import Document, MongoContext
from storage.records import Comment, DirectMessage, Message, Post, Topic
from storage.search_text import TITLE_WEIGHT, index_terms, trigrams

DOCS = "search_docs"
TERMS = "search_terms"
INDEXES = {
    TERMS: [
        IndexModel([("term", ASCENDING), ("kind", ASCENDING)]),
        IndexModel([("kind", ASCENDING), ("key", ASCENDING)]),
        IndexModel([("kind", ASCENDING), ("scope", ASCENDING)]),
    ],
    DOCS: [
        IndexModel([("kind", ASCENDING), ("scope", ASCENDING)]),
        IndexModel([("kind", ASCENDING), ("parent", ASCENDING)]),
    ],
}
"""Merged into :data:`storage.mongo.indexes.INDEXES`."""
DUPLICATE_KEY = 11000


def _weights(title: str, body: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for term, count in index_terms(title).items():
        weights[term] = weights.get(term, 0.0) + TITLE_WEIGHT * count
    for term, count in index_terms(body).items():
        weights[term] = weights.get(term, 0.0) + count
    return weights


@dataclasses.dataclass(frozen=True)
class IndexEntry:
    """One item to index: what :meth:`MongoSearchIndex.put` takes."""

    kind: str
    key: str
    scope: str
    created_at: float
    title: str = ""
    body: str = ""
    parent: str | None = None
    access: Document = dataclasses.field(default_factory=dict)


class MongoSearchIndex:
    """Writes ``search_docs`` and ``search_terms`` (see the module docstring)."""

    def __init__(self, context: MongoContext) -> None:
        self._docs = context.database[DOCS]
        self._terms = context.database[TERMS]
        self._topics = context.database["topics"]
        self._call = context.executor.call

    async def topic_open(self, topic_id: str) -> bool:
        """Whether ``topic_id`` is public and not deleted (what ``open`` records)."""
        found = await self._call(
            lambda: self._topics.find_one({"_id": topic_id}, {"is_private": 1, "deleted_at": 1})
        )
        if found is None:
            return False
        return not found.get("is_private") and found.get("deleted_at") is None

    async def put(
        self,
        kind: str,
        key: str,
        *,
        scope: str,
        created_at: float,
        title: str = "",
        body: str = "",
        parent: str | None = None,
        access: Document | None = None,
    ) -> None:
        """Index (or re-index) one item; ``access``: its access fields."""
        await self.put_many([IndexEntry(kind, key, scope=scope, created_at=created_at,
                                        title=title, body=body, parent=parent,
                                        access=access or {})])

    async def put_many(self, entries: Sequence[IndexEntry]) -> None:
        """Index (or re-index) items in one round of three bulk commands."""
        if entries:
            await self._call(lambda: write_entries(self._terms.database, entries))

    async def drop(self, kind: str, keys: Sequence[str]) -> None:
        """Remove items from the index (deleted content)."""
        keys = list(keys)
        if not keys:
            return

        await self._call(lambda: drop_entries(self._terms.database, kind=kind, keys=keys))

    async def update_access(self, selector: Document, update: Document) -> None:
        """Apply ``update`` (``$set``/``$pull`` of access fields) to the matching items."""

        await self._call(
            lambda: update_access(self._terms.database, selector=selector, update=update)
        )

    async def set_topic_open(self, topic_id: str, is_open: bool) -> None:
        """The topic became public or private, or was deleted or restored."""
        await self.update_access(
            {"kind": {"$in": ["post", "comment", "topic"]}, "scope": topic_id},
            {"$set": {"open": is_open}},
        )

    async def set_post_live(self, post_id: str, live: bool) -> None:
        """The post was deleted or restored: its comments follow."""
        await self.update_access(
            {"kind": "comment", "parent": post_id}, {"$set": {"post_live": live}}
        )

    async def put_user(self, user_id: str, username: str) -> None:
        """Index a username by its trigrams (substring search)."""
        requests = user_requests(user_id, username)
        await self._call(lambda: bulk_write_chunked(self._terms, requests, ordered=True))


def user_requests(user_id: str, username: str) -> list[Any]:
    """The writes that index one username by its trigrams."""
    grams = trigrams(fold(username))
    requests: list[Any] = [DeleteMany({"kind": "user", "key": user_id,
                                       "term": {"$nin": sorted(grams)}})]
    return requests + [
        ReplaceOne({"_id": f"user|{user_id}|{gram}"},
                   {"kind": "user", "key": user_id, "term": gram}, upsert=True)
        for gram in grams
    ]


def write_entries(database: Database[Document], entries: Sequence[IndexEntry],
                  *, fresh: bool = False) -> None:
    """Index ``entries`` (blocking: run in a worker thread).  Idempotent, so a retry is
    harmless: the items' old terms and documents are deleted, then the new ones inserted
    (no update commands: see :mod:`storage.mongo.bulk`).  ``fresh`` entries are items
    indexed for the first time, so there is nothing to delete; a document already there
    from an interrupted earlier attempt is kept."""
    if not entries:
        return
    terms: list[Document] = []
    docs: list[Document] = []
    keys: dict[str, list[str]] = {}
    for entry in entries:
        fields: Document = {"kind": entry.kind, "key": entry.key, "scope": entry.scope,
                            "parent": entry.parent, **entry.access}
        prefix = f"{entry.kind}|{entry.key}|"
        keys.setdefault(entry.kind, []).append(entry.key)
        terms += [
            {**fields, "_id": prefix + term, "term": term, "weight": weight}
            for term, weight in _weights(entry.title, entry.body).items()
        ]
        docs.append({**fields, "_id": f"{entry.kind}|{entry.key}",
                     "created_at": entry.created_at, "title": entry.title,
                     "body": entry.body})
    if not fresh:
        for kind, kind_keys in keys.items():
            drop_entries(database, kind=kind, keys=kind_keys)
    _insert_new(database[TERMS], terms)
    _insert_new(database[DOCS], docs)


def drop_entries(database: Database[Document], *, kind: str, keys: Sequence[str]) -> None:
    """Remove items from the index (blocking; idempotent)."""
    database[TERMS].delete_many({"kind": kind, "key": {"$in": list(keys)}})
    database[DOCS].delete_many({"_id": {"$in": [f"{kind}|{key}" for key in keys]}})


def update_access(database: Database[Document], *, selector: Document, update: Document
                  ) -> None:
    """Apply ``update`` to the access fields of the matching items (blocking)."""
    database[TERMS].update_many(selector, update)
    database[DOCS].update_many(selector, update)


def _insert_new(collection: Collection[Document], documents: list[Document]) -> None:
    """Insert ``documents``; those whose ``_id`` is already there are skipped."""
    if not documents:
        return
    try:
        collection.insert_many(documents, ordered=False)
    except BulkWriteError as error:
        errors = error.details.get("writeErrors", [])
        if any(item.get("code") != DUPLICATE_KEY for item in errors):
            raise


class SearchIndexer(MongoSearchIndex):
    """Indexing of whole records, as the store methods call it after their writes."""

    def __init__(self, context: MongoContext) -> None:
        super().__init__(context)
        self._posts = context.database["posts"]
        self._queue = context.search_writes

    async def messages(self, messages: Sequence[Message], *, fresh: bool = False) -> None:
        """Room messages appended (``fresh``), edited or deleted: queued in order
        (:mod:`storage.mongo.search_queue`); only live text is indexed."""
        live = [IndexEntry("room_message", f"{m.room_id}:{m.seq}", scope=m.room_id,
                           created_at=m.created_at, body=m.body)
                for m in messages if m.kind == "text" and m.deleted_at is None]
        gone = [f"{m.room_id}:{m.seq}" for m in messages
                if m.kind != "text" or m.deleted_at is not None]
        if gone:
            await self._queue.submit(functools.partial(drop_entries, kind="room_message",
                                                       keys=gone), "room_message drop")
        if live:
            await self._queue.submit(functools.partial(write_entries, entries=live,
                                                       fresh=fresh), "room_message", len(live))

    async def direct(self, message: DirectMessage, *, fresh: bool = False) -> None:
        """A direct message sent (``fresh``), edited or unsent: queued in order."""
        if message.deleted_at is not None:
            await self._queue.submit(functools.partial(
                drop_entries, kind="direct_message", keys=[message.id]), "direct_message drop")
            return
        readers = [user for user in (message.sender_id, message.recipient_id)
                   if user not in message.hidden_for]
        entry = IndexEntry("direct_message", message.id, scope=message.conversation_id,
                           created_at=message.created_at, body=message.body,
                           access={"readers": readers})
        await self._queue.submit(functools.partial(write_entries, entries=[entry],
                                                   fresh=fresh), "direct_message")

    async def hide_direct(self, message_id: str, user_id: str) -> None:
        """``user_id`` deleted the direct message for themselves (queued after its
        indexing, so it cannot be overtaken by it)."""
        await self._queue.submit(functools.partial(
            update_access, selector={"kind": "direct_message", "key": message_id},
            update={"$pull": {"readers": user_id}}), "direct_message hide")

    async def post(self, post: Post) -> None:
        if post.deleted_at is not None:
            await self.drop("post", [post.id])
            await self.set_post_live(post.id, False)
            return
        await self.put("post", post.id, scope=post.topic_id, created_at=post.created_at,
                       title=post.title, body=post.body,
                       access={"open": await self.topic_open(post.topic_id)})
        await self.set_post_live(post.id, True)

    async def comment(self, comment: Comment) -> None:
        if comment.deleted_at is not None or comment.removed is not None:
            await self.drop("comment", [comment.id])
            return
        found = await self._call(
            lambda: self._posts.find_one({"_id": comment.post_id}, {"topic_id": 1, "deleted_at": 1})
        )
        if found is None:
            return
        topic_id = str(found["topic_id"])
        await self.put("comment", comment.id, scope=topic_id, parent=comment.post_id,
                       created_at=comment.created_at, body=comment.body,
                       access={"open": await self.topic_open(topic_id),
                               "post_live": found.get("deleted_at") is None})

    async def topic(self, topic: Topic) -> None:
        is_open = not topic.is_private and topic.deleted_at is None
        if topic.deleted_at is not None:
            await self.drop("topic", [topic.id])
        else:
            await self.put("topic", topic.id, scope=topic.id, created_at=topic.created_at,
                           title=topic.title, body=topic.description,
                           access={"open": is_open})
        await self.set_topic_open(topic.id, is_open)
