"""``/api/tokens``: my personal access tokens — create (shown once), list, revoke.

Contract (docs/AUTH.md, "Tokens"; the logic is :mod:`services.accounts.api_tokens`):

* Every route needs a login session: a token presented here is refused 403 (the guard's
  policy, :mod:`http_facade.token_policy`), so a token can never make or end tokens.
* ``POST`` needs a recent authentication (step-up: 403 with ``reauthenticate: true``)
  and answers 201 with the secret in ``token``, the one time it is ever shown.
* ``GET`` lists my tokens (mine and my bots'), newest first, without secrets, paged by
  ``cursor`` / ``next_cursor``.
* ``DELETE /api/tokens/{id}`` ends one at once: REST refuses it from then on and its
  open WebSockets close (``goodbye`` ``session_revoked``, 4001).  Another user's id is 404.
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from http_facade.guard import login_required
from http_facade.middleware.rate_limits import RateClass, rate_class
from http_facade.node_access import store
from http_facade.pagination import BeforeIdPosition, decode_cursor, encode_cursor
from http_facade.replies import Done
from http_facade.routes.auth.dependencies import account_services, client_info
from http_facade.routes.tokens.schemas import (
    CreatedTokenView,
    PageQuery,
    TokenCreate,
    TokenPage,
    TokenView,
)
from http_facade.validation import validate_body
from services.accounts import api_tokens
from services.principal import Principal

blueprint = Blueprint("tokens", __name__, url_prefix="/api/tokens")
tag_blueprint(blueprint, ["tokens"])


@blueprint.post("")
@rate_class(RateClass.CODE)
@login_required
@validate_body(TokenCreate)
@validate_response(CreatedTokenView, 201)
async def create_token(principal: Principal, data: TokenCreate) -> tuple[CreatedTokenView, int]:
    """Create a token (step-up needed); its secret is in this answer only."""
    created = await api_tokens.create_token(
        account_services(), store().api_tokens, principal,
        name=data.name, scopes=list(data.scopes), lifetime=data.expires_in,
        bot_id=data.bot_id, client=client_info(),
    )
    return CreatedTokenView.created(created.token, created.secret), 201


@blueprint.get("")
@login_required
@validate_querystring(PageQuery)
@validate_response(TokenPage)
async def list_tokens(principal: Principal, query_args: PageQuery) -> TokenPage:
    """My tokens and my bots' tokens, newest first (never their secrets)."""
    position = decode_cursor(query_args.cursor, BeforeIdPosition)
    found = await api_tokens.list_tokens(
        store().api_tokens, principal,
        before_id=None if position is None else position.b, limit=query_args.limit + 1,
    )
    page = found[: query_args.limit]
    more = len(found) > query_args.limit
    return TokenPage(
        tokens=[TokenView.of(token) for token in page],
        next_cursor=encode_cursor(BeforeIdPosition(b=page[-1].id)) if more else None,
    )


@blueprint.delete("/<token_id>")
@login_required
@validate_response(Done)
async def revoke_token(principal: Principal, token_id: str) -> Done:
    """End one of my tokens now, its open WebSockets included; 404 for any other id."""
    await api_tokens.revoke_token(
        account_services(), store().api_tokens, principal, token_id, client_info()
    )
    return Done(message="the token was revoked")
