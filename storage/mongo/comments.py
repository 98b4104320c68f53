"""Mongo comment trees and comment votes."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence

import msgspec
from pymongo import ASCENDING

from storage.errors import Conflict, NotFound
from storage.mongo.documents import Codec, Document, MongoContext
from storage.mongo.edits import edit_with_history
from storage.mongo.hidden import hidden_authors_filter
from storage.mongo.search_index import SearchIndexer
from storage.mongo.trash import DUE_SORT, TRASH_SORT, due_query, trash_query
from storage.mongo.votes import MongoVotes
from storage.records import Comment, CommentSort, VoteTally, VoteValue
from storage.rules import arrange_tree, page_limit
from storage.trash import (
    TrashCursor,
    comment_in_trash,
    purged_comment,
    restored_comment,
    tombstone_comment,
)

COMMENTS = Codec(Comment)
_TRASH_FIELDS = ("body", "author_id", "alias", "edit_history", "deleted_at", "removed")


class MongoComments:
    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["comments"]
        self._posts = context.database["posts"]
        self._call = context.executor.call
        self._ids = context.ids
        self._clock = context.clock
        self._votes = MongoVotes(context, "comments", ranked=False)
        self._locks = context.locks
        self._search = SearchIndexer(context)

    async def create(
        self,
        *,
        post_id: str,
        author_id: str,
        body: str,
        parent_id: str | None = None,
        alias: str | None = None,
    ) -> Comment:
        comment_id = self._ids.new_id()
        root_id, depth, path = comment_id, 0, comment_id
        if parent_id is not None:
            parent_document = await self._call(
                lambda: self._collection.find_one({"_id": parent_id, "post_id": post_id})
            )
            parent = COMMENTS.decode_or_raise(parent_document, "comment", parent_id)
            root_id, depth, path = parent.root_id, parent.depth + 1, f"{parent.path}/{comment_id}"
        async with self._locks.hold(f"posts:{post_id}"):
            counted = await self._call(
                lambda: self._posts.update_one({"_id": post_id}, {"$inc": {"comment_count": 1}}),
                idempotent=False,
            )
        if not counted.matched_count:
            raise NotFound("post", post_id)
        if parent_id is not None:
            async with self._locks.hold(f"comments:{parent_id}"):
                await self._call(
                    lambda: self._collection.update_one(
                        {"_id": parent_id}, {"$inc": {"reply_count": 1}}
                    ),
                    idempotent=False,
                )
        comment = Comment(
            id=comment_id,
            post_id=post_id,
            parent_id=parent_id,
            root_id=root_id,
            depth=depth,
            path=path,
            author_id=author_id,
            body=body,
            created_at=self._clock(),
            alias=alias,
        )
        await self._call(
            lambda: self._collection.insert_one(COMMENTS.encode(comment)), idempotent=False
        )
        await self._search.comment(comment)
        return comment

    async def get(self, comment_id: str) -> Comment:
        found = await self._call(lambda: self._collection.find_one({"_id": comment_id}))
        return COMMENTS.decode_or_raise(found, "comment", comment_id)

    async def edit(self, comment_id: str, *, body: str) -> Comment:
        def changes(_: Document) -> Document:
            return {"body": body}

        async with self._locks.hold(f"comments:{comment_id}"):
            found = await edit_with_history(
                self._call,
                self._collection,
                {"_id": comment_id},
                changes,
                now=self._clock(),
                kind="comment",
            )
        edited = COMMENTS.decode(found)
        await self._search.comment(edited)
        return edited

    async def delete(self, comment_id: str) -> Comment:
        now = self._clock()
        async with self._locks.hold(f"comments:{comment_id}"):
            comment = await self.get(comment_id)
            if comment.deleted_at is None:
                await self._rewrite(comment, tombstone_comment(comment, now))
        deleted = await self.get(comment_id)
        await self._search.comment(deleted)
        return deleted

    async def _rewrite(self, old: Comment, new: Comment) -> None:
        """Store ``new``'s text, author, deletion and trash fields if ``old`` still holds."""
        fields = msgspec.to_builtins(new)
        changes = {name: fields[name] for name in _TRASH_FIELDS}
        changes["trashed_at"] = new.deleted_at if comment_in_trash(new) else None
        kept: Document = {"$ne": None} if old.removed is not None else {"$eq": None}
        selector = {"_id": old.id, "deleted_at": old.deleted_at, "removed": kept}
        result = await self._call(
            functools.partial(self._collection.update_one, selector, {"$set": changes})
        )
        if not result.matched_count:
            raise Conflict("state", "the comment changed meanwhile")

    async def restore(self, comment_id: str) -> Comment:
        async with self._locks.hold(f"comments:{comment_id}"):
            comment = await self.get(comment_id)
            restored = restored_comment(comment)
            await self._rewrite(comment, restored)
        await self._search.comment(restored)
        return restored

    async def purge(self, comment_id: str) -> Comment:
        async with self._locks.hold(f"comments:{comment_id}"):
            comment = await self.get(comment_id)
            purged = purged_comment(comment)
            if comment.removed is not None:
                await self._rewrite(comment, purged)
        return purged

    async def purge_deleted(self, *, deleted_before: float, limit: int = 500) -> int:
        query = due_query(deleted_before)
        found = await self._call(
            lambda: [document["_id"] for document in self._collection.find(query, {"_id": 1})
                     .sort(DUE_SORT).limit(page_limit(limit))]
        )
        if not found:
            return 0
        selector = {"_id": {"$in": found}, **query}
        change = {"$set": {"removed": None, "trashed_at": None}}
        result = await self._call(
            functools.partial(self._collection.update_many, selector, change)
        )
        return int(result.modified_count)

    async def list_deleted(
        self, *, before: TrashCursor | None = None, limit: int = 50
    ) -> list[Comment]:
        query, limit = trash_query(before), page_limit(limit)
        found = await self._call(
            lambda: list(self._collection.find(query).sort(TRASH_SORT).limit(limit))
        )
        return [COMMENTS.decode(document) for document in found]

    async def list_for_post(
        self,
        post_id: str,
        *,
        sort: CommentSort = "top",
        limit: int = 500,
        hidden_authors: Collection[str] = (),
    ) -> list[Comment]:
        limit = page_limit(limit)
        query = {"post_id": post_id, **hidden_authors_filter(hidden_authors)}
        found = await self._call(
            lambda: list(self._collection.find(query).sort("_id", ASCENDING).limit(limit))
        )
        return arrange_tree((COMMENTS.decode(document) for document in found), sort)

    async def vote(self, comment_id: str, user_id: str, value: VoteValue) -> VoteTally:
        return await self._votes.vote(comment_id, user_id, value)

    async def votes_of(self, user_id: str, comment_ids: Sequence[str]) -> dict[str, VoteValue]:
        return await self._votes.votes_of(user_id, comment_ids)
