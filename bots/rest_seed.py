"""Seeding through a node's REST API: works against any node, whatever its stores.

Contract of :func:`seed_over_rest`, which carries out a :class:`~bots.seed_plan.SeedPlan`:

1. Accounts: ``POST /api/admin/bot-accounts`` with the operator's token (the node's ops
   token or an admin's session token), :data:`ACCOUNTS_PER_REQUEST` names at a time.
   The node creates them verified, each with one session of its own session store
   (:mod:`http_facade.routes.admin.bots`), so the tokens work wherever that node's sessions
   live — its store or Redis, one node or a cluster.
2. Rooms: each room's owner creates it (``POST /api/chat-rooms``: a private group, as
   direct seeding makes), then the members come in rounds: every member already in
   invites one member not yet in (``POST .../invitations``), who joins
   (``POST .../join``), :data:`ROOM_CONCURRENCY` pairs at a time.  The room fills in
   about log2(members) rounds and nobody makes more than a few writes, so the per-user
   write limit never binds (an owner inviting everyone would take minutes).
3. The answer is the tokens as :class:`~bots.accounts.SeededAccounts`.

Any failure raises :class:`~bots.failures.BotsFailure` with one line; when the node
refuses the operator's token (401, 403) or has no such route (404) the line says what
to pass instead.  Accounts created before a failure stay (unused; they expire with
their sessions).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import trio

from bots.accounts import SeededAccounts, SeededRoom
from bots.failures import BotsFailure, sole_error
from bots.node_api import NodeApi, NodeError
from bots.seed_plan import PlannedRoom, SeedPlan

ACCOUNTS_PER_REQUEST = 250  # the node's limit (http_facade.routes.admin.bots_schemas)
ROOM_CONCURRENCY = 16
ACCOUNTS_PATH = "/api/admin/bot-accounts"
ROOMS_PATH = "/api/chat-rooms"
OPERATOR_HINT = "pass the node's TOPICSFLOW_OPS_TOKEN or an admin's session token with --token"


@dataclasses.dataclass(frozen=True)
class BotAccount:
    """A created account: its id (for invitations) and its session token."""

    user_id: str
    token: str = dataclasses.field(repr=False)


async def seed_over_rest(api: NodeApi, operator_token: str, plan: SeedPlan) -> SeededAccounts:
    """Carry out ``plan`` on the node behind ``api``; see the module docstring."""
    try:
        accounts = await create_accounts(api, operator_token, plan.usernames)
        rooms = [await create_room(api, room, accounts) for room in plan.rooms]
    except BaseExceptionGroup as group:
        failure = sole_error(group, BotsFailure)
        if failure is None:
            raise
        raise failure from None
    idle = tuple(accounts[name].token for name in plan.idle_usernames)
    return SeededAccounts(rooms=tuple(rooms), idle_tokens=idle)


async def create_accounts(
    api: NodeApi, operator_token: str, usernames: list[str]
) -> dict[str, BotAccount]:
    """Create the accounts ``usernames``; each one by its username."""
    accounts: dict[str, BotAccount] = {}
    for start in range(0, len(usernames), ACCOUNTS_PER_REQUEST):
        batch = usernames[start : start + ACCOUNTS_PER_REQUEST]
        try:
            answer = await api.post(ACCOUNTS_PATH, {"usernames": batch}, token=operator_token)
        except NodeError as error:
            raise BotsFailure(_operator_refusal(api, error)) from None
        for entry in _entries_of(answer):
            accounts[entry["username"]] = BotAccount(entry["user_id"], entry["token"])
    missing = [name for name in usernames if name not in accounts]
    if missing:
        raise BotsFailure(f"{api.base_url} did not return the account {missing[0]!r}")
    return accounts


async def create_room(
    api: NodeApi, room: PlannedRoom, accounts: dict[str, BotAccount]
) -> SeededRoom:
    """The owner creates ``room``; the members come in by invitation rounds."""
    members = [accounts[name] for name in room.usernames]
    created = await api.post(ROOMS_PATH, {"name": room.name}, token=members[0].token)
    room_id = created.get("id") if isinstance(created, dict) else None
    if not isinstance(room_id, str):
        raise BotsFailure(f"POST {ROOMS_PATH} on {api.base_url} answered without a room id")
    limiter = trio.CapacityLimiter(ROOM_CONCURRENCY)

    async def bring_in(inviter: BotAccount, invitee: BotAccount) -> None:
        async with limiter:
            await api.post(
                f"{ROOMS_PATH}/{room_id}/invitations", {"user_id": invitee.user_id},
                token=inviter.token,
            )
            await api.post(f"{ROOMS_PATH}/{room_id}/join", {}, token=invitee.token)

    inside, waiting = members[:1], members[1:]
    while waiting:
        pairs = list(zip(inside, waiting, strict=False))
        async with trio.open_nursery() as nursery:
            for inviter, invitee in pairs:
                nursery.start_soon(bring_in, inviter, invitee)
        inside += waiting[: len(pairs)]
        waiting = waiting[len(pairs) :]
    return SeededRoom(channel=f"chat_room:{room_id}", tokens=tuple(m.token for m in members))


def _entries_of(answer: Any) -> list[dict[str, str]]:
    entries = answer.get("accounts") if isinstance(answer, dict) else None
    fields = ("user_id", "username", "token")
    if not isinstance(entries, list) or not all(
        isinstance(entry, dict) and all(isinstance(entry.get(field), str) for field in fields)
        for entry in entries
    ):
        raise BotsFailure(f"POST {ACCOUNTS_PATH} answered in an unknown shape")
    return entries


def _operator_refusal(api: NodeApi, error: NodeError) -> str:
    """The one line for a refused account request, with what to do about it."""
    if error.status == 401:
        return f"{api.base_url} refused the operator token (401 unauthorized): {OPERATOR_HINT}"
    if error.status == 403:
        return (
            f"{api.base_url} refused the operator token (403 forbidden): the session is "
            f"not an admin's; {OPERATOR_HINT}"
        )
    if error.status == 404:
        return (
            f"{api.base_url} has no {ACCOUNTS_PATH} (404): is it a TopicsFlow node "
            "of this version?"
        )
    return str(error)
