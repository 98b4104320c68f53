"""Personal access tokens: creating (shown once), listing and revoking them (docs/AUTH.md).

Contract:

* :func:`create_token` needs a login session (never a token: :data:`SESSION_ONLY`) that
  authenticated recently (step-up, :mod:`services.accounts.step_up`).  The token acts as
  its creator, or as a bot the creator owns (``bot_id``; an unknown or someone else's
  bot is ``not_found``).  Scopes are a non-empty subset of :data:`ALL_SCOPES`; ``admin``
  only for an admin account (403 otherwise).  It lives ``lifetime`` seconds, between
  :data:`MIN_LIFETIME_SECONDS` and :data:`MAX_LIFETIME_SECONDS`.  At most
  :data:`MAX_TOKENS_PER_OWNER` tokens per creator (409 ``conflict`` beyond).
* The secret (``tfp_`` + 256 random bits) is in the returned :class:`CreatedToken` only;
  the store keeps its SHA-256.  Nothing here logs it.
* :func:`revoke_token` deletes one of the creator's tokens (``not_found`` for any other
  id) and closes its WebSockets at once, on this node and relayed to the others
  (``goodbye`` ``session_revoked``, close 4001).
* Creating and revoking are recorded in the creator's security audit
  (:mod:`services.accounts.audit`) as ``token_created`` / ``token_revoked``, with the
  token's id as ``method`` and the creating session as ``session_id``.
"""

from __future__ import annotations

import dataclasses

from protocol.errors import ErrorCode
from services.accounts.audit import record_event
from services.accounts.context import AccountServices, ClientInfo
from services.accounts.step_up import require_recent_authentication
from services.authentication import API_TOKEN_PREFIX
from services.errors import DomainError
from services.principal import Principal
from services.scopes import ALL_SCOPES, SESSION_ONLY, Scope, require_scope
from services.tokens import new_token, public_session_id
from storage.keys import hash_token
from storage.protocols.api_tokens import ApiTokenStore
from storage.records.api_tokens import ApiToken

MAX_TOKENS_PER_OWNER = 50
MIN_LIFETIME_SECONDS = 3600
MAX_LIFETIME_SECONDS = 366 * 24 * 3600
CREATED_EVENT = "token_created"
REVOKED_EVENT = "token_revoked"


@dataclasses.dataclass(frozen=True, slots=True)
class CreatedToken:
    """A new token: ``secret`` exists only here and in the one response showing it."""

    token: ApiToken
    secret: str = dataclasses.field(repr=False)


def normalise_scopes(scopes: list[str]) -> tuple[str, ...]:
    """The scopes, known and distinct, in :data:`ALL_SCOPES` order (400 otherwise)."""
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown or not scopes:
        raise DomainError(ErrorCode.INVALID, f"scopes: choose among {', '.join(ALL_SCOPES)}")
    return tuple(scope for scope in ALL_SCOPES if scope in scopes)


async def create_token(
    services: AccountServices,
    tokens: ApiTokenStore,
    creator: Principal,
    *,
    name: str,
    scopes: list[str],
    lifetime: float,
    bot_id: str | None,
    client: ClientInfo,
) -> CreatedToken:
    """Create a token for ``creator`` or their bot ``bot_id``; see the module docstring."""
    require_scope(creator, SESSION_ONLY)
    chosen = normalise_scopes(scopes)
    if not MIN_LIFETIME_SECONDS <= lifetime <= MAX_LIFETIME_SECONDS:
        raise DomainError(ErrorCode.INVALID, "expires_in: out of range")
    await require_recent_authentication(services, creator.user_id, creator.session_id)
    acting_id = creator.user_id
    if bot_id is not None:
        owned = {bot.bot_id for bot in await tokens.bots_of(creator.user_id)}
        if bot_id not in owned:
            raise DomainError(ErrorCode.NOT_FOUND, "no such bot of yours")
        acting_id = bot_id
    acting = await services.users.get(acting_id)
    if Scope.ADMIN in chosen and not acting.is_admin:
        raise DomainError(ErrorCode.FORBIDDEN, "the admin scope is for admins' own tokens")
    if await tokens.count_for_owner(creator.user_id) >= MAX_TOKENS_PER_OWNER:
        raise DomainError(ErrorCode.CONFLICT, f"at most {MAX_TOKENS_PER_OWNER} tokens each")
    secret = API_TOKEN_PREFIX + new_token()
    token = await tokens.create(
        token_hash=hash_token(secret), user_id=acting_id, owner_id=creator.user_id,
        name=name, scopes=chosen, expires_at=services.clock() + lifetime,
    )
    await record_event(
        services, creator.user_id, CREATED_EVENT, method=token.id,
        session_id=creator.session_id, client=client,
    )
    return CreatedToken(token=token, secret=secret)


async def list_tokens(
    tokens: ApiTokenStore, creator: Principal, *, before_id: str | None, limit: int
) -> list[ApiToken]:
    """The creator's tokens, newest first (a login session only)."""
    require_scope(creator, SESSION_ONLY)
    return await tokens.list_for_owner(creator.user_id, before_id=before_id, limit=limit)


async def revoke_token(
    services: AccountServices,
    tokens: ApiTokenStore,
    creator: Principal,
    token_id: str,
    client: ClientInfo,
) -> ApiToken:
    """Delete the creator's token ``token_id`` and close its WebSockets (see the module)."""
    require_scope(creator, SESSION_ONLY)
    removed = await tokens.remove(creator.user_id, token_id)
    if removed is None:
        raise DomainError(ErrorCode.NOT_FOUND, "no such token")
    if services.connections is not None:
        services.connections.revoke_login(public_session_id(removed.token_hash))
    await record_event(
        services, creator.user_id, REVOKED_EVENT, method=removed.id,
        session_id=creator.session_id, client=client,
    )
    return removed
