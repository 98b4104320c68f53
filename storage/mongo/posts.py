"""Mongo posts and post votes."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence

from pymongo import ASCENDING, DESCENDING

from storage.builders import new_post
from storage.errors import Conflict, NotFound
from storage.mongo.documents import Codec, Document, MongoContext, in_order
from storage.mongo.edits import edit_with_history
from storage.mongo.hidden import hidden_authors_filter
from storage.mongo.search_index import SearchIndexer
from storage.mongo.trash import DUE_SORT, TRASH_SORT, due_query, trash_query
from storage.mongo.votes import MongoVotes
from storage.records import Post, PostSort, VoteTally, VoteValue
from storage.rules import page_limit
from storage.trash import TrashCursor, purged_post, restored_post

POSTS = Codec(Post)
_SORT: dict[PostSort, list[tuple[str, int]]] = {
    "new": [("_id", DESCENDING)],
    "old": [("_id", ASCENDING)],
    "top": [("score", DESCENDING), ("_id", DESCENDING)],
    "hot": [("hot", DESCENDING), ("_id", DESCENDING)],
}


class MongoPosts:
    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["posts"]
        self._topics = context.database["topics"]
        self._call = context.executor.call
        self._ids = context.ids
        self._clock = context.clock
        self._votes = MongoVotes(context, "posts", ranked=True)
        self._locks = context.locks
        self._search = SearchIndexer(context)

    async def _move_topic(self, topic_id: str, posts: int, activity_at: float | None) -> bool:
        update: dict[str, dict[str, object]] = {"$inc": {"post_count": posts}}
        if activity_at is not None:
            update["$max"] = {"last_activity_at": activity_at}
        async with self._locks.hold(f"topics:{topic_id}"):
            result = await self._call(
                lambda: self._topics.update_one({"_id": topic_id}, update), idempotent=False
            )
        return result.matched_count > 0

    async def create(
        self,
        *,
        topic_id: str,
        author_id: str,
        title: str,
        body: str,
        gif_url: str | None = None,
        attachment_ids: Sequence[str] = (),
        alias: str | None = None,
    ) -> Post:
        now = self._clock()
        post = new_post(
            self._ids.new_id(),
            now,
            topic_id=topic_id,
            author_id=author_id,
            title=title,
            body=body,
            gif_url=gif_url,
            attachment_ids=attachment_ids,
            alias=alias,
        )
        exists = await self._call(lambda: self._topics.find_one({"_id": topic_id}, {"_id": 1}))
        if exists is None:
            raise NotFound("topic", topic_id)
        await self._call(lambda: self._collection.insert_one(POSTS.encode(post)), idempotent=False)
        await self._move_topic(topic_id, 1, now)
        await self._search.post(post)
        return post

    async def get(self, post_id: str) -> Post:
        found = await self._call(lambda: self._collection.find_one({"_id": post_id}))
        return POSTS.decode_or_raise(found, "post", post_id)

    async def get_many(self, post_ids: Sequence[str]) -> list[Post]:
        ids = list(post_ids)
        found = await self._call(lambda: list(self._collection.find({"_id": {"$in": ids}})))
        return in_order({document["_id"]: POSTS.decode(document) for document in found}, ids)

    async def edit(self, post_id: str, *, body: str, title: str | None = None) -> Post:
        def changes(current: Document) -> Document:
            return {"body": body, "title": current["title"] if title is None else title}

        async with self._locks.hold(f"posts:{post_id}"):
            found = await edit_with_history(
                self._call,
                self._collection,
                {"_id": post_id},
                changes,
                now=self._clock(),
                kind="post",
                keep_title=True,
            )
        edited = POSTS.decode(found)
        await self._search.post(edited)
        return edited

    async def delete(self, post_id: str) -> Post:
        now = self._clock()
        async with self._locks.hold(f"posts:{post_id}"):
            result = await self._call(
                lambda: self._collection.update_one(
                    {"_id": post_id, "deleted_at": None},
                    {"$set": {"deleted_at": now, "trashed_at": now}},
                )
            )
        post = await self.get(post_id)
        if result.modified_count:
            await self._move_topic(post.topic_id, -1, None)
        await self._search.post(post)
        return post

    async def purge_deleted(self, *, deleted_before: float, limit: int = 500) -> int:
        query = due_query(deleted_before)
        found = await self._call(
            lambda: [document["_id"] for document in self._collection.find(query, {"_id": 1})
                     .sort(DUE_SORT).limit(page_limit(limit))]
        )
        erased = 0
        for post_id in found:
            erased += await self._erase(post_id)
        return erased

    async def _erase(self, post_id: str) -> int:
        now = self._clock()
        async with self._locks.hold(f"posts:{post_id}"):
            post = await self.get(post_id)
            erased = purged_post(post, now)
            if erased is post:
                return 0
            selector = {"_id": post_id, "purged_at": None, "deleted_at": {"$ne": None}}
            change: Document = {"$set": {
                "title": "", "body": "", "edit_history": [], "gif_url": None,
                "attachment_ids": [], "purged_at": now, "trashed_at": None,
            }}
            result = await self._call(
                functools.partial(self._collection.update_one, selector, change)
            )
        return int(result.modified_count)

    async def restore(self, post_id: str) -> Post:
        async with self._locks.hold(f"posts:{post_id}"):
            post = restored_post(await self.get(post_id))
            selector = {"_id": post_id, "deleted_at": {"$ne": None}, "purged_at": None}
            change = {"$set": {"deleted_at": None, "trashed_at": None}}
            result = await self._call(
                functools.partial(self._collection.update_one, selector, change)
            )
        if not result.modified_count:
            raise Conflict("state", "the post changed meanwhile")
        await self._move_topic(post.topic_id, 1, None)
        await self._search.post(post)
        return post

    async def purge(self, post_id: str) -> Post:
        await self._erase(post_id)
        return await self.get(post_id)

    async def list_deleted(
        self, *, before: TrashCursor | None = None, limit: int = 50
    ) -> list[Post]:
        query, limit = trash_query(before), page_limit(limit)
        found = await self._call(
            lambda: list(self._collection.find(query).sort(TRASH_SORT).limit(limit))
        )
        return [POSTS.decode(document) for document in found]

    async def list_for_topic(
        self,
        topic_id: str,
        *,
        sort: PostSort = "new",
        offset: int = 0,
        limit: int = 20,
        hidden_authors: Collection[str] = (),
    ) -> list[Post]:
        query = {"topic_id": topic_id, "deleted_at": None, **hidden_authors_filter(hidden_authors)}
        limit = page_limit(limit)
        found = await self._call(
            lambda: list(self._collection.find(query).sort(_SORT[sort]).skip(offset).limit(limit))
        )
        return [POSTS.decode(document) for document in found]

    async def recent_for_topics(
        self, topic_ids: Sequence[str], *, limit: int = 20, hidden_authors: Collection[str] = ()
    ) -> list[Post]:
        query = {
            "topic_id": {"$in": list(topic_ids)},
            "deleted_at": None,
            **hidden_authors_filter(hidden_authors),
        }
        limit = page_limit(limit)
        found = await self._call(
            lambda: list(self._collection.find(query).sort("_id", DESCENDING).limit(limit))
        )
        return [POSTS.decode(document) for document in found]

    async def vote(self, post_id: str, user_id: str, value: VoteValue) -> VoteTally:
        return await self._votes.vote(post_id, user_id, value)

    async def votes_of(self, user_id: str, post_ids: Sequence[str]) -> dict[str, VoteValue]:
        return await self._votes.votes_of(user_id, post_ids)
