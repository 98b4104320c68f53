"""Mongo comment trees and comment votes."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import ASCENDING

from storage.errors import NotFound
from storage.mongo.documents import Codec, Document, MongoContext
from storage.mongo.edits import edit_with_history
from storage.mongo.votes import MongoVotes
from storage.records import Comment, CommentSort, VoteTally, VoteValue
from storage.rules import arrange_tree, page_limit

COMMENTS = Codec(Comment)


class MongoComments:
    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["comments"]
        self._posts = context.database["posts"]
        self._call = context.executor.call
        self._ids = context.ids
        self._clock = context.clock
        self._votes = MongoVotes(context, "comments", ranked=False)
        self._locks = context.locks

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
        return COMMENTS.decode(found)

    async def delete(self, comment_id: str) -> Comment:
        tombstone: Document = {
            "body": "",
            "author_id": None,
            "alias": None,
            "deleted_at": self._clock(),
            "edit_history": [],
        }
        async with self._locks.hold(f"comments:{comment_id}"):
            await self._call(
                lambda: self._collection.update_one(
                    {"_id": comment_id, "deleted_at": None}, {"$set": tombstone}
                )
            )
        return await self.get(comment_id)

    async def list_for_post(
        self, post_id: str, *, sort: CommentSort = "top", limit: int = 500
    ) -> list[Comment]:
        limit = page_limit(limit)
        found = await self._call(
            lambda: list(
                self._collection.find({"post_id": post_id}).sort("_id", ASCENDING).limit(limit)
            )
        )
        return arrange_tree((COMMENTS.decode(document) for document in found), sort)

    async def vote(self, comment_id: str, user_id: str, value: VoteValue) -> VoteTally:
        return await self._votes.vote(comment_id, user_id, value)

    async def votes_of(self, user_id: str, comment_ids: Sequence[str]) -> dict[str, VoteValue]:
        return await self._votes.votes_of(user_id, comment_ids)
