"""The post actor: one per post, the single writer of its comments and ``post:<id>``.

Contract:

* Comments, their edits, tombstones and votes of one post are serialised here; each is
  written to storage, then its event (``comment_created``, ``comment_edited``,
  ``comment_deleted``, ``vote_changed``) is appended to the channel's log and published,
  and only then does the command reply.
* Who may do what is the topic's policy: every command asks the post's topic actor
  (:class:`~actors.community.topic_commands.CheckAccess`); the topic actor never asks a post actor,
  so the two cannot wait on each other.
* After a new comment, the post's followers (and the author of the comment replied to)
  are notified through their feed actors, except the commenter, users who muted the post
  or its topic, and — in invite-only topics — users who are no longer members.
  Notifications are best effort (:func:`~actors.users.notification_feed.feed_notifier`): the
  comment, already stored and announced, is acknowledged either way.
* Users a comment mentions (``@username``) are notified (``mention``) by
  :class:`~actors.community.mentions.MentionNotices` — readers of the topic only, never
  blocked or muting users, an anonymous author by alias — and an edit notifies only the
  mentions it added.  A user both mentioned and replied to gets the ``reply``; a mentioned
  follower gets the ``mention`` rather than the ``comment``.
* Admins restore (``comment_created`` again) and purge deleted comments here too
  (:mod:`actors.community.content_trash`).
* The actor keeps no state between messages: a crash or passivation loses nothing.
"""

from __future__ import annotations

from actors.community.access import is_author, may_delete_comment, may_edit_comment
from actors.community.content_trash import CommentTrash, require_admin
from actors.community.mentions import Mentioning, MentionNotices
from actors.community.payloads import comment_payload, public_author
from actors.community.post_commands import (
    MAX_COMMENT_DEPTH,
    CreateComment,
    DeleteComment,
    EditComment,
    PurgeComment,
    RestoreComment,
    VoteComment,
)
from actors.community.topic_commands import TOPIC, CheckAccess, Need, TopicAccess
from actors.realtime.channel_log import UNSEQUENCED, ChannelLog
from actors.runtime.actor import Actor, ActorContext
from actors.runtime.errors import ActorCrashed, AskTimeout, DeliveryError
from actors.users.notification_feed import Notifier, Notify, feed_notifier
from protocol.channels import ChannelKind, channel_name
from protocol.enums import VoteTarget
from protocol.errors import ErrorCode
from protocol.feed_events import CommentCreated, CommentDeleted, CommentEdited, VoteChanged
from services.aliases import AliasMaker
from services.content_filter import ContentFilter
from services.content_screening import report_flagged, screen
from services.errors import DomainError
from services.principal import Principal
from storage.errors import Conflict, NotFound
from storage.protocols import Store
from storage.records import Comment, Post, Topic, VoteTally

NOTIFICATION_SNIPPET = 300


