"""The trash of deleted posts and comments: list, restore, purge (admins only).

Contract:

* Every route is :func:`~http_facade.guard.admin_required` (401 anonymous, 403 others).
* ``GET /api/admin/deleted/posts`` and ``/deleted/comments`` list what can still be
  restored, newest deletion first; ``cursor`` (a ``next_cursor``) pages on.
* ``POST /api/admin/{posts|comments}/{id}/restore`` and ``DELETE …/{id}/purge`` go
  through the owning actor (the topic actor for posts, the post actor for comments), so
  a restore is announced live (``post_created`` / ``comment_created`` again) and nothing
  is written behind an active actor.  A live item is 409 on both; a purged one is 409 on
  restore and unchanged by a second purge; a comment under a deleted post is 404 on
  restore (restore the post first).
* Every restore and purge is appended to the audit log (``post.restore``,
  ``post.purge``, ``comment.restore``, ``comment.purge``) with the item's topic and the
  optional ``reason``.
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from actors.community.post_commands import PurgeComment, RestoreComment
from actors.community.topic_commands import PurgePost, RestorePost
from http_facade.guard import admin_required
from http_facade.node_access import checked_id, store
from http_facade.routes.admin.content_schemas import (
    ContentItem,
    TrashAction,
    TrashOutcome,
    TrashPage,
    TrashQuery,
    parse_trash_cursor,
    trash_cursor,
)
from http_facade.routes.community import ask_post, ask_topic
from services.principal import Principal
from storage.records import Comment, Post

blueprint = Blueprint("admin_trash", __name__, url_prefix="/api/admin")
tag_blueprint(blueprint, ["admin"])


def _cursor(query: TrashQuery) -> tuple[float, str] | None:
    return parse_trash_cursor(query.cursor)


def _page(
    items: list[ContentItem], deleted: list[tuple[float | None, str]], limit: int
) -> TrashPage:
    """The page of ``items``; ``deleted``: their stored deletion times and ids, in order."""
    last = deleted[-1] if len(items) == limit and deleted else None
    return TrashPage(
        items=items, next_cursor=None if last is None else trash_cursor(*last)
    )


@blueprint.get("/deleted/posts")
@admin_required
@validate_querystring(TrashQuery)
@validate_response(TrashPage)
async def deleted_posts(principal: Principal, query_args: TrashQuery) -> TrashPage:
    """Deleted posts that can still be restored, newest deletion first."""
    posts = await store().posts.list_deleted(before=_cursor(query_args), limit=query_args.limit)
    return _page(
        [ContentItem.of_post(post) for post in posts],
        [(post.deleted_at, post.id) for post in posts],
        query_args.limit,
    )


@blueprint.get("/deleted/comments")
@admin_required
@validate_querystring(TrashQuery)
@validate_response(TrashPage)
async def deleted_comments(principal: Principal, query_args: TrashQuery) -> TrashPage:
    """Deleted comments that can still be restored, newest deletion first."""
    found = await store().comments.list_deleted(
        before=_cursor(query_args), limit=query_args.limit
    )
    posts = await store().posts.get_many(sorted({comment.post_id for comment in found}))
    topics = {post.id: post.topic_id for post in posts}
    items = [ContentItem.of_comment(comment, topics.get(comment.post_id)) for comment in found]
    return _page(
        items, [(comment.deleted_at, comment.id) for comment in found], query_args.limit
    )


@blueprint.post("/posts/<post_id>/restore")
@admin_required
@validate_querystring(TrashAction)
@validate_response(TrashOutcome)
async def restore_post(principal: Principal, post_id: str, query_args: TrashAction) -> TrashOutcome:
    """Bring a deleted post back; its topic's subscribers see it again."""
    return await _on_post(principal, post_id, RestorePost, "post.restore", query_args)


@blueprint.delete("/posts/<post_id>/purge")
@admin_required
@validate_querystring(TrashAction)
@validate_response(TrashOutcome)
async def purge_post(principal: Principal, post_id: str, query_args: TrashAction) -> TrashOutcome:
    """Erase a deleted post's content for good."""
    return await _on_post(principal, post_id, PurgePost, "post.purge", query_args)


@blueprint.post("/comments/<comment_id>/restore")
@admin_required
@validate_querystring(TrashAction)
@validate_response(TrashOutcome)
async def restore_comment(
    principal: Principal, comment_id: str, query_args: TrashAction
) -> TrashOutcome:
    """Bring a deleted comment back (its post must be live); subscribers see it again."""
    return await _on_comment(principal, comment_id, RestoreComment, "comment.restore", query_args)


@blueprint.delete("/comments/<comment_id>/purge")
@admin_required
@validate_querystring(TrashAction)
@validate_response(TrashOutcome)
async def purge_comment(
    principal: Principal, comment_id: str, query_args: TrashAction
) -> TrashOutcome:
    """Drop a deleted comment's text and author for good."""
    return await _on_comment(principal, comment_id, PurgeComment, "comment.purge", query_args)


async def _on_post(
    principal: Principal, post_id: str, command: type[RestorePost] | type[PurgePost],
    action: str, query: TrashAction,
) -> TrashOutcome:
    """Have the post's topic actor carry out ``command``; audit it as ``action``."""
    post = await store().posts.get(checked_id(post_id, "post"))
    changed: Post = await ask_topic(post.topic_id, command(by=principal, post_id=post.id))
    return await _audited(principal, action, ContentItem.of_post(changed), query)


async def _on_comment(
    principal: Principal, comment_id: str, command: type[RestoreComment] | type[PurgeComment],
    action: str, query: TrashAction,
) -> TrashOutcome:
    """Have the comment's post actor carry out ``command``; audit it as ``action``."""
    comment = await store().comments.get(checked_id(comment_id, "comment"))
    changed: Comment = await ask_post(
        comment.post_id, command(by=principal, comment_id=comment.id)
    )
    posts = await store().posts.get_many([comment.post_id])
    item = ContentItem.of_comment(changed, posts[0].topic_id if posts else None)
    return await _audited(principal, action, item, query)


async def _audited(
    principal: Principal, action: str, item: ContentItem, query: TrashAction
) -> TrashOutcome:
    """Append ``action`` on ``item`` to the audit log; the outcome to reply."""
    verb = "restored" if action.endswith("restore") else "purged"
    effect = f"{verb} {item.kind} {item.id}"
    details = f"{effect}; reason: {query.reason}" if query.reason else effect
    await store().reports.append_audit(
        actor_id=principal.user_id, action=action, target_kind=str(item.kind),
        target_id=item.id, topic_id=item.topic_id, details=details,
    )
    return TrashOutcome(item=item, effect=effect)
