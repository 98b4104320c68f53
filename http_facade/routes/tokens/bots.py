"""``/api/bots``: bot accounts a user owns (docs/AUTH.md, "Bots").

Contract (the logic is :func:`services.accounts.bot_accounts.create_owned_bot`):

* A login session only (a token is refused 403 by the guard's policy).
* ``POST`` creates a verified bot account with no password and no session, owned by
  me (at most :data:`~services.accounts.bot_accounts.MAX_BOTS_PER_OWNER`; 409 beyond);
  the username is checked like any other (pattern, content rules; 409 when taken).
  Give it tokens with ``POST /api/tokens {bot_id}``.
* ``GET`` lists my bots, oldest first, paged by ``cursor`` / ``next_cursor``.
* A bot is marked ``is_bot`` with its ``bot_owner_id`` in every user view.
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint, validate_querystring, validate_response

from http_facade.errors import ApiError
from http_facade.guard import login_required
from http_facade.node_access import store
from http_facade.pagination import slice_page
from http_facade.routes.auth.dependencies import account_services, client_info
from http_facade.routes.tokens.schemas import BotCreate, BotPage, BotView, PageQuery
from http_facade.screening import screen_name
from http_facade.validation import validate_body
from protocol.errors import ErrorCode
from services.accounts.bot_accounts import bot_email, create_owned_bot
from services.principal import Principal
from services.scopes import SESSION_ONLY, require_scope
from storage.errors import Conflict

blueprint = Blueprint("bots", __name__, url_prefix="/api/bots")
tag_blueprint(blueprint, ["tokens"])


@blueprint.post("")
@login_required
@validate_body(BotCreate)
@validate_response(BotView, 201)
async def create_bot(principal: Principal, data: BotCreate) -> tuple[BotView, int]:
    """Create a bot account that I own."""
    services = account_services()
    screen_name(data.username, "username")
    if data.display_name:
        screen_name(data.display_name, "display name")
    taken = await services.users.find_by_username(data.username) is not None
    if taken or await services.users.find_by_email(bot_email(data.username)) is not None:
        raise ApiError(ErrorCode.CONFLICT, "this username is taken")
    try:
        user = await create_owned_bot(
            services, store().api_tokens, principal, username=data.username,
            display_name=data.display_name, client=client_info(),
        )
    except Conflict:
        raise ApiError(ErrorCode.CONFLICT, "this username is taken") from None
    return BotView.of(user), 201


@blueprint.get("")
@login_required
@validate_querystring(PageQuery)
@validate_response(BotPage)
async def list_bots(principal: Principal, query_args: PageQuery) -> BotPage:
    """My bot accounts, oldest first."""
    require_scope(principal, SESSION_ONLY)
    owned = await store().api_tokens.bots_of(principal.user_id)
    page, cursor = slice_page(owned, query_args.cursor, query_args.limit)
    users = await store().users.get_many([bot.bot_id for bot in page])
    return BotPage(bots=[BotView.of(user) for user in users], next_cursor=cursor)
