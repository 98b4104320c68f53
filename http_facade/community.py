"""What the topic, post and comment blueprints share: the actors, access, error mapping.

Contract:

* Commands go to the owning actor (``topic/<id>`` or ``post/<id>``) with :func:`ask`,
  which turns the runtime's failures into the error shape: no reply in time is 504
  ``timeout``, a crashed handler 500 ``internal`` (the command may or may not have taken
  effect), an undeliverable message 503 ``unavailable``.  Domain refusals pass unchanged.
* Reads go to storage directly, after the topic actor has said who may read
  (:func:`topic_access`, :func:`readable_post`).
* Ids in paths that cannot be ids (wrong characters, too long) are 404 ``not_found``
  before any actor is addressed.
"""

from __future__ import annotations

import re
from typing import Any

from actors.errors import ActorCrashed, AskTimeout, DeliveryError
from actors.post_messages import POST
from actors.realtime import Principal
from actors.topic_messages import TOPIC, CheckAccess, Need, TopicAccess
from http_facade.context import current_context
from http_facade.errors import ApiError
from protocol.errors import ErrorCode
from protocol.fields import IDENTIFIER_PATTERN
from protocol.limits import MAX_ID_LENGTH
from storage.errors import NotFound
from storage.protocols import Store
from storage.records import Post
from supervisors.registry import Registry

_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)


def store() -> Store:
    """The node's store (503 ``unavailable`` on a bare app)."""
    found = current_context().store
    if found is None:
        raise ApiError(ErrorCode.UNAVAILABLE, "topics are not served by this node")
    return found


def registry() -> Registry:
    """The node's actor registry (503 ``unavailable`` on a bare app)."""
    found = current_context().registry
    if found is None:
        raise ApiError(ErrorCode.UNAVAILABLE, "topics are not served by this node")
    return found


def checked_id(value: str, kind: str) -> str:
    """``value`` when it can be an id; 404 ``not_found`` naming ``kind`` otherwise."""
    if len(value) > MAX_ID_LENGTH or _IDENTIFIER.search(value) is None:
        raise ApiError(ErrorCode.NOT_FOUND, f"no such {kind}")
    return value


async def ask(kind: str, actor_id: str, message: object) -> Any:
    """Ask actor ``kind/actor_id``; see the module docstring for the error mapping."""
    try:
        return await registry().ref(kind, actor_id).ask(message)
    except AskTimeout:
        raise ApiError(ErrorCode.TIMEOUT, "the topic did not answer in time") from None
    except ActorCrashed:
        raise ApiError(
            ErrorCode.INTERNAL, "the command failed; it may or may not have taken effect"
        ) from None
    except DeliveryError:
        raise ApiError(ErrorCode.UNAVAILABLE, "the topic is not available; retry") from None


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
