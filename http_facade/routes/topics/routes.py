"""``/api/topics``: create, read, change, delete and list topics.

Contract:

* Every route needs a login.  Titles are unique regardless of case (409 ``conflict``);
  text is stored and returned verbatim; the search text ``q`` is a literal substring of
  title or description (case-insensitive), never a pattern.
* Invite-only topics are listed only to their members (and admins); reading one is
  403 ``forbidden`` for anyone else except invitees, who see the topic but not its posts.
* Changes go through the topic's actor: moderators edit, the owner also decides who may
  join, the owner deletes (softly), admins restore.
* Lists page by ``cursor``; ``next_cursor`` is where the next page starts (None at the
  end).  A page may hold fewer topics than ``limit`` when invite-only ones were hidden.
"""

from __future__ import annotations

from msgspec import UnsetType
from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from actors.community.access import may_read_topic
from actors.community.topic_commands import (
    DeleteTopic,
    Need,
    RestoreTopic,
    TopicAccess,
    UpdateTopic,
)
from http_facade.errors import ApiError
from http_facade.guard import admin_required, login_required
from http_facade.node_access import store
from http_facade.pagination import after_offset, offset_of
from http_facade.replies import Done
from http_facade.routes.community import ask_topic, topic_access
from http_facade.routes.content_settings.filters import hidden_topics
from http_facade.routes.pictures.subjects import PictureKind, with_picture, with_pictures
from http_facade.routes.topics.schemas import (
    TopicCreate,
    TopicPage,
    TopicQuery,
    TopicUpdate,
    TopicView,
)
from http_facade.screening import screen_description, screen_name
from http_facade.validation import validate_body
from protocol.errors import ErrorCode
from services.principal import Principal
from storage.errors import Conflict

blueprint = Blueprint("topics", __name__, url_prefix="/api/topics")
tag_blueprint(blueprint, ["topics"])


@blueprint.post("")
@login_required
@validate_body(TopicCreate)
@validate_response(TopicView, 201)
async def create_topic(principal: Principal, data: TopicCreate) -> tuple[TopicView, int]:
    """Create a topic owned by the caller (409 ``conflict`` for a taken title)."""
    try:
        topic = await store().topics.create(
            owner_id=principal.user_id,
            title=screen_name(data.title, "topic title"),
            description=screen_description(data.description),
            tags=data.tags,
            is_private=data.invite_only,
        )
    except Conflict:
        raise ApiError(ErrorCode.CONFLICT, "a topic with this title exists") from None
    return TopicView.of(topic, "owner"), 201


@blueprint.get("")
@login_required
@validate_querystring(TopicQuery)
@validate_response(TopicPage)
async def list_topics(principal: Principal, query_args: TopicQuery) -> TopicPage:
    """Topics by last activity, member count or creation; filter by tag or search text.

    Invite-only topics the caller does not belong to are left out before paging, so a
    page holds up to ``limit`` topics the caller may read."""
    start = offset_of(query_args.cursor)
    roles = {
        membership.scope_id: membership.role
        for membership in await store().topics.members.list_for_user(principal.user_id)
    }
    topics = await store().topics.list_topics(
        sort=query_args.sort,
        tag=query_args.tag,
        query=query_args.q,
        offset=start,
        limit=query_args.limit,
        visible_with=None if principal.is_admin else roles.keys(),
        hidden=await hidden_topics(principal.user_id),
    )
    visible = [
        TopicView.of(topic, roles.get(topic.id), is_admin=principal.is_admin)
        for topic in topics
        if may_read_topic(principal, topic, roles.get(topic.id))
    ]
    full_page = len(topics) == query_args.limit
    visible = await with_pictures(PictureKind.TOPIC, visible)
    return TopicPage(
        topics=visible, next_cursor=after_offset(start, len(topics), query_args.limit, full_page)
    )


@blueprint.get("/<topic_id>")
@login_required
@validate_response(TopicView)
async def get_topic(principal: Principal, topic_id: str) -> TopicView:
    """The topic, with the caller's role in it."""
    access = await topic_access(principal, topic_id, Need.VIEW)
    return await with_picture(PictureKind.TOPIC, TopicView.of_access(access))


@blueprint.patch("/<topic_id>")
@login_required
@validate_body(TopicUpdate)
@validate_response(TopicView)
async def update_topic(principal: Principal, topic_id: str, data: TopicUpdate) -> TopicView:
    """Change title, description or tags (moderators) or who may join (the owner)."""
    access: TopicAccess = await ask_topic(
        topic_id,
        UpdateTopic(
            by=principal,
            title=(
                data.title if isinstance(data.title, UnsetType)
                else screen_name(data.title, "topic title")
            ),
            description=(
                data.description if isinstance(data.description, UnsetType)
                else screen_description(data.description)
            ),
            tags=data.tags,
            is_private=data.invite_only,
        ),
    )
    return await with_picture(PictureKind.TOPIC, TopicView.of_access(access))


@blueprint.delete("/<topic_id>")
@login_required
@validate_response(Done)
async def delete_topic(principal: Principal, topic_id: str) -> Done:
    """Delete the topic (its owner or an admin); an admin can restore it."""
    await ask_topic(topic_id, DeleteTopic(by=principal))
    return Done(message="topic deleted")


@blueprint.post("/<topic_id>/restore")
@admin_required
@validate_response(TopicView)
async def restore_topic(principal: Principal, topic_id: str) -> TopicView:
    """Undo a delete (admins only); the restore is written to the audit log."""
    access = await ask_topic(topic_id, RestoreTopic(by=principal))
    await store().reports.append_audit(
        actor_id=principal.user_id, action="topic.restore", target_kind="topic",
        target_id=topic_id, topic_id=topic_id, details=f"restored topic {topic_id}",
    )
    return await with_picture(PictureKind.TOPIC, TopicView.of_access(access))
