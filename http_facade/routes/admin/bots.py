"""``POST /api/admin/bot-accounts``: ready-to-use accounts for load-test bots (operators).

Load tests need many logged-in users; registering them means confirming an email each,
and logging them in spends an argon2 check and the per-address login limit each.  An
operator instead creates them here in batches, with a session each
(:mod:`services.accounts.bot_accounts`): ``topicsflow bots seed --url`` uses it.

Contract:

* Operators only (:func:`~http_facade.operators.operator_required`): the bearer token
  ``TOPICSFLOW_OPS_TOKEN`` or an admin's session; 401 without credentials, 403 for
  other users, checked before the body is read.
* The body names 1 to :data:`~http_facade.routes.admin.bots_schemas.MAX_BOT_ACCOUNTS`
  usernames, distinct case-insensitively.  Every name is checked first — pattern,
  content rules, not taken (nor its ``@bots.invalid`` address) — so a bad one refuses
  the whole request (400 ``invalid``, 409 ``conflict`` naming it) before anything is
  created.
* Then each account is created in the order asked: verified, no usable password, one
  session of the usual lifetime, whose token is in the answer (201) and nowhere else.
  A name taken by someone else between the check and its creation ends the request
  with 409; the accounts created before it stay, their tokens unreturned.
* Every created account is audited as ``user.create_bot``, by the admin's id or by
  :data:`~http_facade.operators.OPS_TOKEN_ACTOR`.
* The route counts as ``writes`` for the rate limits (keyed on the admin, or on the
  client's address for the ops token).
"""

from __future__ import annotations

from quart import Blueprint
from quart_schema import tag_blueprint, validate_response

from http_facade.errors import ApiError
from http_facade.node_access import store
from http_facade.operators import operator_required
from http_facade.routes.admin.bots_schemas import BotAccount, BotAccountList, BotAccountsCreate
from http_facade.routes.auth.dependencies import account_services, client_info
from http_facade.screening import screen_name
from http_facade.validation import validate_body
from protocol.errors import ErrorCode
from protocol.fields import milliseconds
from services.accounts import AccountServices
from services.accounts.bot_accounts import bot_email, create_bot_account
from storage.errors import Conflict

AUDIT_ACTION = "user.create_bot"

blueprint = Blueprint("admin_bots", __name__, url_prefix="/api/admin")
tag_blueprint(blueprint, ["admin"])


@blueprint.post("/bot-accounts")
@operator_required
@validate_body(BotAccountsCreate)
@validate_response(BotAccountList, 201)
async def create_bot_accounts(
    operator_id: str, data: BotAccountsCreate
) -> tuple[BotAccountList, int]:
    """Create verified bot accounts with a session each (operators; see the module)."""
    services = account_services()
    await check_names(services, data.usernames)
    client = client_info()
    created: list[BotAccount] = []
    for username in data.usernames:
        try:
            opened = await create_bot_account(services, username, client)
        except Conflict:
            raise ApiError(
                ErrorCode.CONFLICT, f"the username {username!r} was taken meanwhile"
            ) from None
        await store().reports.append_audit(
            actor_id=operator_id, action=AUDIT_ACTION, target_kind="user",
            target_id=opened.user.id, details="bot account with one session",
        )
        created.append(
            BotAccount(
                user_id=opened.user.id, username=opened.user.username, token=opened.token,
                expires_at=milliseconds(opened.session.expires_at),
            )
        )
    return BotAccountList(accounts=created), 201


async def check_names(services: AccountServices, usernames: list[str]) -> None:
    """Refuse repeated, screened-out or taken names (400 or 409 naming the first)."""
    seen: set[str] = set()
    for username in usernames:
        folded = username.casefold()
        if folded in seen:
            raise ApiError(ErrorCode.INVALID, f"the username {username!r} is repeated")
        seen.add(folded)
        screen_name(username, "username")
    for username in usernames:
        taken = await services.users.find_by_username(username) is not None
        if taken or await services.users.find_by_email(bot_email(username)) is not None:
            raise ApiError(ErrorCode.CONFLICT, f"the username {username!r} is taken")
