"""Pages a newcomer needs on a development node; registered in the development profile only.

* ``GET /dev`` — what runs here (store, realtime backend, WebSocket URL) and links to the
  web app (``/``), the API documentation, the outbox and the operator endpoints.
* ``GET /dev/outbox`` — the mails the node sent, newest first, with their links; JSON when
  the client prefers ``application/json`` (``?to=ADDRESS`` filters by recipient).
* ``GET /verify-email?token=T`` and ``GET /reset-password?token=T`` — where the links in
  those mails point (``TOPICSFLOW_PUBLIC_URL``): a form whose button completes the action
  through the same account services as ``/api/auth``.  Opening a link never spends it, so
  a mail client's link preview cannot use up a single-use token.

Every page is server-rendered by Jinja with autoescaping (user text is data), carries no
script, and is served with a Content-Security-Policy that allows only its inline style and
forms posting back to the node.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from quart import Blueprint, Response, jsonify, render_template, request
from quart_schema import hide

from http_facade.context import FacadeContext, current_context
from http_facade.routes.auth.dependencies import account_services, client_info
from services.accounts import recovery, registration
from services.email import EmailMessage, OutboxMailer
from services.errors import DomainError

blueprint = Blueprint("development_pages", __name__, template_folder="templates")

PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
MAX_TOKEN_LENGTH = 200


async def _page(template: str, status: int = 200, **values: Any) -> Response:
    values.setdefault("webapp_path", current_context().settings.webapp_path)
    response = Response(await render_template(f"development/{template}", **values), status)
    response.headers["Content-Security-Policy"] = PAGE_POLICY
    response.headers["Cache-Control"] = "no-store"
    return response


def _outbox() -> OutboxMailer | None:
    mailer = current_context().mailer
    return mailer if isinstance(mailer, OutboxMailer) else None


@blueprint.get("/dev")
@hide
async def home() -> Response:
    """What this development node runs, and where to go next."""
    context = current_context()
    base_url = request.host_url.rstrip("/")
    return await _page(
        "home.html",
        title="A TopicsFlow node is running",
        base_url=base_url,
        store=_store_description(context),
        realtime=context.realtime.backend if context.realtime else "none",
        websocket_url=base_url.replace("http", "ws", 1) + "/ws",
    )


def _store_description(context: FacadeContext) -> str:
    """The store's kind and where it keeps data (never a URL: it may hold credentials)."""
    settings = context.settings
    if context.store is None:
        return "none"
    if settings.mongodb_url:
        return f"{context.store.backend}, database {settings.mongodb_database}"
    return f"{context.store.backend} in {settings.data_dir.resolve()}"


def _message_view(message: EmailMessage) -> dict[str, object]:
    return {
        "to": message.to, "subject": message.subject, "body": message.body,
        "links": list(message.links),
    }


@blueprint.get("/dev/outbox")
@hide
async def outbox() -> Response:
    """The mails kept in the development outbox, newest first."""
    kept = _outbox()
    recipient = request.args.get("to")
    messages = [
        message for message in reversed(kept.messages if kept else ())
        if recipient is None or message.to == recipient
    ]
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    if best == "application/json" or request.args.get("format") == "json":
        return jsonify({"messages": [_message_view(message) for message in messages]})
    capacity = kept.messages.maxlen if kept else 0
    return await _page("outbox.html", title="Outbox", messages=messages, capacity=capacity)


def _token_argument(source: Any) -> str:
    token = source.get("token", "")
    return token if isinstance(token, str) and len(token) <= MAX_TOKEN_LENGTH else ""


@blueprint.get("/verify-email")
@hide
async def verify_email_form() -> Response:
    """The page a verification link opens."""
    return await _page(
        "token_form.html", title="Confirm your email address", action="/verify-email",
        token=_token_argument(request.args), asks_password=False, button="Confirm",
        explanation="Confirm the address to finish creating your TopicsFlow account.",
    )


@blueprint.post("/verify-email")
@hide
async def verify_email() -> Response:
    """Complete a verification from the form."""
    token = _token_argument(await request.form)

    async def action() -> None:
        await registration.verify_email(account_services(), token, client_info().address)

    return await _outcome(action, "Your email address is confirmed. You can log in now.")


@blueprint.get("/reset-password")
@hide
async def reset_password_form() -> Response:
    """The page a password reset link opens."""
    return await _page(
        "token_form.html", title="Choose a new password", action="/reset-password",
        token=_token_argument(request.args), asks_password=True, button="Set password",
        explanation="Choose the new password of your TopicsFlow account.",
    )


@blueprint.post("/reset-password")
@hide
async def reset_password() -> Response:
    """Complete a password reset from the form."""
    form = await request.form
    token, password = _token_argument(form), form.get("password", "")

    async def action() -> None:
        await recovery.complete_reset(
            account_services(), token=token, new_password=password,
            client_address=client_info().address,
        )

    return await _outcome(action, "Your password is changed. Log in with the new one.")


async def _outcome(action: Callable[[], Awaitable[None]], success: str) -> Response:
    """Run ``action`` and render what happened; a refusal keeps its status and message."""
    try:
        await action()
    except DomainError as refusal:
        response = await _page(
            "outcome.html", int(refusal.code.http_status), title="That did not work",
            succeeded=False, message=refusal.message,
        )
        if refusal.retry_after is not None:
            response.headers["Retry-After"] = str(max(1, round(refusal.retry_after)))
        return response
    return await _page("outcome.html", title="Done", succeeded=True, message=success)
