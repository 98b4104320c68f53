"""``/metrics`` after known traffic: requests by route template, store operations, frames,
mailboxes; and the operators' actions (passivate, evict, drain), audited."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import trio
from prometheus_client.parser import text_string_to_metric_families

from actors.chat.commands import JoinRoom
from actors.chat.room import CHAT_ROOM
from actors.runtime.ref import Address
from bots.client import Client, open_client
from protocol.chat_events import MessageCreated
from tests.browser_support import REPOSITORY
from tests.e2e.chat_support import make_room, send
from tests.e2e.conftest import OPS_TOKEN, log_in_new_user, websocket_url
from tests.e2e.moderation_support import new_admin
from topicsflow.node import NodeHandle

OPERATOR = {"Authorization": f"Bearer {OPS_TOKEN}"}


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a scrape by (name, labels)."""
    found: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return found


def value(scrape: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str,
          **labels: str) -> float:
    return scrape.get((name, frozenset(labels.items())), 0.0)


async def test_requests_are_counted_by_route_template_method_and_status(
    node: NodeHandle,
) -> None:
    alice = await log_in_new_user(node, "alice")
    bob = await log_in_new_user(node, "bob")
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        for _ in range(3):
            assert (await http.get("/healthz")).status_code == 200
        for user in (alice, bob):
            assert (await http.get(f"/api/users/{user.user_id}")).status_code == 200
        assert (await http.get("/api/users/nobody-at-all")).status_code == 404
        assert (await http.get("/no/such/place")).status_code == 404
        assert (await http.get("/metrics")).status_code == 401
        scrape = samples((await http.get("/metrics", headers=OPERATOR)).text)

    requests = "topicsflow_http_requests_total"
    assert value(scrape, requests, route="/healthz", method="GET", status="200") == 3
    assert value(scrape, requests, route="/api/users/<user_id>", method="GET", status="200") == 2
    assert value(scrape, requests, route="/api/users/<user_id>", method="GET", status="404") == 1
    assert value(scrape, requests, route="unmatched", method="GET", status="404") == 1
    assert value(scrape, requests, route="/metrics", method="GET", status="401") == 1
    # No raw path ever becomes a label.
    assert not any(
        dict(labels).get("route", "").startswith("/api/users/") and "<" not in dict(labels)["route"]
        for _, labels in scrape
    )
    assert value(scrape, "topicsflow_http_request_duration_seconds_count",
                 route="/healthz", method="GET") == 3
    assert value(scrape, "topicsflow_store_operation_duration_seconds_count",
                 operation="users.get") >= 3


async def test_frames_deliveries_and_mailboxes_are_measured(node: NodeHandle) -> None:
    alice = await log_in_new_user(node, "alice")
    bob = await log_in_new_user(node, "bob")
    room_id = await make_room(node, alice, bob)
    channel = f"chat_room:{room_id}"
    async with (
        open_client(websocket_url(node), token=alice.token) as sender,
        open_client(websocket_url(node), token=bob.token) as reader,
    ):
        await reader.subscribe(channel)
        for number in range(3):
            await send(sender, channel, f"hello {number}")
        received = 0
        while received < 3:
            if isinstance(await reader.next_event(), MessageCreated):
                received += 1
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        scrape = samples((await http.get("/metrics", headers=OPERATOR)).text)
    assert value(scrape, "topicsflow_ws_frames_in_total", type="send_message") == 3
    assert value(scrape, "topicsflow_ws_frames_in_total", type="subscribe") == 1
    assert value(scrape, "topicsflow_ws_frames_out_total", type="message_created") == 3
    # The sessions' own frames: three acks and one subscription answer.
    assert value(scrape, "topicsflow_ws_frames_out_total", type="ack") == 3
    assert value(scrape, "topicsflow_ws_frames_out_total", type="subscribed") == 1
    assert value(scrape, "topicsflow_store_operation_duration_seconds_count",
                 operation="messages.append") >= 1
    # The room is activated, its mailbox empty: in the first bucket and in +Inf.
    assert value(scrape, "topicsflow_mailbox_depth_bucket", kind=CHAT_ROOM, le="0") >= 1
    assert value(scrape, "topicsflow_mailbox_depth_gcount", kind=CHAT_ROOM) >= 1
    assert value(scrape, "topicsflow_actor_passivations_total", kind=CHAT_ROOM) == 0


async def wait_until_inactive(node: NodeHandle, address: Address) -> None:
    registry = node.context.registry
    assert registry is not None
    with trio.fail_after(10):
        # Polled under a deadline: no event marks the end of a passivation (the flush
        # writes to the store from a worker thread).
        while registry.is_active(address):  # noqa: ASYNC110
            await trio.sleep(0.01)


