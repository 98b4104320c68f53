"""Seeding over REST against a fake node: the calls made, retries, one-line refusals."""

from __future__ import annotations

import collections
import json
from collections.abc import Callable

import httpx
import pytest
import trio

from bots.accounts import SeededAccounts
from bots.failures import BotsFailure
from bots.node_api import NodeApi, parse_base_url
from bots.rest_seed import ACCOUNTS_PER_REQUEST, seed_over_rest
from bots.seed_plan import plan_seed

BASE = "http://node.test:8000"
Handler = Callable[[httpx.Request], httpx.Response]


class FakeNode:
    """Just enough of a node: bot accounts, group rooms, invitations and joins."""

    def __init__(self) -> None:
        self.writes_by_token: collections.Counter[str] = collections.Counter()
        self.account_batches: list[int] = []
        self.members: dict[str, set[str]] = {}
        self.invited: dict[str, set[str]] = collections.defaultdict(set)
        self.user_of: dict[str, str] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        token = request.headers["Authorization"].removeprefix("Bearer ")
        body = json.loads(request.content or b"{}")
        path = request.url.path
        self.writes_by_token[token] += 1
        if path == "/api/admin/bot-accounts":
            assert token == "ops"
            self.account_batches.append(len(body["usernames"]))
            accounts = []
            for name in body["usernames"]:
                self.user_of[f"tok-{name}"] = f"id-{name}"
                accounts.append({"user_id": f"id-{name}", "username": name,
                                 "token": f"tok-{name}", "expires_at": 0.0})
            return httpx.Response(201, json={"accounts": accounts})
        user = self.user_of[token]
        if path == "/api/chat-rooms":
            room_id = f"room{len(self.members)}"
            self.members[room_id] = {user}
            return httpx.Response(201, json={"id": room_id})
        room_id, action = path.split("/")[3:5]
        if action == "invitations":
            assert user in self.members[room_id]
            self.invited[room_id].add(body["user_id"])
        else:
            assert user in self.invited[room_id], "joined without an invitation"
            self.members[room_id].add(user)
        return httpx.Response(200, json={"status": "ok", "message": "done"})


async def seed_with(handler: Handler, sizes: list[int], idle: int = 0) -> SeededAccounts:
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as http:
        return await seed_over_rest(NodeApi(BASE, http), "ops", plan_seed(sizes, idle))


async def test_rooms_fill_by_invitation_rounds_and_nobody_writes_much() -> None:
    node = FakeNode()
    accounts = await seed_with(node, [ACCOUNTS_PER_REQUEST + 50, 1], idle=2)
    assert node.account_batches == [ACCOUNTS_PER_REQUEST, 53]
    assert [len(members) for members in node.members.values()] == [ACCOUNTS_PER_REQUEST + 50, 1]
    bots = {token: count for token, count in node.writes_by_token.items() if token != "ops"}
    assert max(bots.values()) <= 10  # log2(300) invitations at most, plus creating or joining
    assert accounts.idle_tokens == tuple(token for token in node.user_of if "i0000" in token)
    assert all(len(room.tokens) == len(set(room.tokens)) for room in accounts.rooms)


def refusing(status: int, code: str, message: str) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, json={"error": {"code": code, "message": message}})

    return handler


@pytest.mark.parametrize(
    ("status", "code", "expected"),
    [
        (401, "unauthorized", f"{BASE} refused the operator token (401 unauthorized): pass "
         "the node's TOPICSFLOW_OPS_TOKEN or an admin's session token with --token"),
        (403, "forbidden", f"{BASE} refused the operator token (403 forbidden): the session "
         "is not an admin's; pass the node's TOPICSFLOW_OPS_TOKEN or an admin's session "
         "token with --token"),
        (404, "not_found", f"{BASE} has no /api/admin/bot-accounts (404): is it a TopicsFlow "
         "node of this version?"),
        (409, "conflict", "POST /api/admin/bot-accounts answered 409 conflict: taken"),
    ],
)
async def test_refusals_of_the_operator_token_say_what_to_do(
    status: int, code: str, expected: str
) -> None:
    with pytest.raises(BotsFailure) as raised:
        await seed_with(refusing(status, code, "taken"), [2])
    assert str(raised.value) == expected


async def test_a_refused_join_is_one_failure_not_a_group() -> None:
    node = FakeNode()

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/join"):
            return refusing(403, "forbidden", "this room needs an invitation")(request)
        return node(request)

    with pytest.raises(BotsFailure) as raised:
        await seed_with(handler, [5])
    assert str(raised.value).endswith("answered 403 forbidden: this room needs an invitation")


async def test_rate_limited_requests_are_retried_after_retry_after(
    autojump_clock: trio.abc.Clock,
) -> None:
    node = FakeNode()
    refused: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if len(refused) < 2:
            refused.append(trio.current_time())
            return httpx.Response(429, headers={"Retry-After": "7"},
                                  json={"error": {"code": "rate_limited", "message": "slow"}})
        return node(request)

    await seed_with(handler, [1])
    assert trio.current_time() - refused[0] >= 14


async def test_an_answer_that_is_not_json_is_not_a_topicsflow_node() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>hello</html>")

    with pytest.raises(BotsFailure, match=r"without JSON: is http://node.test:8000 a TopicsFlow"):
        await seed_with(handler, [1])


async def test_a_node_that_cannot_be_reached_is_one_line() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    with pytest.raises(BotsFailure) as raised:
        await seed_with(handler, [1])
    assert str(raised.value) == f"cannot reach {BASE}: [Errno 111] Connection refused"


def test_base_urls_keep_a_path_prefix_and_refuse_other_schemes() -> None:
    assert parse_base_url("http://h:1/") == "http://h:1"
    assert parse_base_url("https://h/prefix/") == "https://h/prefix"
    with pytest.raises(ValueError, match="--url expects"):
        parse_base_url("ws://h:1/ws")
