"""Post commands of the topic actor: publish, edit, delete, vote.

Each runs inside the topic actor's turn: the post is written to storage, then its event
(``post_created``, ``post_edited``, ``post_deleted``, ``vote_changed``) is recorded on
``topic:<id>``, and only then does the command reply — an acknowledged post is stored
and its event is in the log.  Votes of one topic are serialised here, and the store
applies each as the delta from the voter's previous vote, so counts stay exact.
After a post is published or edited, the users its title or body newly mention are
notified (:mod:`actors.community.mentions`).
"""

from __future__ import annotations

from actors.community.access import is_author, may_delete_post, may_edit_post
from actors.community.content_trash import require_admin
from actors.community.mentions import Mentioning, MentionNotices
from actors.community.payloads import post_payload, public_author
from actors.community.topic_access import TopicPolicy
from actors.community.topic_commands import (
    CreatePost,
    DeletePost,
    EditPost,
    Need,
    PurgePost,
    RestorePost,
    VotePost,
)
from actors.realtime.channel_log import UNSEQUENCED, ChannelLog
from actors.users.notification_feed import Notifier
from protocol.channels import ChannelKind, channel_name
from protocol.enums import VoteTarget
from protocol.errors import ErrorCode
from protocol.feed_events import PostCreated, PostDeleted, PostEdited, VoteChanged
from services.aliases import AliasMaker
from services.content_filter import ContentFilter
from services.content_screening import report_flagged, screen
from services.errors import DomainError
from services.notification_redaction import redact_post_notifications
from storage.errors import Conflict, NotFound
from storage.protocols import Store
from storage.records import Post, VoteTally


