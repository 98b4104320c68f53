"""``/api/posts``: publish, read, edit, delete, list and vote on posts; follow and mute.

Contract:

* Every route needs a login.  Posts live in topics and follow the topic's policy (the
  topic actor decides): invite-only topics are read and written by members only.
* Writes go through the topic's actor and are acknowledged after the post and its event
  on ``topic:<id>`` are stored.  Votes are one per user (``PUT …/vote`` sets it, ``0``
  withdraws it); counts stay exact under concurrency.
* ``GET /api/posts/recent`` is the caller's feed: the newest posts of the topics they are
  a member of and of the most active public topics.
* Anonymous posts show their per-topic alias instead of the author to everyone but the
  author, the topic's moderators and admins (see :mod:`http_facade.routes.posts.schemas`).
"""

from __future__ import annotations

from msgspec import UNSET
from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from actors.community.access import may_moderate, may_read_topic
from actors.community.topic_commands import CreatePost, DeletePost, EditPost, Need, VotePost
from http_facade.errors import ApiError
from http_facade.guard import login_required
from http_facade.node_access import store
from http_facade.pagination import ListQuery, after_offset, offset_of, slice_page
from http_facade.replies import Done
from http_facade.routes.community import ask_topic, live_post, readable_post, topic_access
from http_facade.routes.content_settings.filters import hidden_topics, hidden_users
from http_facade.routes.posts.schemas import (
    DeleteQuery,
    EditHistory,
    EditView,
    FollowState,
    PostCreate,
    PostPage,
    PostQuery,
    PostUpdate,
    PostView,
    RecentQuery,
    VoteCast,
    VoteView,
)
from http_facade.routes.topics.schemas import MuteState
from http_facade.validation import validate_body
from protocol.errors import ErrorCode
from services.file_ownership import require_own_files
from services.principal import Principal
from storage.records import Post

FEED_PUBLIC_TOPICS = 50
MAX_RECENT_POSTS = 500
"""How deep the feed of recent posts may be paged."""

blueprint = Blueprint("posts", __name__, url_prefix="/api/posts")
tag_blueprint(blueprint, ["posts"])


async def _check_attachments(principal: Principal, attachment_ids: tuple[str, ...]) -> None:
    await require_own_files(store(), principal.user_id, attachment_ids)


async def _my_votes(principal: Principal, posts: list[Post]) -> dict[str, int]:
    votes = await store().posts.votes_of(principal.user_id, [post.id for post in posts])
    return dict(votes)


@blueprint.post("")
@login_required
@validate_body(PostCreate)
@validate_response(PostView, 201)
async def create_post(principal: Principal, data: PostCreate) -> tuple[PostView, int]:
    """Publish a post in a topic (readers who are not banned)."""
    await _check_attachments(principal, data.attachment_ids)
    post: Post = await ask_topic(
        data.topic_id,
        CreatePost(
            by=principal,
            title=data.title,
            body=data.body,
            gif_url=data.gif_url,
            attachment_ids=data.attachment_ids,
            anonymous=data.anonymous,
        ),
    )
    return PostView.of(post, principal, reveal=False), 201


@blueprint.get("")
@login_required
@validate_querystring(PostQuery)
@validate_response(PostPage)
async def list_posts(principal: Principal, query_args: PostQuery) -> PostPage:
    """A topic's posts, newest, top, hot or oldest first."""
    access = await topic_access(principal, query_args.topic_id, Need.READ)
    start = offset_of(query_args.cursor)
    posts = await store().posts.list_for_topic(
        access.topic.id, sort=query_args.sort, offset=start, limit=query_args.limit,
        hidden_authors=await hidden_users(principal.user_id),
    )
    votes = await _my_votes(principal, posts)
    full_page = len(posts) == query_args.limit
    return PostPage(
        posts=[
            PostView.of(post, principal, reveal=access.can_moderate, my_vote=votes.get(post.id, 0))
            for post in posts
        ],
        next_cursor=after_offset(start, len(posts), query_args.limit, full_page),
    )


