"""Offline delivery's routes (docs/NOTIFICATIONS.md).

Contract:

* ``GET /api/push/vapid-public-key`` (no login): the browsers' ``applicationServerKey``;
  404 ``not_found`` when this server has no VAPID key (Web Push off).
* ``/api/users/me/push-subscriptions``: register (``POST``; the same endpoint again
  replaces its keys), list, remove (``DELETE .../{id}``) my subscriptions.  The endpoint
  must be an ``https`` URL on a public host (``http`` and private hosts only with
  ``TOPICSFLOW_PUSH_ALLOW_PRIVATE``); ``p256dh`` must be a P-256 point and ``auth`` 16
  bytes; at most ``max_push_subscriptions`` per user (409 ``conflict``).  Only the owner
  sees or removes a subscription (404 otherwise).
* ``GET``/``PUT /api/users/me/delivery``: my delivery mode (push, email, both, none).
* ``GET``/``POST /api/delivery/unsubscribe?token=``: no login; a digest's signed link
  turns that user's email digest off (``email`` → ``none``, ``both`` → ``push``); a token
  that is not valid is 404 ``not_found``.  Answering the same link twice is harmless.
"""

from __future__ import annotations

from quart import Blueprint, Quart, current_app
from quart_schema import tag_blueprint, validate_querystring, validate_response

from http_facade.context import current_context
from http_facade.errors import ApiError
from http_facade.guard import login_required
from http_facade.node_access import store
from http_facade.pagination import ListQuery, slice_page
from http_facade.replies import Done
from http_facade.routes.push.schemas import (
    OfflineDeliveryUpdate,
    OfflineDeliveryView,
    SubscriptionCreate,
    SubscriptionPage,
    SubscriptionView,
    Unsubscribed,
    UnsubscribeQuery,
    VapidKey,
)
from http_facade.routes.push.validation import checked_subscription
from http_facade.validation import validate_body
from protocol.errors import ErrorCode
from services.digest import unsubscribed_user
from services.principal import Principal
from services.push import VapidKeys
from storage.errors import Conflict
from storage.records.delivery import DeliveryMode, DeliveryPreferences

EXTENSION_KEY = "topicsflow.push"

keys_blueprint = Blueprint("push", __name__, url_prefix="/api/push")
blueprint = Blueprint("push_settings", __name__, url_prefix="/api/users/me")
unsubscribe_blueprint = Blueprint("delivery_unsubscribe", __name__, url_prefix="/api/delivery")
for part in (keys_blueprint, blueprint, unsubscribe_blueprint):
    tag_blueprint(part, ["notifications"])

WITHOUT_EMAIL: dict[DeliveryMode, DeliveryMode] = {
    "email": "none", "both": "push", "push": "push", "none": "none",
}


def bind_push(app: Quart, keys: VapidKeys | None) -> None:
    """Give the routes the node's VAPID keys (None: Web Push is off)."""
    app.extensions[EXTENSION_KEY] = keys


def _keys() -> VapidKeys | None:
    keys: VapidKeys | None = current_app.extensions.get(EXTENSION_KEY)
    return keys


@keys_blueprint.get("/vapid-public-key")
@validate_response(VapidKey)
async def vapid_public_key() -> VapidKey:
    """The VAPID public key to pass as ``applicationServerKey`` when subscribing."""
    keys = _keys()
    if keys is None:
        raise ApiError(ErrorCode.NOT_FOUND, "this server does not send Web Push")
    return VapidKey(public_key=keys.public_key)


