"""``/api/webhooks``: create, list, read, change, delete, re-enable and ping webhooks, and
read their delivery log.

Contract:

* Only the owner of a room or topic (or an admin) adds a webhook to it; only the user
  who created a webhook (or an admin) sees or changes it — anyone else gets 404.
* The URL is checked when given (:mod:`services.webhook_targets`: public hosts only,
  unless ``TOPICSFLOW_WEBHOOKS_ALLOW_PRIVATE``) and again before every delivery.
* The signing secret is in the creation's answer only; it is stored sealed.
* Changes go through the webhook's actor (``webhook``), the single writer of the
  webhook, its queue and its log; reads come from the store.
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from actors.webhooks.access import may_subscribe, require_manager
from actors.webhooks.commands import (
    WEBHOOK,
    Announce,
    DeleteWebhook,
    EnableWebhook,
    PingWebhook,
    UpdateWebhook,
)
from actors.webhooks.events import EVENTS_BY_SCOPE
from http_facade.context import current_context
from http_facade.errors import ApiError
from http_facade.guard import login_required
from http_facade.node_access import ask_actor, checked_id, store
from http_facade.pagination import decode_cursor, encode_cursor
from http_facade.routes.webhooks.schemas import (
    AfterIdPosition,
    BeforeAttemptPosition,
    DeliveryPage,
    DeliveryView,
    PageQuery,
    PingQueued,
    WebhookCreate,
    WebhookCreated,
    WebhookDeleted,
    WebhookPage,
    WebhookUpdate,
    WebhookView,
)
from http_facade.validation import validate_body
from protocol.errors import ErrorCode
from services.principal import Principal
from services.webhook_signing import SecretBox, new_secret
from services.webhook_targets import TargetRefused, resolve_public
from storage.errors import Conflict, NotFound
from storage.records.webhooks import Webhook, WebhookScope

blueprint = Blueprint("webhooks", __name__, url_prefix="/api/webhooks")
tag_blueprint(blueprint, ["webhooks"])


async def _checked_target(url: str) -> str:
    """``url`` when it may be a target now; 400 ``invalid`` saying why not."""
    settings = current_context().settings.webhooks
    try:
        await resolve_public(url, allow_private=settings.allow_private)
    except TargetRefused as error:
        raise ApiError(ErrorCode.INVALID, f"url: {error}") from None
    return url


def _checked_events(scope: WebhookScope, events: list[str]) -> tuple[str, ...]:
    allowed = EVENTS_BY_SCOPE[scope]
    refused = sorted(set(events) - allowed)
    if refused:
        raise ApiError(
            ErrorCode.INVALID,
            f"events: {', '.join(refused)} cannot be received from a {scope} "
            f"(allowed: {', '.join(sorted(allowed))})",
        )
    return tuple(dict.fromkeys(events))


async def _scope_owner(scope: WebhookScope, scope_id: str) -> str:
    try:
        if scope == "chat_room":
            return (await store().rooms.get(scope_id)).owner_id
        return (await store().topics.get(scope_id)).owner_id
    except NotFound:
        raise ApiError(ErrorCode.NOT_FOUND, f"no such {scope.replace('_', ' ')}") from None


async def _managed(principal: Principal, webhook_id: str) -> Webhook:
    webhook_id = checked_id(webhook_id, "webhook")
    try:
        hook: Webhook | None = await store().webhooks.get(webhook_id)
    except NotFound:
        hook = None
    return require_manager(hook, principal.user_id, is_admin=principal.is_admin)


async def _view(webhook_id: str) -> WebhookView:
    hook = await store().webhooks.get(webhook_id)
    return WebhookView.of(hook, await store().webhooks.queued(webhook_id))


@blueprint.post("")
@login_required
@validate_body(WebhookCreate)
@validate_response(WebhookCreated, 201)
async def create_webhook(
    principal: Principal, data: WebhookCreate
) -> tuple[WebhookCreated, int]:
    """Subscribe a URL to events of a room or topic I own; the answer holds the signing
    secret, shown this once."""
    scope_text, _, scope_id = data.channel.partition(":")
    scope: WebhookScope = "chat_room" if scope_text == "chat_room" else "topic"
    owner_id = await _scope_owner(scope, scope_id)
    if not may_subscribe(owner_id, principal.user_id, is_admin=principal.is_admin):
        raise ApiError(ErrorCode.FORBIDDEN, f"only the {scope.replace('_', ' ')}'s owner may")
    events = _checked_events(scope, list(data.events))
    url = await _checked_target(data.url)
    settings = current_context().settings
    box = SecretBox(settings.secret_key)
    secret = new_secret()
    try:
        hook = await store().webhooks.create(
            owner_id=principal.user_id, scope=scope, scope_id=scope_id, url=url,
            events=events, seal=lambda webhook_id: box.seal(webhook_id, secret),
            limit=settings.webhooks.max_per_owner,
        )
    except Conflict:
        raise ApiError(
            ErrorCode.CONFLICT,
            f"you already own {settings.webhooks.max_per_owner} webhooks",
        ) from None
    await ask_actor(WEBHOOK, hook.id, Announce())
    return WebhookCreated(webhook=WebhookView.of(hook, 0), secret=secret), 201


@blueprint.get("")
@login_required
@validate_querystring(PageQuery)
@validate_response(WebhookPage)
async def list_webhooks(principal: Principal, query_args: PageQuery) -> WebhookPage:
    """My webhooks, oldest first."""
    position = decode_cursor(query_args.cursor, AfterIdPosition)
    found = await store().webhooks.list_for_owner(
        principal.user_id, after=None if position is None else position.a,
        limit=query_args.limit + 1,
    )
    page = found[: query_args.limit]
    items = [WebhookView.of(hook, await store().webhooks.queued(hook.id)) for hook in page]
    more = len(found) > query_args.limit
    return WebhookPage(
        items=items,
        next_cursor=encode_cursor(AfterIdPosition(a=page[-1].id)) if more and page else None,
    )


@blueprint.get("/<webhook_id>")
@login_required
@validate_response(WebhookView)
async def get_webhook(principal: Principal, webhook_id: str) -> WebhookView:
    """One of my webhooks."""
    hook = await _managed(principal, webhook_id)
    return WebhookView.of(hook, await store().webhooks.queued(hook.id))


@blueprint.patch("/<webhook_id>")
@login_required
@validate_body(WebhookUpdate)
@validate_response(WebhookView)
async def update_webhook(
    principal: Principal, webhook_id: str, data: WebhookUpdate
) -> WebhookView:
    """Change the URL, the events, or turn the webhook off (``active: false``) or on."""
    hook = await _managed(principal, webhook_id)
    events = None if data.events is None else _checked_events(hook.scope, list(data.events))
    url = None if data.url is None else await _checked_target(data.url)
    await ask_actor(
        WEBHOOK, hook.id,
        UpdateWebhook(
            user_id=principal.user_id, is_admin=principal.is_admin, url=url, events=events,
            active=data.active,
        ),
    )
    return await _view(hook.id)


@blueprint.delete("/<webhook_id>")
@login_required
@validate_response(WebhookDeleted)
async def delete_webhook(principal: Principal, webhook_id: str) -> WebhookDeleted:
    """Delete the webhook, its queued deliveries and its log."""
    hook = await _managed(principal, webhook_id)
    await ask_actor(
        WEBHOOK, hook.id, DeleteWebhook(user_id=principal.user_id, is_admin=principal.is_admin)
    )
    return WebhookDeleted(id=hook.id)


@blueprint.post("/<webhook_id>/enable")
@login_required
@validate_response(WebhookView)
async def enable_webhook(principal: Principal, webhook_id: str) -> WebhookView:
    """Re-enable a disabled webhook: failures restart at zero, its queue is tried now."""
    hook = await _managed(principal, webhook_id)
    await ask_actor(
        WEBHOOK, hook.id, EnableWebhook(user_id=principal.user_id, is_admin=principal.is_admin)
    )
    return await _view(hook.id)


@blueprint.post("/<webhook_id>/ping")
@login_required
@validate_response(PingQueued, 202)
async def ping_webhook(principal: Principal, webhook_id: str) -> tuple[PingQueued, int]:
    """Queue a signed ``ping`` delivery (sent once the webhook is active)."""
    hook = await _managed(principal, webhook_id)
    delivery: str = await ask_actor(
        WEBHOOK, hook.id, PingWebhook(user_id=principal.user_id, is_admin=principal.is_admin)
    )
    return PingQueued(delivery_id=delivery), 202


@blueprint.get("/<webhook_id>/deliveries")
@login_required
@validate_querystring(PageQuery)
@validate_response(DeliveryPage)
async def list_deliveries(
    principal: Principal, webhook_id: str, query_args: PageQuery
) -> DeliveryPage:
    """The delivery log: every attempt, newest first, with its outcome and latency."""
    hook = await _managed(principal, webhook_id)
    position = decode_cursor(query_args.cursor, BeforeAttemptPosition)
    found = await store().webhooks.attempts(
        hook.id, before=None if position is None else position.b, limit=query_args.limit + 1
    )
    page = found[: query_args.limit]
    more = len(found) > query_args.limit
    return DeliveryPage(
        items=[DeliveryView.of(entry) for entry in page],
        next_cursor=encode_cursor(BeforeAttemptPosition(b=page[-1].id)) if more and page else None,
    )