@blueprint.get("/recent")
@login_required
@validate_querystring(RecentQuery)
@validate_response(PostPage)
async def recent_posts(principal: Principal, query_args: RecentQuery) -> PostPage:
    """The newest posts across my topics and the most active public ones."""
    roles = {
        membership.scope_id: membership.role
        for membership in await store().topics.members.list_for_user(principal.user_id)
    }
    active = await store().topics.list_topics(sort="activity", limit=FEED_PUBLIC_TOPICS)
    hidden = set(await hidden_topics(principal.user_id))
    candidates = [
        topic_id
        for topic_id in dict.fromkeys([*roles, *(topic.id for topic in active)])
        if topic_id not in hidden
    ]
    topics = await store().topics.get_many(candidates)
    visible = [
        topic.id for topic in topics if may_read_topic(principal, topic, roles.get(topic.id))
    ]
    start = offset_of(query_args.cursor)
    if start + query_args.limit > MAX_RECENT_POSTS:
        raise ApiError(ErrorCode.INVALID, f"cursor: the feed ends after {MAX_RECENT_POSTS} posts")
    window = await store().posts.recent_for_topics(
        visible,
        limit=start + query_args.limit + 1,
        hidden_authors=await hidden_users(principal.user_id),
    )
    posts = window[start : start + query_args.limit]
    more = len(window) > start + query_args.limit
    votes = await _my_votes(principal, posts)
    return PostPage(
        posts=[
            PostView.of(
                post,
                principal,
                reveal=may_moderate(roles.get(post.topic_id), is_admin=principal.is_admin),
                my_vote=votes.get(post.id, 0),
            )
            for post in posts
        ],
        next_cursor=after_offset(start, len(posts), query_args.limit, more),
    )


@blueprint.get("/<post_id>")
@login_required
@validate_response(PostView)
async def get_post(principal: Principal, post_id: str) -> PostView:
    """One post."""
    post, access = await readable_post(principal, post_id)
    votes = await _my_votes(principal, [post])
    return PostView.of(post, principal, reveal=access.can_moderate, my_vote=votes.get(post.id, 0))


@blueprint.get("/<post_id>/history")
@login_required
@validate_querystring(ListQuery)
@validate_response(EditHistory)
async def post_history(principal: Principal, post_id: str, query_args: ListQuery) -> EditHistory:
    """The post's earlier versions, oldest first."""
    post, _ = await readable_post(principal, post_id)
    edits, cursor = slice_page(
        [EditView.of(edit) for edit in post.edit_history], query_args.cursor, query_args.limit
    )
    return EditHistory(edits=edits, next_cursor=cursor)


@blueprint.patch("/<post_id>")
@login_required
@validate_body(PostUpdate)
@validate_response(PostView)
async def edit_post(principal: Principal, post_id: str, data: PostUpdate) -> PostView:
    """Change my post's title and/or body."""
    post = await live_post(post_id)
    if data.title is UNSET and data.body is UNSET:
        raise ApiError(ErrorCode.INVALID, "give a new title or body")
    edited: Post = await ask_topic(
        post.topic_id,
        EditPost(
            by=principal,
            post_id=post.id,
            body=post.body if data.body is UNSET else data.body,
            title=None if data.title is UNSET else data.title,
        ),
    )
    votes = await _my_votes(principal, [edited])
    return PostView.of(edited, principal, reveal=False, my_vote=votes.get(edited.id, 0))


@blueprint.delete("/<post_id>")
@login_required
@validate_querystring(DeleteQuery)
@validate_response(Done)
async def delete_post(principal: Principal, post_id: str, query_args: DeleteQuery) -> Done:
    """Delete a post (its author, the topic's moderators, admins)."""
    post = await live_post(post_id)
    await ask_topic(
        post.topic_id, DeletePost(by=principal, post_id=post.id, reason=query_args.reason)
    )
    return Done(message="post deleted")


@blueprint.put("/<post_id>/vote")
@login_required
@validate_body(VoteCast)
@validate_response(VoteView)
async def vote_post(principal: Principal, post_id: str, data: VoteCast) -> VoteView:
    """Set my vote on a post: 1 up, -1 down, 0 none."""
    post = await live_post(post_id)
    tally = await ask_topic(
        post.topic_id, VotePost(by=principal, post_id=post.id, value=data.value)
    )
    return VoteView.of(tally)


@blueprint.put("/<post_id>/follow")
@login_required
@validate_response(FollowState)
async def follow_post(principal: Principal, post_id: str) -> FollowState:
    """Be notified of new comments on the post."""
    post, _ = await readable_post(principal, post_id)
    await store().follows.follow(principal.user_id, post.id)
    return FollowState(following=True)


@blueprint.delete("/<post_id>/follow")
@login_required
@validate_response(FollowState)
async def unfollow_post(principal: Principal, post_id: str) -> FollowState:
    """Stop being notified of new comments on the post."""
    post = await live_post(post_id)
    await store().follows.unfollow(principal.user_id, post.id)
    return FollowState(following=False)


@blueprint.put("/<post_id>/mute")
@login_required
@validate_response(MuteState)
async def mute_post(principal: Principal, post_id: str) -> MuteState:
    """No notifications from this post, even when following it or replied to."""
    post, _ = await readable_post(principal, post_id)
    await store().follows.mute(principal.user_id, post.id)
    return MuteState(muted=True)


@blueprint.delete("/<post_id>/mute")
@login_required
@validate_response(MuteState)
async def unmute_post(principal: Principal, post_id: str) -> MuteState:
    """Notifications from this post again."""
    post, _ = await readable_post(principal, post_id)
    await store().follows.unmute(principal.user_id, post.id)
    return MuteState(muted=False)
