"""Comments: ``/api/posts/{id}/comments`` and ``/api/comments/{id}``.

Contract:

* Comments form a tree under a post, at most ``MAX_COMMENT_DEPTH`` levels deep (a deeper
  reply is 400 ``invalid``).  Lists are the tree flattened depth-first, siblings ordered
  ``top``, ``new`` or ``old``.
* Writes go through the post's actor and are acknowledged after the comment and its event
  on ``post:<id>`` are stored; followers of the post are then notified.
* A deleted comment becomes a tombstone (no text, no author) and keeps its replies.
* Anonymous comments show their per-topic alias to everyone but the author, the topic's
  moderators and admins.
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from actors.community.post_commands import CreateComment, DeleteComment, EditComment, VoteComment
from actors.community.topic_commands import TopicAccess
from http_facade.errors import ApiError
from http_facade.guard import login_required
from http_facade.node_access import checked_id, store
from http_facade.pagination import ListQuery, after_offset, offset_of, slice_page
from http_facade.replies import Done
from http_facade.routes.community import ask_post, readable_post
from http_facade.routes.content_settings.filters import hidden_users
from http_facade.routes.posts.schemas import (
    CommentCreate,
    CommentList,
    CommentQuery,
    CommentUpdate,
    CommentView,
    EditHistory,
    EditView,
    VoteCast,
    VoteView,
)
from http_facade.validation import validate_body
from protocol.errors import ErrorCode
from services.principal import Principal
from storage.errors import NotFound
from storage.records import Comment

MAX_COMMENT_OFFSET = 10_000
"""How deep into a flattened comment tree a cursor may continue."""

blueprint = Blueprint("comments", __name__, url_prefix="/api")
tag_blueprint(blueprint, ["comments"])


async def _stored_comment(comment_id: str) -> Comment:
    try:
        return await store().comments.get(checked_id(comment_id, "comment"))
    except NotFound:
        raise ApiError(ErrorCode.NOT_FOUND, "no such comment") from None


async def _readable_comment(principal: Principal, comment_id: str) -> tuple[Comment, TopicAccess]:
    comment = await _stored_comment(comment_id)
    _, access = await readable_post(principal, comment.post_id)
    return comment, access


async def _view(principal: Principal, comment: Comment, access: TopicAccess) -> CommentView:
    votes = await store().comments.votes_of(principal.user_id, [comment.id])
    return CommentView.of(
        comment, principal, reveal=access.can_moderate, my_vote=votes.get(comment.id, 0)
    )


@blueprint.get("/posts/<post_id>/comments")
@login_required
@validate_querystring(CommentQuery)
@validate_response(CommentList)
async def list_comments(
    principal: Principal, post_id: str, query_args: CommentQuery
) -> CommentList:
    """The post's comment tree, flattened depth-first."""
    post, access = await readable_post(principal, post_id)
    start = offset_of(query_args.cursor)
    if start > MAX_COMMENT_OFFSET:
        raise ApiError(ErrorCode.INVALID, "cursor: too deep into the comment tree")
    window = await store().comments.list_for_post(
        post.id,
        sort=query_args.sort,
        limit=start + query_args.limit + 1,
        hidden_authors=await hidden_users(principal.user_id),
    )
    comments = window[start : start + query_args.limit]
    more = len(window) > start + query_args.limit
    votes = await store().comments.votes_of(principal.user_id, [item.id for item in comments])
    return CommentList(
        comments=[
            CommentView.of(
                comment, principal, reveal=access.can_moderate, my_vote=votes.get(comment.id, 0)
            )
            for comment in comments
        ],
        next_cursor=after_offset(start, len(comments), query_args.limit, more),
    )


@blueprint.post("/posts/<post_id>/comments")
@login_required
@validate_body(CommentCreate)
@validate_response(CommentView, 201)
async def create_comment(
    principal: Principal, post_id: str, data: CommentCreate
) -> tuple[CommentView, int]:
    """Comment on a post or reply to one of its comments."""
    comment: Comment = await ask_post(
        post_id,
        CreateComment(
            by=principal, body=data.body, parent_id=data.parent_id, anonymous=data.anonymous
        ),
    )
    return CommentView.of(comment, principal, reveal=False), 201


@blueprint.get("/comments/<comment_id>")
@login_required
@validate_response(CommentView)
async def get_comment(principal: Principal, comment_id: str) -> CommentView:
    """One comment (a tombstone when deleted)."""
    comment, access = await _readable_comment(principal, comment_id)
    return await _view(principal, comment, access)


@blueprint.get("/comments/<comment_id>/history")
@login_required
@validate_querystring(ListQuery)
@validate_response(EditHistory)
async def comment_history(
    principal: Principal, comment_id: str, query_args: ListQuery
) -> EditHistory:
    """The comment's earlier versions, oldest first."""
    comment, _ = await _readable_comment(principal, comment_id)
    edits, cursor = slice_page(
        [EditView.of(edit) for edit in comment.edit_history], query_args.cursor, query_args.limit
    )
    return EditHistory(edits=edits, next_cursor=cursor)


@blueprint.patch("/comments/<comment_id>")
@login_required
@validate_body(CommentUpdate)
@validate_response(CommentView)
async def edit_comment(principal: Principal, comment_id: str, data: CommentUpdate) -> CommentView:
    """Change my comment's text."""
    comment = await _stored_comment(comment_id)
    edited: Comment = await ask_post(
        comment.post_id, EditComment(by=principal, comment_id=comment.id, body=data.body)
    )
    votes = await store().comments.votes_of(principal.user_id, [edited.id])
    return CommentView.of(edited, principal, reveal=False, my_vote=votes.get(edited.id, 0))


@blueprint.delete("/comments/<comment_id>")
@login_required
@validate_response(Done)
async def delete_comment(principal: Principal, comment_id: str) -> Done:
    """Delete a comment (its author, the topic's moderators); replies stay."""
    comment = await _stored_comment(comment_id)
    await ask_post(comment.post_id, DeleteComment(by=principal, comment_id=comment.id))
    return Done(message="comment deleted")


@blueprint.put("/comments/<comment_id>/vote")
@login_required
@validate_body(VoteCast)
@validate_response(VoteView)
async def vote_comment(principal: Principal, comment_id: str, data: VoteCast) -> VoteView:
    """Set my vote on a comment: 1 up, -1 down, 0 none."""
    comment = await _stored_comment(comment_id)
    tally = await ask_post(
        comment.post_id, VoteComment(by=principal, comment_id=comment.id, value=data.value)
    )
    return VoteView.of(tally)
