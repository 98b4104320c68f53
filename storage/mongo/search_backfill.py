"""One-time indexing of content written before the Mongo search index existed.

Contract: :func:`backfill_search` runs at start-up inside
:func:`storage.mongo.indexes.ensure_indexes` (a worker thread).  Unless the marker
document ``search_state/backfill`` says it already ran, it indexes the newest
:data:`BACKFILL_LIMIT` live items of each kind (and as many users), with the same
entries and access fields the store methods write, then sets the marker.  Bounded and
idempotent: a start interrupted midway simply runs it again; older content beyond the
bound stays unindexed until it is edited (``docs/SEARCH.md``).
"""

from __future__ import annotations

from typing import Any

from pymongo.database import Database

from storage.mongo.bulk import bulk_write_chunked
from storage.mongo.documents import Document
from storage.mongo.search_index import IndexEntry, user_requests, write_entries

BACKFILL_LIMIT = 5000
BATCH = 500
MARKER = {"_id": "backfill", "version": 1}


def _newest(database: Database[Document], name: str, query: Document) -> list[Document]:
    return list(database[name].find(query).sort("_id", -1).limit(BACKFILL_LIMIT))


def _by_id(database: Database[Document], name: str, ids: set[Any]) -> dict[Any, Document]:
    return {doc["_id"]: doc for doc in database[name].find({"_id": {"$in": sorted(ids)}})}


def _entries(database: Database[Document]) -> list[IndexEntry]:
    entries = [
        IndexEntry("room_message", f"{m['room_id']}:{m['seq']}", scope=m["room_id"],
                   created_at=m["created_at"], body=m.get("body", ""))
        for m in _newest(database, "messages", {"deleted_at": None, "kind": "text"})
    ]
    entries += [
        IndexEntry("direct_message", d["_id"], scope=d["conversation_id"],
                   created_at=d["created_at"], body=d.get("body", ""),
                   access={"readers": [user for user in (d["sender_id"], d["recipient_id"])
                                       if user not in d.get("hidden_for", [])]})
        for d in _newest(database, "direct_messages", {"deleted_at": None})
    ]
    topics = _newest(database, "topics", {"deleted_at": None})
    entries += [
        IndexEntry("topic", t["_id"], scope=t["_id"], created_at=t.get("created_at", 0.0),
                   title=t["title"], body=t.get("description", ""),
                   access={"open": not t.get("is_private")})
        for t in topics
    ]
    posts = _newest(database, "posts", {"deleted_at": None})
    comments = _newest(database, "comments", {"deleted_at": None, "removed": None})
    parents = _by_id(database, "posts", {c["post_id"] for c in comments})
    topic_docs = _by_id(database, "topics", {p["topic_id"] for p in [*posts, *parents.values()]})

    def is_open(topic_id: str) -> bool:
        topic = topic_docs.get(topic_id)
        if topic is None:
            return False
        return not topic.get("is_private") and topic.get("deleted_at") is None

    entries += [
        IndexEntry("post", p["_id"], scope=p["topic_id"], created_at=p["created_at"],
                   title=p.get("title", ""), body=p.get("body", ""),
                   access={"open": is_open(p["topic_id"])})
        for p in posts
    ]
    for comment in comments:
        post = parents.get(comment["post_id"])
        if post is not None:
            entries.append(IndexEntry(
                "comment", comment["_id"], scope=post["topic_id"], parent=comment["post_id"],
                created_at=comment["created_at"], body=comment.get("body", ""),
                access={"open": is_open(post["topic_id"]),
                        "post_live": post.get("deleted_at") is None},
            ))
    return entries


def backfill_search(database: Database[Document]) -> None:
    """Index existing content once (blocking; see the module docstring)."""
    state = database["search_state"]
    if state.find_one({"_id": MARKER["_id"], "version": MARKER["version"]}) is not None:
        return
    entries = _entries(database)
    for start in range(0, len(entries), BATCH):
        write_entries(database, entries[start : start + BATCH])
    for user in _newest(database, "users", {}):
        bulk_write_chunked(database["search_terms"], user_requests(user["_id"], user["username"]),
                           ordered=True)
    state.replace_one({"_id": MARKER["_id"]}, MARKER, upsert=True)
