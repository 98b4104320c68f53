"""Accounts for load-test bots: verified at once, no password, one session each.

Contract:

* :func:`create_bot_account` creates a user named ``username`` with the email address
  ``<username>@bots.invalid`` (a reserved domain: nothing is ever mailed there), marked
  verified, and a password hash no password matches — so password login always fails
  and no argon2 work is spent.  It then opens one login session of the usual lifetime
  (:func:`services.accounts.sessions.open_session`, in whatever session store the node
  uses) and returns it: its token is the only way to act as the account.
* The name is not checked here (the caller validates it); a taken username or address
  raises :class:`storage.errors.Conflict` from the store.
* Nothing is mailed and no attempt counter is spent: callers are operators, not the
  public (see :mod:`http_facade.routes.admin.bots`).
"""

from __future__ import annotations

from services.accounts.context import AccountServices, ClientInfo
from services.accounts.sessions import OpenedSession, open_session

BOT_EMAIL_DOMAIN = "bots.invalid"
BOT_DISPLAY_NAME = "bot"
UNUSABLE_PASSWORD_HASH = "!bot-account"  # noqa: S105 - not a hash: no password matches it


def bot_email(username: str) -> str:
    """The address a bot account named ``username`` gets."""
    return f"{username}@{BOT_EMAIL_DOMAIN}"


async def create_bot_account(
    services: AccountServices, username: str, client: ClientInfo
) -> OpenedSession:
    """Create the verified account ``username`` and open its session; see the module."""
    user = await services.users.create(
        username=username,
        email=bot_email(username),
        password_hash=UNUSABLE_PASSWORD_HASH,
        display_name=BOT_DISPLAY_NAME,
    )
    await services.users.set_email_verified(user.id, True)
    return await open_session(services, user, client, previous_token=None, method="bot")
