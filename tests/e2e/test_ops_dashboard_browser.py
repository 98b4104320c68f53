"""The ops dashboard in a real browser (Chromium): an operator signs in with the ops token,
sees the supervision tree, watches a mailbox fill and deliveries flow after a burst, and
passivates the actor from the page.  The screenshot goes to ``docs/ops-dashboard.png``
with ``TOPICSFLOW_UPDATE_SCREENSHOTS=1`` (the README shows it), else to a temporary
directory, so a test run leaves the checkout as it was.

The node runs in-process on its own trio loop in a background thread (Playwright's sync
API owns the test's thread), so that the test can hold a room's store write: the burst
then waits in the room's mailbox, deterministically, until the test lets it through.
"""

from __future__ import annotations

import dataclasses
import os
import re
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import trio
from playwright.sync_api import Page, expect

from actors.chat.commands import PostMessage
from actors.chat.room import CHAT_ROOM
from actors.runtime.ref import Address
from bots.client import open_client
from protocol.chat_events import MessageCreated
from tests.browser_support import REPOSITORY
from tests.e2e.chat_support import make_room
from tests.e2e.node_support import OPS_TOKEN, LoggedIn, log_in_new_user, websocket_url
from topicsflow.node import NodeHandle, serve_node
from topicsflow.settings import Profile, Settings

SCREENSHOT = REPOSITORY / "docs" / "ops-dashboard.png"
BURST = 8
WAIT_MS = 20_000
Result = TypeVar("Result")


@dataclasses.dataclass
class LiveNode:
    """A node on a trio loop in a background thread, and a nursery there for helpers."""

    handle: NodeHandle
    token: trio.lowlevel.TrioToken
    helpers: trio.Nursery

    def run(self, function: Callable[..., Awaitable[Result]], *args: Any) -> Result:
        """Run ``function(*args)`` on the node's loop and return its result."""
        return trio.from_thread.run(function, *args, trio_token=self.token)

    def start(self, function: Callable[..., Awaitable[object]], *args: Any) -> None:
        """Start ``function(*args)`` in the background on the node's loop."""
        trio.from_thread.run_sync(self.helpers.start_soon, function, *args,
                                  trio_token=self.token)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveNode]:
    settings = Settings(profile=Profile.TESTING, port=0, data_dir=tmp_path,
                        secret_key="d" * 40, ops_token=OPS_TOKEN)
    started = threading.Event()
    holder: dict[str, LiveNode] = {}
    shutdown = trio.Event()

    async def serve() -> None:
        async with trio.open_nursery() as nursery:
            handle = await nursery.start(serve_node, settings, shutdown)
            async with trio.open_nursery() as helpers:
                holder["node"] = LiveNode(handle, trio.lowlevel.current_trio_token(), helpers)
                started.set()
                await shutdown.wait()
                helpers.cancel_scope.cancel()

    thread = threading.Thread(target=trio.run, args=(serve,), daemon=True)
    thread.start()
    assert started.wait(30), "the node did not start"
    try:
        yield holder["node"]
    finally:
        trio.from_thread.run_sync(shutdown.set, trio_token=holder["node"].token)
        thread.join(30)


@dataclasses.dataclass
class Burst:
    """A room whose next store write waits for :attr:`release`, and a subscriber of it."""

    node: NodeHandle
    room_id: str
    alice: LoggedIn
    entered: trio.Event = dataclasses.field(default_factory=trio.Event)
    release: trio.Event = dataclasses.field(default_factory=trio.Event)
    subscribed: trio.Event = dataclasses.field(default_factory=trio.Event)
    received: int = 0
    all_received: trio.Event = dataclasses.field(default_factory=trio.Event)

    async def hold_next_append(self) -> None:
        store = self.node.context.store
        assert store is not None
        original = store.messages.append

        async def held(*arguments: Any, **keywords: Any) -> Any:
            self.entered.set()
            await self.release.wait()
            return await original(*arguments, **keywords)

        store.messages.append = held  # type: ignore[method-assign]

    async def read(self, reader: LoggedIn) -> None:
        async with open_client(websocket_url(self.node), token=reader.token) as client:
            await client.subscribe(f"chat_room:{self.room_id}")
            self.subscribed.set()
            while self.received < BURST:
                if isinstance(await client.next_event(), MessageCreated):
                    self.received += 1
            self.all_received.set()
            await trio.sleep_forever()

    async def post(self, number: int) -> None:
        registry = self.node.context.registry
        assert registry is not None
        await registry.ref(CHAT_ROOM, self.room_id).ask(
            PostMessage(user_id=self.alice.user_id, text=f"burst {number}")
        )

    async def first_in_turn(self, live: LiveNode) -> None:
        """Post one message and return once the room's turn waits in the store."""
        live.helpers.start_soon(self.post, 0)
        await self.entered.wait()

    async def until(self, event: trio.Event) -> None:
        with trio.fail_after(WAIT_MS / 1000):
            await event.wait()


