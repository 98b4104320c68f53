"""SQLite posts and post votes."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Sequence

import msgspec

from storage.builders import new_post
from storage.errors import Conflict
from storage.records import Edit, Post, PostSort, VoteTally, VoteValue
from storage.rules import check_vote, hot_score, page_limit, push_edit, vote_deltas
from storage.sqlite import votes
from storage.sqlite.context import SqliteContext
from storage.sqlite.hidden import hidden_authors_condition
from storage.sqlite.tables import Table, placeholders, trash_page
from storage.sqlite.topics import adjust_topic_counts
from storage.trash import TrashCursor, purged_post, restored_post

POSTS = Table(
    "posts",
    Post,
    ("id",),
    lambda post: {
        "id": post.id,
        "topic_id": post.topic_id,
        "deleted": int(post.deleted_at is not None),
        "score": post.score,
        "hot": post.hot,
    },
)
_ORDER: dict[PostSort, str] = {
    "new": "id DESC",
    "old": "id ASC",
    "top": "score DESC, id DESC",
    "hot": "hot DESC, id DESC",
}


class SqlitePosts:
    def __init__(self, context: SqliteContext) -> None:
        self._run = context.worker.run
        self._ids = context.ids
        self._clock = context.clock

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

        def insert(connection: sqlite3.Connection) -> Post:
            adjust_topic_counts(connection, topic_id, posts=1, activity_at=now)
            return POSTS.insert(connection, post)

        return await self._run(insert)

    async def get(self, post_id: str) -> Post:
        return await self._run(lambda connection: POSTS.require(connection, post_id))

    async def get_many(self, post_ids: Sequence[str]) -> list[Post]:
        ids = list(post_ids)
        found = await self._run(
            lambda connection: POSTS.select(
                connection, f"WHERE id IN ({placeholders(len(ids))})", ids
            )
        )
        by_id = {post.id: post for post in found}
        return [by_id[post_id] for post_id in ids if post_id in by_id]

    async def edit(self, post_id: str, *, body: str, title: str | None = None) -> Post:
        now = self._clock()

        def change(post: Post) -> Post:
            if post.deleted_at is not None:
                raise Conflict("deleted")
            previous = Edit(body=post.body, title=post.title, edited_at=now)
            return msgspec.structs.replace(
                post,
                body=body,
                title=post.title if title is None else title,
                edited_at=now,
                edit_history=push_edit(post.edit_history, previous),
            )

        return await self._run(lambda connection: POSTS.modify(connection, (post_id,), change))

    async def delete(self, post_id: str) -> Post:
        now = self._clock()

        def delete(connection: sqlite3.Connection) -> Post:
            post = POSTS.require(connection, post_id)
            if post.deleted_at is not None:
                return post
            adjust_topic_counts(connection, post.topic_id, posts=-1)
            return POSTS.update(connection, msgspec.structs.replace(post, deleted_at=now))

        return await self._run(delete)

    async def purge_deleted(self, *, deleted_before: float, limit: int = 500) -> int:
        now = self._clock()
        parameters = (deleted_before, page_limit(limit))

        def purge(connection: sqlite3.Connection) -> int:
            doomed = POSTS.select(
                connection, "WHERE trashed_at < ? ORDER BY trashed_at LIMIT ?", parameters
            )
            for post in doomed:
                POSTS.update(connection, purged_post(post, now))
            return len(doomed)

        return await self._run(purge)

    async def restore(self, post_id: str) -> Post:
        def restore(connection: sqlite3.Connection) -> Post:
            restored = restored_post(POSTS.require(connection, post_id))
            adjust_topic_counts(connection, restored.topic_id, posts=1)
            return POSTS.update(connection, restored)

        return await self._run(restore)

    async def purge(self, post_id: str) -> Post:
        now = self._clock()
        return await self._run(
            lambda connection: POSTS.modify(
                connection, (post_id,), lambda post: purged_post(post, now)
            )
        )

    async def list_deleted(
        self, *, before: TrashCursor | None = None, limit: int = 50
    ) -> list[Post]:
        tail, parameters = trash_page(before, page_limit(limit))
        return await self._run(lambda connection: POSTS.select(connection, tail, parameters))

    async def list_for_topic(
        self,
        topic_id: str,
        *,
        sort: PostSort = "new",
        offset: int = 0,
        limit: int = 20,
        hidden_authors: Collection[str] = (),
    ) -> list[Post]:
        hide, hidden = hidden_authors_condition(hidden_authors)
        tail = (
            f"WHERE topic_id = ? AND deleted = 0{hide} ORDER BY {_ORDER[sort]} LIMIT ? OFFSET ?"
        )
        parameters = (topic_id, *hidden, page_limit(limit), offset)
        return await self._run(lambda connection: POSTS.select(connection, tail, parameters))

    async def recent_for_topics(
        self, topic_ids: Sequence[str], *, limit: int = 20, hidden_authors: Collection[str] = ()
    ) -> list[Post]:
        ids = list(topic_ids)
        hide, hidden = hidden_authors_condition(hidden_authors)
        tail = (
            f"WHERE topic_id IN ({placeholders(len(ids))}) AND deleted = 0{hide}"
            " ORDER BY id DESC LIMIT ?"
        )
        parameters = (*ids, *hidden, page_limit(limit))
        return await self._run(lambda connection: POSTS.select(connection, tail, parameters))

    async def vote(self, post_id: str, user_id: str, value: VoteValue) -> VoteTally:
        value = check_vote(value)

        def vote(connection: sqlite3.Connection) -> VoteTally:
            post = POSTS.require(connection, post_id)
            old = votes.record_vote(connection, post_id, user_id, value)
            score, up, down = vote_deltas(old, value)
            post = POSTS.update(
                connection,
                msgspec.structs.replace(
                    post,
                    score=post.score + score,
                    upvotes=post.upvotes + up,
                    downvotes=post.downvotes + down,
                    hot=hot_score(post.score + score, post.created_at),
                ),
            )
            return VoteTally(
                item_id=post_id,
                score=post.score,
                upvotes=post.upvotes,
                downvotes=post.downvotes,
                vote=value,
            )

        return await self._run(vote)

    async def votes_of(self, user_id: str, post_ids: Sequence[str]) -> dict[str, VoteValue]:
        return await self._run(lambda connection: votes.votes_of(connection, user_id, post_ids))
