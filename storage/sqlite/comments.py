"""SQLite comment trees and comment votes."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence

import msgspec

from storage.errors import Conflict, NotFound
from storage.records import Comment, CommentSort, Edit, VoteTally, VoteValue
from storage.rules import arrange_tree, check_vote, page_limit, push_edit, vote_deltas
from storage.sqlite import votes
from storage.sqlite.context import SqliteContext
from storage.sqlite.hidden import hidden_authors_condition
from storage.sqlite.posts import POSTS
from storage.sqlite.tables import Table, trash_page
from storage.trash import TrashCursor, purged_comment, restored_comment, tombstone_comment

COMMENTS = Table(
    "comments",
    Comment,
    ("id",),
    lambda comment: {"id": comment.id, "post_id": comment.post_id},
)


class SqliteComments:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
        self._ids = context.ids
        self._clock = context.clock

    async def create(
        self,
        *,
        post_id: str,
        author_id: str,
        body: str,
        parent_id: str | None = None,
        alias: str | None = None,
    ) -> Comment:
        now = self._clock()
        comment_id = self._ids.new_id()

        def insert(connection: sqlite3.Connection) -> Comment:
            POSTS.modify(
                connection,
                (post_id,),
                lambda post: msgspec.structs.replace(post, comment_count=post.comment_count + 1),
            )
            root_id, depth, path = comment_id, 0, comment_id
            if parent_id is not None:
                parent = COMMENTS.find(connection, parent_id)
                if parent is None or parent.post_id != post_id:
                    raise NotFound("comment", parent_id)
                root_id, depth, path = (
                    parent.root_id,
                    parent.depth + 1,
                    f"{parent.path}/{comment_id}",
                )
                COMMENTS.update(
                    connection, msgspec.structs.replace(parent, reply_count=parent.reply_count + 1)
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
                created_at=now,
                alias=alias,
            )
            return COMMENTS.insert(connection, comment)

        return await self._run(insert)

    async def get(self, comment_id: str) -> Comment:
        return await self._run(lambda connection: COMMENTS.require(connection, comment_id))

    async def edit(self, comment_id: str, *, body: str) -> Comment:
        now = self._clock()

        def change(comment: Comment) -> Comment:
            if comment.deleted_at is not None:
                raise Conflict("deleted")
            return msgspec.structs.replace(
                comment,
                body=body,
                edited_at=now,
                edit_history=push_edit(
                    comment.edit_history, Edit(body=comment.body, edited_at=now)
                ),
            )

        return await self._run(
            lambda connection: COMMENTS.modify(connection, (comment_id,), change)
        )

    async def delete(self, comment_id: str) -> Comment:
        now = self._clock()
        return await self._run(
            lambda connection: COMMENTS.modify(
                connection, (comment_id,), lambda comment: tombstone_comment(comment, now)
            )
        )

    async def restore(self, comment_id: str) -> Comment:
        return await self._run(
            lambda connection: COMMENTS.modify(connection, (comment_id,), restored_comment)
        )

    async def purge(self, comment_id: str) -> Comment:
        return await self._run(
            lambda connection: COMMENTS.modify(connection, (comment_id,), purged_comment)
        )

    async def purge_deleted(self, *, deleted_before: float, limit: int = 500) -> int:
        parameters = (deleted_before, page_limit(limit))

        def purge(connection: sqlite3.Connection) -> int:
            doomed = COMMENTS.select(
                connection, "WHERE trashed_at < ? ORDER BY trashed_at LIMIT ?", parameters
            )
            for comment in doomed:
                COMMENTS.update(connection, purged_comment(comment))
            return len(doomed)

        return await self._run(purge)

    async def list_deleted(
        self, *, before: TrashCursor | None = None, limit: int = 50
    ) -> list[Comment]:
        tail, parameters = trash_page(before, page_limit(limit))
        return await self._run(lambda connection: COMMENTS.select(connection, tail, parameters))

    async def list_for_post(
        self,
        post_id: str,
        *,
        sort: CommentSort = "top",
        limit: int = 500,
        hidden_authors: Collection[str] = (),
    ) -> list[Comment]:
        hide, hidden = hidden_authors_condition(hidden_authors)
        parameters = (post_id, *hidden, page_limit(limit))
        tail = f"WHERE post_id = ?{hide} ORDER BY id LIMIT ?"
        found = await self._run(
            lambda connection: COMMENTS.select(connection, tail, parameters)
        )
        return arrange_tree(found, sort)

    async def vote(self, comment_id: str, user_id: str, value: VoteValue) -> VoteTally:
        value = check_vote(value)

        def vote(connection: sqlite3.Connection) -> VoteTally:
            comment = COMMENTS.require(connection, comment_id)
            old = votes.record_vote(connection, comment_id, user_id, value)
            score, up, down = vote_deltas(old, value)
            comment = COMMENTS.update(
                connection,
                msgspec.structs.replace(
                    comment,
                    score=comment.score + score,
                    upvotes=comment.upvotes + up,
                    downvotes=comment.downvotes + down,
                ),
            )
            return VoteTally(
                item_id=comment_id,
                score=comment.score,
                upvotes=comment.upvotes,
                downvotes=comment.downvotes,
                vote=value,
            )

        return await self._run(vote)

    async def votes_of(self, user_id: str, comment_ids: Sequence[str]) -> dict[str, VoteValue]:
        return await self._run(lambda connection: votes.votes_of(connection, user_id, comment_ids))