class PostActor(Actor):
    """See the module docstring."""

    __slots__ = (
        "_aliases", "_channel", "_filter", "_log", "_mentions", "_notify", "_store", "_trash",
    )

    def __init__(
        self,
        context: ActorContext,
        store: Store,
        log: ChannelLog,
        aliases: AliasMaker,
        content_filter: ContentFilter | None = None,
    ) -> None:
        super().__init__(context)
        self._filter = content_filter or ContentFilter.from_rules()
        self._store = store
        self._log = log
        self._aliases = aliases
        self._notify: Notifier = feed_notifier(context)
        self._mentions = MentionNotices(store, self._notify)
        self._channel = channel_name(ChannelKind.POST, context.address.id)
        self._trash = CommentTrash(store, log, self._channel)

    async def on_receive(self, message: object) -> object:
        match message:
            case CreateComment():
                return await self._create(message)
            case VoteComment():
                return await self._vote(message)
            case EditComment():
                return await self._edit(message)
            case DeleteComment():
                return await self._delete(message)
            case RestoreComment(by=by, comment_id=comment_id):
                require_admin(by, "restore a comment")
                await self._post(by, Need.READ)
                return await self._trash.restore(await self._comment(comment_id))
            case PurgeComment(by=by, comment_id=comment_id):
                require_admin(by, "purge a comment")
                return await self._trash.purge(await self._comment(comment_id))
            case _:
                self.unhandled(message)

    async def _post(self, by: Principal, need: Need) -> tuple[Post, TopicAccess]:
        try:
            post = await self._store.posts.get(self.address.id)
        except NotFound:
            raise DomainError(ErrorCode.NOT_FOUND, "no such post") from None
        if post.deleted_at is not None:
            raise DomainError(ErrorCode.NOT_FOUND, "no such post")
        try:
            access: TopicAccess = await self.context.ref(TOPIC, post.topic_id).ask(
                CheckAccess(by=by, need=need)
            )
        except AskTimeout:
            raise DomainError(ErrorCode.TIMEOUT, "the topic did not answer in time") from None
        except (ActorCrashed, DeliveryError):
            # Nothing was written yet: a refusal to retry, not a crash of this actor.
            raise DomainError(ErrorCode.UNAVAILABLE, "the topic is not available") from None
        return post, access

    async def _comment(self, comment_id: str) -> Comment:
        try:
            comment = await self._store.comments.get(comment_id)
        except NotFound:
            raise DomainError(ErrorCode.NOT_FOUND, "no such comment") from None
        if comment.post_id != self.address.id:
            raise DomainError(ErrorCode.NOT_FOUND, "no such comment")
        return comment

    async def _create(self, command: CreateComment) -> Comment:
        post, _ = await self._post(command.by, Need.WRITE)
        parent = None
        if command.parent_id is not None:
            parent = await self._comment(command.parent_id)
            if parent.deleted_at is not None:
                raise DomainError(ErrorCode.CONFLICT, "that comment was deleted")
            if parent.depth + 1 >= MAX_COMMENT_DEPTH:
                raise DomainError(ErrorCode.INVALID, "replies nest too deep here")
        alias = (
            self._aliases.alias(post.topic_id, command.by.user_id) if command.anonymous else None
        )
        verdict = screen(self._filter, command.body, "comment")
        comment = await self._store.comments.create(
            post_id=post.id,
            author_id=command.by.user_id,
            body=verdict.text,
            parent_id=command.parent_id,
            alias=alias,
        )
        await self._log.record(
            CommentCreated(channel=self._channel, seq=UNSEQUENCED, comment=comment_payload(comment))
        )
        await report_flagged(
            self._store, verdict, item_kind="comment", item_id=comment.id, topic_id=post.topic_id
        )
        topic = await self._topic(post)
        if topic is not None:
            replied = parent.author_id if parent is not None else None
            mentioned = await self._mentions.notify(
                self._mentioning(topic, post, comment),
                skip=frozenset({replied} if replied else ()),
            )
            await self._notify_readers(topic, post, comment, parent, mentioned)
        return comment

    async def _edit(self, command: EditComment) -> Comment:
        post, _ = await self._post(command.by, Need.WRITE)
        comment = await self._comment(command.comment_id)
        if comment.deleted_at is not None:
            raise DomainError(ErrorCode.NOT_FOUND, "no such comment")
        if not may_edit_comment(command.by, comment):
            raise DomainError(ErrorCode.FORBIDDEN, "only the author may edit a comment")
        verdict = screen(self._filter, command.body, "comment")
        try:
            edited = await self._store.comments.edit(comment.id, body=verdict.text)
        except Conflict:
            raise DomainError(ErrorCode.NOT_FOUND, "no such comment") from None
        await self._log.record(
            CommentEdited(channel=self._channel, seq=UNSEQUENCED, comment=comment_payload(edited))
        )
        topic = await self._topic(post)
        if topic is not None:
            await self._mentions.notify(self._mentioning(topic, post, edited, comment.body))
        return edited

    async def _delete(self, command: DeleteComment) -> Comment:
        _, access = await self._post(command.by, Need.READ)
        comment = await self._comment(command.comment_id)
        if comment.deleted_at is not None:
            return comment
        if not may_delete_comment(command.by, comment, access.role):
            raise DomainError(ErrorCode.FORBIDDEN, "only the author or a moderator may delete")
        await self._store.notifications.redact(self._channel, comment.id)  # before: retry-safe
        deleted = await self._store.comments.delete(comment.id)
        by_author = is_author(command.by, comment.author_id)
        deleted_by = public_author(comment.author_id, comment.alias) if by_author else None
        await self._log.record(
            CommentDeleted(
                channel=self._channel,
                seq=UNSEQUENCED,
                comment_id=comment.id,
                deleted_by=deleted_by or command.by.user_id,
            )
        )
        return deleted

    async def _vote(self, command: VoteComment) -> VoteTally:
        await self._post(command.by, Need.WRITE)
        comment = await self._comment(command.comment_id)
        if comment.deleted_at is not None:
            raise DomainError(ErrorCode.NOT_FOUND, "no such comment")
        tally = await self._store.comments.vote(comment.id, command.by.user_id, command.value)
        if (tally.upvotes, tally.downvotes) != (comment.upvotes, comment.downvotes):
            await self._log.record(
                VoteChanged(
                    channel=self._channel,
                    seq=UNSEQUENCED,
                    target=VoteTarget.COMMENT,
                    target_id=comment.id,
                    score=tally.score,
                    upvotes=tally.upvotes,
                    downvotes=tally.downvotes,
                )
            )
        return tally

    async def _topic(self, post: Post) -> Topic | None:
        topics = await self._store.topics.get_many([post.topic_id])
        return topics[0] if topics else None

    def _mentioning(
        self, topic: Topic, post: Post, comment: Comment, previous_text: str = ""
    ) -> Mentioning:
        return Mentioning(
            topic=topic,
            post_id=post.id,
            post_title=post.title,
            author_id=comment.author_id or "",
            alias=comment.alias,
            text=comment.body,
            previous_text=previous_text,
            subject=self._channel,
            object_id=comment.id,
            link=f"/topics/{post.topic_id}/posts/{post.id}",
        )

    async def _notify_readers(
        self,
        topic: Topic,
        post: Post,
        comment: Comment,
        parent: Comment | None,
        mentioned: set[str],
    ) -> None:
        recipients: dict[str, str] = {}
        if parent is not None and parent.author_id is not None:
            recipients[parent.author_id] = "reply"
        for follower in await self._store.follows.followers(post.id):
            if follower not in mentioned:
                recipients.setdefault(follower, "comment")
        recipients.pop(comment.author_id or "", None)
        if not recipients:
            return
        muted = await self._store.follows.muting(list(recipients), [post.id, post.topic_id])
        for user_id, kind in recipients.items():
            if user_id in muted:
                continue
            if topic.is_private and not await self._store.topics.members.get(
                post.topic_id, user_id
            ):
                continue
            await self._notify(
                user_id,
                Notify(
                    kind=kind,
                    title=f"New {kind} on {post.title}",
                    body=comment.body[:NOTIFICATION_SNIPPET],
                    actor_id=public_author(comment.author_id, comment.alias),
                    subject=self._channel,
                    object_id=comment.id,
                    link=f"/topics/{post.topic_id}/posts/{post.id}",
                ),
            )