async def prepare(live: LiveNode) -> Burst:
    node = live.handle
    alice = await log_in_new_user(node, "alice")
    bob = await log_in_new_user(node, "bob")
    burst = Burst(node, await make_room(node, alice, bob), alice)
    live.helpers.start_soon(burst.read, bob)
    await burst.until(burst.subscribed)
    await burst.hold_next_append()
    return burst


async def is_active(live: LiveNode, address: Address) -> bool:
    registry = live.handle.context.registry
    assert registry is not None
    await trio.lowlevel.checkpoint()
    return registry.is_active(address)


async def audit_actions(live: LiveNode) -> list[tuple[str, str, str]]:
    store = live.handle.context.store
    assert store is not None
    return [(entry.action, entry.actor_id, entry.target_id)
            for entry in await store.reports.list_audit()]


def test_an_operator_watches_a_burst_and_passivates_the_actor(
    page: Page, live: LiveNode, tmp_path: Path
) -> None:
    burst = live.run(prepare, live)
    actor = f"{CHAT_ROOM}/{burst.room_id}"

    page.goto(live.handle.base_url + "/ops")
    expect(page.locator("#sign-in")).to_be_visible()
    page.fill("#token", OPS_TOKEN)
    page.click("#use-token")
    expect(page.locator("#dashboard")).to_be_visible()
    assert OPS_TOKEN not in page.url
    assert page.evaluate("sessionStorage.getItem('topicsflow.opsToken')") == OPS_TOKEN

    # The supervision tree: the registry's supervisor and, expanded, the chat room kind.
    root = page.locator("#tree > details")
    expect(root.locator("> summary")).to_contain_text("actors")
    expect(root.locator(f"details[data-path='actors/{CHAT_ROOM}']")).to_be_visible()
    expect(page.locator("#deliveries-rate")).to_have_text("0.0", timeout=WAIT_MS)

    # A burst: the first message holds the room's turn in the store; the rest queue.
    live.run(burst.first_in_turn, live)
    for number in range(1, BURST):
        live.start(burst.post, number)
    depth = page.locator(f"#mailboxes tr[data-actor='{actor}'] td").nth(1)
    expect(depth).to_have_text(str(BURST - 1), timeout=WAIT_MS)
    kind_row = page.locator("#kinds tbody tr", has_text=CHAT_ROOM)
    expect(kind_row.locator("td").nth(6)).to_have_text(str(BURST - 1))

    # Let it through: the messages are stored, then delivered to the subscriber.
    trio.from_thread.run_sync(burst.release.set, trio_token=live.token)
    live.run(burst.until, burst.all_received)
    expect(page.locator("#deliveries-rate")).not_to_have_text("0.0", timeout=WAIT_MS)
    # The loop's busy share over the last poll, from its busy-seconds counter.
    expect(page.locator("#loop-busy")).to_have_text(re.compile(r"^\d+\.\d$"), timeout=WAIT_MS)
    expect(page.locator("#slow-batches")).to_have_text(re.compile(r"^\d+\.\d$"), timeout=WAIT_MS)
    expect(page.locator(f"#mailboxes tr[data-actor='{actor}']")).to_have_count(0)
    expect(page.locator("#store").get_by_role("cell", name="messages.append", exact=True)
           ).to_be_visible()
    shot = SCREENSHOT if os.environ.get("TOPICSFLOW_UPDATE_SCREENSHOTS") == "1" else (
        tmp_path / SCREENSHOT.name
    )
    page.screenshot(path=str(shot), full_page=True)

    # Passivate the room from the actors list.
    page.select_option("#kind-select", CHAT_ROOM)
    row = page.locator(f"#actors tr[data-actor='{actor}']")
    expect(row).to_be_visible(timeout=WAIT_MS)
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Passivate").click()
    expect(page.locator("#action-result")).to_have_text(
        f"done: ops.actor.passivate {actor}", timeout=WAIT_MS
    )
    expect(row).to_have_count(0, timeout=WAIT_MS)  # the listing reads the registry's table
    assert not live.run(is_active, live, Address(CHAT_ROOM, burst.room_id))
    assert ("ops.actor.passivate", "ops-token", actor) in live.run(audit_actions, live)

    # Readable on a phone: nothing wider than the screen but the scrolling tables.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_page_is_served_with_a_strict_policy_and_refuses_a_wrong_token(
    page: Page, live: LiveNode
) -> None:
    answer = page.goto(live.handle.base_url + "/ops")
    assert answer is not None
    policy = answer.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    page.fill("#token", "not-the-token")
    page.click("#use-token")
    expect(page.locator("#sign-in-error")).to_have_text("credentials refused")
    expect(page.locator("#dashboard")).to_be_hidden()
