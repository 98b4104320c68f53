"""Picture routes: avatars, topic pictures and chat-room pictures.

Contract:

* ``PUT /api/users/me/avatar``, ``PUT /api/topics/<id>/picture`` and
  ``PUT /api/chat-rooms/<id>/picture`` take ``{"file_id": …}``, an image the caller
  uploaded, and answer the new picture (:class:`PictureView`); ``DELETE`` on the same
  paths removes it (404 when there is none).  Who may: :mod:`.access`; what happens to
  the image: :mod:`.storing`.
* ``GET /api/users/<id>/avatar`` (no login: profiles are public),
  ``GET /api/topics/<id>/picture`` and ``GET /api/chat-rooms/<id>/picture`` (login)
  serve a WebP rendition (``size``, ``v``: :class:`PictureQuery`) with an ``ETag`` and
  ``Cache-Control``; 404 for a subject without a picture and for callers who may not
  see the subject alike.
* Views show the versioned URL (or ``null``): ``avatar_url`` on profiles,
  ``picture_url`` on topics and rooms (:mod:`.subjects`).
"""

from __future__ import annotations

from quart import Blueprint, Response
from quart_schema import document_response, tag_blueprint, validate_querystring, validate_response

from http_facade.guard import login_required
from http_facade.openapi import ErrorBody
from http_facade.replies import Done
from http_facade.routes.pictures.access import (
    require_room_moderator,
    require_room_viewer,
    require_topic_moderator,
    require_topic_viewer,
    require_user,
)
from http_facade.routes.pictures.schemas import PictureQuery, PictureSet, PictureView
from http_facade.routes.pictures.storing import remove_picture, serve_picture, set_picture
from http_facade.routes.pictures.subjects import PictureKind
from http_facade.validation import validate_body
from services.principal import Principal

blueprint = Blueprint("pictures", __name__)
tag_blueprint(blueprint, ["pictures"])


@blueprint.put("/api/users/me/avatar")
@login_required
@validate_body(PictureSet)
@validate_response(PictureView)
async def set_avatar(principal: Principal, data: PictureSet) -> PictureView:
    """Make an uploaded image my avatar."""
    return await set_picture(PictureKind.USER, principal.user_id, principal, data.file_id)


@blueprint.delete("/api/users/me/avatar")
@login_required
@validate_response(Done)
async def remove_avatar(principal: Principal) -> Done:
    """Remove my avatar."""
    await remove_picture(PictureKind.USER, principal.user_id)
    return Done(message="avatar removed")


@blueprint.get("/api/users/<user_id>/avatar")
@validate_querystring(PictureQuery)
@document_response(ErrorBody, 404)
async def get_avatar(user_id: str, query_args: PictureQuery) -> Response:
    """A user's avatar (WebP).  Only the error answers are in the schema."""
    await require_user(user_id)
    return await serve_picture(PictureKind.USER, user_id, query_args, public=True)


@blueprint.put("/api/topics/<topic_id>/picture")
@login_required
@validate_body(PictureSet)
@validate_response(PictureView)
async def set_topic_picture(principal: Principal, topic_id: str, data: PictureSet) -> PictureView:
    """Make an uploaded image the topic's picture (owner, moderators, admins)."""
    await require_topic_moderator(principal, topic_id)
    return await set_picture(PictureKind.TOPIC, topic_id, principal, data.file_id)


@blueprint.delete("/api/topics/<topic_id>/picture")
@login_required
@validate_response(Done)
async def remove_topic_picture(principal: Principal, topic_id: str) -> Done:
    """Remove the topic's picture (owner, moderators, admins)."""
    await require_topic_moderator(principal, topic_id)
    await remove_picture(PictureKind.TOPIC, topic_id)
    return Done(message="picture removed")


@blueprint.get("/api/topics/<topic_id>/picture")
@login_required
@validate_querystring(PictureQuery)
@document_response(ErrorBody, 404)
async def get_topic_picture(
    principal: Principal, topic_id: str, query_args: PictureQuery
) -> Response:
    """The topic's picture (WebP) for whoever may see the topic."""
    await require_topic_viewer(principal, topic_id)
    return await serve_picture(PictureKind.TOPIC, topic_id, query_args, public=False)


@blueprint.put("/api/chat-rooms/<room_id>/picture")
@login_required
@validate_body(PictureSet)
@validate_response(PictureView)
async def set_room_picture(principal: Principal, room_id: str, data: PictureSet) -> PictureView:
    """Make an uploaded image the room's picture (owner, moderators)."""
    await require_room_moderator(principal, room_id)
    return await set_picture(PictureKind.ROOM, room_id, principal, data.file_id)


@blueprint.delete("/api/chat-rooms/<room_id>/picture")
@login_required
@validate_response(Done)
async def remove_room_picture(principal: Principal, room_id: str) -> Done:
    """Remove the room's picture (owner, moderators)."""
    await require_room_moderator(principal, room_id)
    await remove_picture(PictureKind.ROOM, room_id)
    return Done(message="picture removed")


@blueprint.get("/api/chat-rooms/<room_id>/picture")
@login_required
@validate_querystring(PictureQuery)
@document_response(ErrorBody, 404)
async def get_room_picture(
    principal: Principal, room_id: str, query_args: PictureQuery
) -> Response:
    """The room's picture (WebP) for whoever may see the room."""
    await require_room_viewer(principal, room_id)
    return await serve_picture(PictureKind.ROOM, room_id, query_args, public=False)
