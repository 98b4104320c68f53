"""What the topic, post and comment blueprints share: the actors and the access checks.

Contract:

* Commands go to the owning actor (``topic/<id>`` or ``post/<id>``) with
  :func:`ask_topic` and :func:`ask_post`, built on
  :func:`http_facade.node_access.ask_actor`: domain refusals pass unchanged, the
  runtime's failures become the error shape by the one mapping
  (:func:`http_facade.errors.actor_failure`: no reply in time 504 ``timeout``, a crashed
  handler 500 ``internal``, not delivered 503 ``unavailable``…).
* Reads go to storage directly, after the topic actor has said who may read
  (:func:`topic_access`, :func:`readable_post`).
* Ids in paths that cannot be ids (wrong characters, too long) are 404 ``not_found``
  before any actor is addressed.
"""

from __future__ import annotations

from typing import Any

from actors.community.post_commands import POST
from actors.community.topic_commands import TOPIC, CheckAccess, Need, TopicAccess
from http_facade.errors import ApiError
from http_facade.node_access import ask_actor as ask
from http_facade.node_access import checked_id, store
from protocol.errors import ErrorCode
from services.principal import Principal
from storage.errors import NotFound
from storage.records import Post


async def ask_topic(topic_id: str, message: object) -> Any:
    """Ask the topic actor of ``topic_id``."""
    return await ask(TOPIC, checked_id(topic_id, "topic"), message)


async def ask_post(post_id: str, message: object) -> Any:
    """Ask the post actor of ``post_id``."""
    return await ask(POST, checked_id(post_id, "post"), message)


async def topic_access(principal: Principal, topic_id: str, need: Need) -> TopicAccess:
    """The caller's standing in the topic when they may do ``need`` (refused otherwise)."""
    access: TopicAccess = await ask_topic(topic_id, CheckAccess(by=principal, need=need))
    return access


async def live_post(post_id: str) -> Post:
    """The post, not deleted; 404 otherwise."""
    try:
        post = await store().posts.get(checked_id(post_id, "post"))
    except NotFound:
        raise ApiError(ErrorCode.NOT_FOUND, "no such post") from None
    if post.deleted_at is not None:
        raise ApiError(ErrorCode.NOT_FOUND, "no such post")
    return post


async def readable_post(
    principal: Principal, post_id: str, need: Need = Need.READ
) -> tuple[Post, TopicAccess]:
    """The post and the caller's standing in its topic, when they may ``need`` it."""
    post = await live_post(post_id)
    return post, await topic_access(principal, post.topic_id, need)
