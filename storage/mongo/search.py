"""Mongo search over the application-maintained index (:mod:`storage.mongo.search_index`).

A query runs in one worker-thread call:

1. The caller's access filter is built first (:meth:`MongoSearch._access`): the rooms
   they are a member of, not banned from and not deleted; ``readers`` containing them
   for direct messages; for posts, comments and topics ``open`` or one of their topics
   (members; invitees too for topics), and for comments ``post_live``; admins read
   every topic.  Lists are bounded (:data:`MAX_SCOPES`).
2. Each term is looked up by a range on ``term`` (a word prefix) under that filter, at
   most :data:`MAX_POSTINGS` postings each; an item must match every term.
3. Relevance ≈ Σ over terms of ``idf * (1 + log weight)`` (an exact word counts full, a
   longer word 0.8), ``idf = 1 + log(MAX_POSTINGS / postings)``; times
   :func:`storage.search_text.recency_boost`.  The best ``limit`` are returned with the
   text from ``search_docs`` (one ``$in`` read).

So permission is part of every query, before anything is ranked or paged.
"""

from __future__ import annotations

import math
from typing import Any

import trio

from storage.keys import fold
from storage.mongo.documents import Document, MongoContext
from storage.mongo.search_index import DOCS, TERMS
from storage.mongo.users import USERS
from storage.protocols.search import SearchHit, SearchQuery
from storage.records import User
from storage.search_text import MIN_USER_SUBSTRING, rank_users, recency_boost, trigrams

MAX_SCOPES = 2000
MAX_POSTINGS = 2000
PREFIX_FACTOR = 0.8
MAX_TRIGRAMS = 12


class MongoSearch:
    """Implements :class:`storage.protocols.search.SearchStore` on MongoDB."""

    def __init__(self, context: MongoContext) -> None:
        self._database = context.database
        self._call = context.executor.call
        self._queued_writes = context.search_writes
        self._queued_writes_wait = context.executor.gate.deadline

    def _ids(self, collection: str, query: Document, field: str) -> list[str]:
        found = self._database[collection].find(query, {field: 1}).limit(MAX_SCOPES)
        return [str(document[field]) for document in found]

    def _access(self, query: SearchQuery) -> Document:
        me, kind = query.user_id, query.kind
        if kind == "direct_message":
            return {"readers": me}
        if kind == "room_message":
            rooms = self._ids("members", {"scope": "room", "user_id": me}, "scope_id")
            banned = set(self._ids("bans", {"scope": "room", "user_id": me,
                                            "$or": [{"until": None},
                                                    {"until": {"$gt": query.now}}]},
                                   "scope_id"))
            live = self._ids("rooms", {"_id": {"$in": rooms}, "deleted_at": None}, "_id")
            return {"scope": {"$in": [room for room in live if room not in banned]}}
        access: Document = {}
        if kind == "comment":
            access["post_live"] = {"$ne": False}
        if query.is_admin:
            return access
        topics = self._ids("members", {"scope": "topic", "user_id": me}, "scope_id")
        if kind == "topic":
            topics += self._ids("invitations", {"scope": "topic", "user_id": me}, "scope_id")
        live = self._ids("topics", {"_id": {"$in": topics}, "deleted_at": None}, "_id")
        access["$or"] = [{"open": True}, {"scope": {"$in": live}}]
        return access

    def _search(self, query: SearchQuery) -> list[SearchHit]:
        access = self._access(query)
        base: Document = {"kind": query.kind, **access}
        if query.within is not None:
            base = {"$and": [base, {"scope": query.within}]}
        per_term: list[dict[str, float]] = []
        for term in query.terms:
            selector = {"$and": [{"term": {"$gte": term, "$lt": term + "\U0010ffff"}}, base]}
            postings = self._database[TERMS].find(
                selector, {"key": 1, "term": 1, "weight": 1}
            ).limit(MAX_POSTINGS)
            matched: dict[str, float] = {}
            for posting in postings:
                factor = 1.0 if posting["term"] == term else PREFIX_FACTOR
                value = factor * (1.0 + math.log(max(1.0, float(posting["weight"]))))
                key = str(posting["key"])
                matched[key] = max(matched.get(key, 0.0), value)
            if not matched:
                return []
            per_term.append(matched)
        keys = set.intersection(*(set(matched) for matched in per_term))
        relevance = {
            key: sum((1.0 + math.log(MAX_POSTINGS / len(matched))) * matched[key]
                     for matched in per_term)
            for key in keys
        }
        ids = [f"{query.kind}|{key}" for key in keys]
        docs = self._database[DOCS].find({"_id": {"$in": ids}})
        hits = [
            SearchHit(
                kind=query.kind, key=str(doc["key"]), scope=str(doc["scope"]),
                parent=doc.get("parent"), created_at=float(doc["created_at"]),
                score=relevance[str(doc["key"])] * recency_boost(doc["created_at"], query.now),
                title=str(doc.get("title", "")), body=str(doc.get("body", "")),
            )
            for doc in docs
            if str(doc["key"]) in relevance
        ]
        hits.sort(key=lambda hit: (-hit.score, hit.key))
        return hits[: query.limit]

    async def search(self, query: SearchQuery) -> list[SearchHit]:
        if not query.terms or query.limit < 1:
            return []
        # Messages are indexed behind their send (storage.mongo.search_queue): wait for
        # what is queued, so the sender finds what they just sent, within the deadline.
        with trio.move_on_after(self._queued_writes_wait):
            await self._queued_writes.flush()
        return await self._call(lambda: self._search(query))

    def _users(self, key: str, limit: int) -> list[User]:
        users = self._database["users"]
        found: list[Any] = list(
            users.find({"username_key": {"$gte": key, "$lt": key + "\U0010ffff"}})
            .sort("username_key", 1).limit(limit)
        )
        grams = sorted(trigrams(key))[:MAX_TRIGRAMS]
        if len(key) >= MIN_USER_SUBSTRING and grams:
            counts: dict[str, int] = {}
            postings = self._database[TERMS].find(
                {"kind": "user", "term": {"$in": grams}}, {"key": 1}
            ).limit(MAX_POSTINGS)
            for posting in postings:
                counts[str(posting["key"])] = counts.get(str(posting["key"]), 0) + 1
            candidates = [user for user, count in counts.items() if count == len(grams)]
            found += users.find({"_id": {"$in": candidates[: limit * 4]}})
        return rank_users([USERS.decode(document) for document in found], key, limit)

    async def search_users(self, text: str, *, limit: int) -> list[User]:
        key = fold(text)
        if not key or limit < 1:
            return []
        return await self._call(lambda: self._users(key, limit))