class TopicPosts:
    """The post commands of one topic; see the module docstring."""

    __slots__ = (
        "_aliases", "_channel", "_filter", "_log", "_mentions", "_policy", "_store", "_topic_id",
    )

    def __init__(
        self,
        topic_id: str,
        policy: TopicPolicy,
        store: Store,
        log: ChannelLog,
        aliases: AliasMaker,
        content_filter: ContentFilter,
        notify: Notifier | None = None,
    ) -> None:
        self._topic_id = topic_id
        self._filter = content_filter
        self._policy = policy
        self._store = store
        self._log = log
        self._aliases = aliases
        self._channel = channel_name(ChannelKind.TOPIC, topic_id)
        self._mentions = MentionNotices(store, notify) if notify is not None else None

    async def _notify_mentions(self, post: Post, previous: Post | None = None) -> None:
        if self._mentions is None:
            return
        topics = await self._store.topics.get_many([self._topic_id])
        if not topics:
            return
        await self._mentions.notify(
            Mentioning(
                topic=topics[0],
                post_id=post.id,
                post_title=post.title,
                author_id=post.author_id,
                alias=post.alias,
                text=f"{post.title}\n{post.body}",
                previous_text="" if previous is None else f"{previous.title}\n{previous.body}",
                subject=self._channel,
                object_id=post.id,
                link=f"/topics/{self._topic_id}/posts/{post.id}",
            )
        )

    async def _live_post(self, post_id: str) -> Post:
        try:
            post = await self._store.posts.get(post_id)
        except NotFound:
            raise DomainError(ErrorCode.NOT_FOUND, "no such post") from None
        if post.topic_id != self._topic_id or post.deleted_at is not None:
            raise DomainError(ErrorCode.NOT_FOUND, "no such post")
        return post

    async def create(self, command: CreatePost) -> Post:
        """Publish; the author follows their post (notified of comments)."""
        await self._policy.check(command.by, Need.WRITE)
        alias = (
            self._aliases.alias(self._topic_id, command.by.user_id) if command.anonymous else None
        )
        title = screen(self._filter, command.title, "post")
        body = screen(self._filter, command.body, "post")
        post = await self._store.posts.create(
            topic_id=self._topic_id,
            author_id=command.by.user_id,
            title=title.text,
            body=body.text,
            gif_url=command.gif_url,
            attachment_ids=command.attachment_ids,
            alias=alias,
        )
        for verdict in (title, body):
            await report_flagged(
                self._store, verdict, item_kind="post", item_id=post.id, topic_id=self._topic_id
            )
        await self._store.follows.follow(command.by.user_id, post.id)
        await self._log.record(
            PostCreated(channel=self._channel, seq=UNSEQUENCED, post=post_payload(post))
        )
        await self._notify_mentions(post)
        return post

    async def edit(self, command: EditPost) -> Post:
        """Replace the text (author only); the old version goes to the edit history."""
        await self._policy.check(command.by, Need.WRITE)
        post = await self._live_post(command.post_id)
        if not may_edit_post(command.by, post):
            raise DomainError(ErrorCode.FORBIDDEN, "only the author may edit a post")
        title = None if command.title is None else screen(self._filter, command.title, "post")
        body = screen(self._filter, command.body, "post")
        try:
            edited = await self._store.posts.edit(
                post.id, body=body.text, title=None if title is None else title.text
            )
        except Conflict:
            raise DomainError(ErrorCode.NOT_FOUND, "no such post") from None
        await report_flagged(
            self._store, body, item_kind="post", item_id=post.id, topic_id=self._topic_id
        )
        await self._log.record(
            PostEdited(channel=self._channel, seq=UNSEQUENCED, post=post_payload(edited))
        )
        await self._notify_mentions(edited, post)
        return edited

    async def delete(self, command: DeletePost) -> Post:
        """Soft-delete (author, moderators, admins)."""
        access = await self._policy.check(command.by, Need.READ)
        post = await self._live_post(command.post_id)
        if not may_delete_post(command.by, post, access.role):
            raise DomainError(ErrorCode.FORBIDDEN, "only the author or a moderator may delete")
        await redact_post_notifications(self._store, self._channel, post.id)
        deleted = await self._store.posts.delete(post.id)
        by_author = is_author(command.by, post.author_id)
        deleted_by = public_author(post.author_id, post.alias) if by_author else None
        await self._log.record(
            PostDeleted(
                channel=self._channel,
                seq=UNSEQUENCED,
                post_id=post.id,
                deleted_by=deleted_by or command.by.user_id,
                reason=command.reason,
            )
        )
        return deleted

    async def restore(self, command: RestorePost) -> Post:
        """Undo a delete (admins); the post is announced again as ``post_created``."""
        require_admin(command.by, "restore a post")
        await self._policy.check(command.by, Need.READ)
        post = await self._post_of_topic(command.post_id)
        try:
            restored = await self._store.posts.restore(post.id)
        except Conflict as error:
            raise DomainError(ErrorCode.CONFLICT, str(error)) from None
        await self._log.record(
            PostCreated(channel=self._channel, seq=UNSEQUENCED, post=post_payload(restored))
        )
        return restored

    async def purge(self, command: PurgePost) -> Post:
        """Erase a deleted post's content for good (admins); nothing is announced."""
        require_admin(command.by, "purge a post")
        post = await self._post_of_topic(command.post_id)
        try:
            return await self._store.posts.purge(post.id)
        except Conflict as error:
            raise DomainError(ErrorCode.CONFLICT, str(error)) from None

    async def _post_of_topic(self, post_id: str) -> Post:
        try:
            post = await self._store.posts.get(post_id)
        except NotFound:
            raise DomainError(ErrorCode.NOT_FOUND, "no such post") from None
        if post.topic_id != self._topic_id:
            raise DomainError(ErrorCode.NOT_FOUND, "no such post")
        return post

    async def vote(self, command: VotePost) -> VoteTally:
        """Set the caller's vote; ``vote_changed`` is recorded when the counts moved."""
        await self._policy.check(command.by, Need.WRITE)
        post = await self._live_post(command.post_id)
        tally = await self._store.posts.vote(post.id, command.by.user_id, command.value)
        if (tally.upvotes, tally.downvotes) != (post.upvotes, post.downvotes):
            await self._log.record(
                VoteChanged(
                    channel=self._channel,
                    seq=UNSEQUENCED,
                    target=VoteTarget.POST,
                    target_id=post.id,
                    score=tally.score,
                    upvotes=tally.upvotes,
                    downvotes=tally.downvotes,
                )
            )
        return tally