async def every_event(client: Client) -> None:
    """Read events until the connection ends (raises ``trio.EndOfChannel`` then)."""
    while True:
        await client.next_event()


async def test_an_operator_passivates_an_actor_and_the_action_is_audited(
    node: NodeHandle,
) -> None:
    alice = await log_in_new_user(node, "alice")
    admin = await new_admin(node, "root")
    room_id = await make_room(node, alice)
    registry, store = node.context.registry, node.context.store
    assert registry is not None and store is not None
    address = Address(CHAT_ROOM, room_id)
    await registry.ref(CHAT_ROOM, room_id).ask(JoinRoom(user_id=alice.user_id))
    assert registry.is_active(address)
    path = f"/ops/actors/{CHAT_ROOM}/{room_id}/passivate"
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        listed = await http.get(f"/ops/actors/{CHAT_ROOM}", headers=OPERATOR)
        assert room_id in [actor["id"] for actor in listed.json()["actors"]]
        refused = await http.post(path, headers={"Authorization": f"Bearer {alice.token}"})
        assert refused.status_code == 403
        assert registry.is_active(address)
        done = await http.post(path, headers={"Authorization": f"Bearer {admin.token}"})
        assert done.status_code == 200, done.text
        assert done.json() == {"action": "ops.actor.passivate",
                               "target": f"{CHAT_ROOM}/{room_id}"}
        await wait_until_inactive(node, address)
        again = await http.post(path, headers=OPERATOR)
        assert again.status_code == 404
        unknown = await http.get("/ops/actors/no_such_kind", headers=OPERATOR)
        assert unknown.status_code == 404
    audit = await store.reports.list_audit(target_id=f"{CHAT_ROOM}/{room_id}")
    assert [(entry.action, entry.actor_id) for entry in audit] == [
        ("ops.actor.passivate", admin.user_id)
    ]
    # The next message activates it again.
    await registry.ref(CHAT_ROOM, room_id).ask(JoinRoom(user_id=alice.user_id))
    assert registry.is_active(address)


async def test_an_operator_evicts_a_connection_then_drains_the_node(node: NodeHandle) -> None:
    alice = await log_in_new_user(node, "alice")
    store = node.context.store
    assert store is not None
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        async with open_client(websocket_url(node), token=alice.token, reconnect=False) as client:
            listed = (await http.get("/ops/connections", headers=OPERATOR)).json()
            assert listed["total"] == 1
            (connection,) = listed["connections"]
            assert connection["user_id"] == alice.user_id
            evicted = await http.post(
                f"/ops/connections/{connection['id']}/evict", headers=OPERATOR
            )
            assert evicted.status_code == 200, evicted.text
            with trio.fail_after(10), pytest.raises(trio.EndOfChannel):
                await every_event(client)
            assert client.close_code == 1001
        assert (await http.get("/readyz")).status_code == 200
        drained = await http.post("/ops/drain", headers=OPERATOR)
        assert drained.status_code == 200
        ready = await http.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["checks"]["node"] == "draining"
        status = (await http.get("/ops/status", headers=OPERATOR)).json()
        assert status["draining"] is True
    actions = {(entry.action, entry.actor_id) for entry in await store.reports.list_audit()}
    assert {("ops.connection.evict", "ops-token"), ("ops.node.drain", "ops-token")} <= actions


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/ops/drain"), ("POST", "/ops/connections/x/evict"),
     ("POST", "/ops/actors/chat_room/x/passivate"), ("GET", "/ops/connections")],
)
async def test_actions_refuse_anonymous_callers(node: NodeHandle, method: str, path: str) -> None:
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        answer = await http.request(method, path)
    assert answer.status_code == 401


async def test_the_grafana_dashboard_uses_only_families_the_node_exports(
    node: NodeHandle,
) -> None:
    dashboard = json.loads((REPOSITORY / "docs" / "grafana-dashboard.json").read_text())
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    used = {name for expression in expressions
            for name in re.findall(r"\btopicsflow_\w+", expression)}
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        assert (await http.get("/healthz")).status_code == 200
        text = (await http.get("/metrics", headers=OPERATOR)).text
    # By declared family, so that a labelled family nothing was counted in yet still counts.
    suffixes = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_count", "_sum"),
                "gaugehistogram": ("_bucket", "_gcount", "_gsum")}
    exported = {name + suffix for name, kind in re.findall(r"^# TYPE (\S+) (\w+)$", text, re.M)
                for suffix in ("", *suffixes.get(kind, ()))}
    exported |= {name for name, _ in samples(text)}
    # Cluster families appear in cluster mode only; every other one is here already.
    missing = {name for name in used - exported if not name.startswith("topicsflow_cluster_")}
    assert not missing