@blueprint.post("/push-subscriptions")
@login_required
@validate_body(SubscriptionCreate)
@validate_response(SubscriptionView, 201)
async def add_subscription(
    principal: Principal, data: SubscriptionCreate
) -> tuple[SubscriptionView, int]:
    """Register this browser's push subscription for my mentions and DMs while offline."""
    if _keys() is None:
        raise ApiError(ErrorCode.UNSUPPORTED, "this server does not send Web Push")
    settings = current_context().settings.delivery
    await checked_subscription(data, allow_private=settings.push_allow_private)
    try:
        subscription = await store().delivery.add_subscription(
            user_id=principal.user_id, endpoint=data.endpoint, p256dh=data.keys.p256dh,
            auth=data.keys.auth, limit=settings.max_push_subscriptions,
        )
    except Conflict:
        raise ApiError(
            ErrorCode.CONFLICT,
            f"you already have {settings.max_push_subscriptions} push subscriptions",
        ) from None
    return SubscriptionView.of(subscription), 201


@blueprint.get("/push-subscriptions")
@login_required
@validate_querystring(ListQuery)
@validate_response(SubscriptionPage)
async def list_subscriptions(principal: Principal, query_args: ListQuery) -> SubscriptionPage:
    """My push subscriptions, oldest first."""
    limit = current_context().settings.delivery.max_push_subscriptions
    found = await store().delivery.subscriptions(principal.user_id, limit=limit)
    page, cursor = slice_page(
        [SubscriptionView.of(item) for item in found], query_args.cursor, query_args.limit
    )
    return SubscriptionPage(subscriptions=page, next_cursor=cursor)


@blueprint.delete("/push-subscriptions/<subscription_id>")
@login_required
@validate_response(Done)
async def remove_subscription(principal: Principal, subscription_id: str) -> Done:
    """Remove one of my push subscriptions."""
    removed = len(subscription_id) <= 64 and await store().delivery.remove_subscription(
        principal.user_id, subscription_id
    )
    if not removed:
        raise ApiError(ErrorCode.NOT_FOUND, "push subscription not found")
    return Done(message="removed")


def _view(preferences: DeliveryPreferences) -> OfflineDeliveryView:
    return OfflineDeliveryView.of(
        preferences, digest_seconds=current_context().settings.delivery.digest_seconds,
        push_available=_keys() is not None,
    )


@blueprint.get("/delivery")
@login_required
@validate_response(OfflineDeliveryView)
async def my_delivery(principal: Principal) -> OfflineDeliveryView:
    """How my mentions and DMs reach me while I have no open connection."""
    return _view(await store().delivery.preferences(principal.user_id))


@blueprint.put("/delivery")
@login_required
@validate_body(OfflineDeliveryUpdate)
@validate_response(OfflineDeliveryView)
async def set_my_delivery(principal: Principal, data: OfflineDeliveryUpdate) -> OfflineDeliveryView:
    """Choose push, email (digest), both or none."""
    return _view(await store().delivery.set_mode(principal.user_id, data.mode))


async def _unsubscribe(token: str) -> Unsubscribed:
    user_id = unsubscribed_user(current_context().settings.secret_key, token)
    if user_id is None:
        raise ApiError(ErrorCode.NOT_FOUND, "this unsubscribe link is not valid")
    delivery = store().delivery
    current = (await delivery.preferences(user_id)).mode
    if WITHOUT_EMAIL[current] != current:
        current = (await delivery.set_mode(user_id, WITHOUT_EMAIL[current])).mode
    return Unsubscribed(mode=current)


@unsubscribe_blueprint.get("/unsubscribe")
@validate_querystring(UnsubscribeQuery)
@validate_response(Unsubscribed)
async def unsubscribe_link(query_args: UnsubscribeQuery) -> Unsubscribed:
    """Turn the email digest off from its link (no login: the link is signed)."""
    return await _unsubscribe(query_args.token)


@unsubscribe_blueprint.post("/unsubscribe")
@validate_querystring(UnsubscribeQuery)
@validate_response(Unsubscribed)
async def unsubscribe_one_click(query_args: UnsubscribeQuery) -> Unsubscribed:
    """One-click unsubscribe (RFC 8058's POST to the same link)."""
    return await _unsubscribe(query_args.token)
