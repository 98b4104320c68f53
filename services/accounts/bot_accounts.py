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
* Every bot account is marked ``is_bot`` (shown in every user view); operators' bots
  have no owner.
* :func:`create_owned_bot` lets a user (a login session, never a token) own up to
  :data:`MAX_BOTS_PER_OWNER` bots: the same kind of account, without a session — its
  owner gives it personal access tokens (:mod:`services.accounts.api_tokens`).  Audited
  as ``bot_created`` in the owner's security events (the bot's id as ``method``).
"""

from __future__ import annotations

from protocol.errors import ErrorCode
from services.accounts.audit import record_event
from services.accounts.context import AccountServices, ClientInfo
from services.accounts.sessions import OpenedSession, open_session
from services.errors import DomainError
from services.principal import Principal
from services.scopes import SESSION_ONLY, require_scope
from storage.protocols.api_tokens import ApiTokenStore
from storage.records import User

BOT_EMAIL_DOMAIN = "bots.invalid"
BOT_DISPLAY_NAME = "bot"
UNUSABLE_PASSWORD_HASH = "!bot-account"  # noqa: S105 - not a hash: no password matches it
MAX_BOTS_PER_OWNER = 5
BOT_CREATED = "bot_created"


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
    user = await services.users.mark_bot(user.id, None)
    return await open_session(services, user, client, previous_token=None, method="bot")


async def create_owned_bot(
    services: AccountServices,
    tokens: ApiTokenStore,
    owner: Principal,
    *,
    username: str,
    display_name: str,
    client: ClientInfo,
) -> User:
    """Create the bot ``username`` owned by ``owner`` (see the module docstring).

    The name is validated by the caller; a taken one raises ``Conflict``.
    """
    require_scope(owner, SESSION_ONLY)
    if len(await tokens.bots_of(owner.user_id)) >= MAX_BOTS_PER_OWNER:
        raise DomainError(ErrorCode.CONFLICT, f"at most {MAX_BOTS_PER_OWNER} bots each")
    user = await services.users.create(
        username=username,
        email=bot_email(username),
        password_hash=UNUSABLE_PASSWORD_HASH,
        display_name=display_name or username,
    )
    await services.users.set_email_verified(user.id, True)
    user = await services.users.mark_bot(user.id, owner.user_id)
    await tokens.add_bot(user.id, owner.user_id)
    await record_event(
        services, owner.user_id, BOT_CREATED, method=user.id, session_id=owner.session_id,
        client=client,
    )
    return user
