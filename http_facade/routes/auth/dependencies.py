"""What the auth handlers take from the node: the account services and the client.

Emails are delivered in the app's background nursery (quart-trio), after the response,
so that no response waits on (or is timed by) a mail provider; a delivery failure is
logged without the message's content.
"""

from __future__ import annotations

import logging
import urllib.parse

from quart import current_app, request

from http_facade.context import current_context
from http_facade.errors import ApiError
from http_facade.middleware.security import request_client_address
from protocol.errors import ErrorCode
from services.accounts import AccountServices, ClientInfo
from services.accounts.context import RelyingParty, SecurityStores
from services.accounts.step_up import require_recent_authentication
from services.email import EmailDeliveryError, EmailMessage, Mailer
from services.principal import Principal

logger = logging.getLogger(__name__)


def account_services() -> AccountServices:
    """The account services of this node (503 ``unavailable`` on a bare app)."""
    context = current_context()
    store, sessions, passwords = context.store, context.sessions, context.passwords
    realtime, mailer = context.realtime, context.mailer
    if (
        store is None
        or sessions is None
        or passwords is None
        or realtime is None
        or mailer is None
    ):
        raise ApiError(ErrorCode.UNAVAILABLE, "accounts are not served by this node")
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def send_email(message: EmailMessage) -> None:
        app.add_background_task(deliver, mailer, message)

    return AccountServices(
        users=store.users,
        tokens=store.tokens,
        sessions=sessions,
        passwords=passwords,
        limiter=realtime.rate_limiter,
        send_email=send_email,
        public_url=context.settings.public_url,
        connections=context.gateway,
        security=SecurityStores(
            passkeys=store.passkeys,
            events=store.security_events,
            requests=store.account_requests,
            relying_party=relying_party_for(context.settings.public_url),
        ),
    )


def relying_party_for(public_url: str) -> RelyingParty:
    """The WebAuthn relying party of a node whose public URL is ``public_url``."""
    parsed = urllib.parse.urlsplit(public_url)
    origin = f"{parsed.scheme}://{parsed.netloc}"
    return RelyingParty(rp_id=parsed.hostname or "localhost", name="TopicsFlow", origins=(origin,))


async def deliver(mailer: Mailer, message: EmailMessage) -> None:
    """Send ``message``; log (without its content) when the provider refuses it."""
    try:
        await mailer.send(message)
    except EmailDeliveryError as error:
        logger.warning("an email (%s) was not delivered: %s", message.subject, error)


def client_info() -> ClientInfo:
    """The request's client address and user agent."""
    return ClientInfo(
        address=request_client_address(),
        user_agent=request.headers.get("User-Agent", ""),
    )


async def require_step_up(principal: Principal) -> AccountServices:
    """The account services, once the caller's session authenticated recently.

    403 ``forbidden`` with ``reauthenticate: true`` otherwise
    (:mod:`services.accounts.step_up`): call ``POST /api/auth/step-up`` and retry.
    """
    services = account_services()
    await require_recent_authentication(services, principal.user_id, principal.session_id)
    return services
