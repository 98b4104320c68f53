"""The webhook retry schedule, the channel index and the hub tap's bounded queue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import msgspec

from actors.realtime.hub import Hub
from actors.webhooks.delivery import retry_delay
from actors.webhooks.events import delivery_body, delivery_id, event_data
from actors.webhooks.tap import WebhookDispatch, WebhookIndex
from protocol.broadcast import BroadcastFrame
from protocol.chat_events import MemberJoined, TypingChanged
from protocol.enums import TypingState
from storage.protocols import Store
from storage.records.webhooks import Webhook
from topicsflow.webhook_settings import WebhookSettings


def hook(webhook_id: str, channel: str, *events: str, active: bool = True) -> Webhook:
    scope, _, scope_id = channel.partition(":")
    return Webhook(
        id=webhook_id, owner_id="u1", scope=cast(Any, scope), scope_id=scope_id, url="http://x/",
        events=events, secret="", active=active, created_at=0.0, updated_at=0.0,
    )


def fixed(value: float) -> Callable[[], float]:
    return lambda: value


def test_retries_back_off_exponentially_with_jitter_up_to_the_cap() -> None:
    low = [retry_delay(n, base=1.0, cap=30.0, rng=fixed(0.0)) for n in range(1, 8)]
    high = [retry_delay(n, base=1.0, cap=30.0, rng=fixed(0.999999)) for n in range(1, 8)]
    assert low == [0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 15.0]
    assert all(0.5 * c <= h < c for h, c in zip(high, [1, 2, 4, 8, 16, 30, 30], strict=True))
    assert retry_delay(10_000, base=1.0, cap=60.0, rng=fixed(0.0)) == 30.0


def test_the_index_follows_changes_and_only_active_webhooks() -> None:
    index = WebhookIndex()
    index.update(hook("w1", "chat_room:r1", "message_created"))
    index.update(hook("w2", "chat_room:r1", "member_joined"))
    index.update(hook("w3", "topic:t1", "comment_created"))
    assert index.matching("chat_room:r1", "message_created") == ["w1"]
    assert index.wants_comments
    index.update(hook("w3", "topic:t1", "comment_created", active=False))
    assert not index.wants_comments
    assert not index.has("topic:t1")
    index.remove("w1")
    index.remove("w2")
    assert not index.has("chat_room:r1")


def test_the_delivery_id_is_stable_per_event_and_webhook() -> None:
    assert delivery_id("w1", "chat_room:r1", 4, "message_created") == delivery_id(
        "w1", "chat_room:r1", 4, "message_created"
    )
    assert delivery_id("w1", "chat_room:r1", 4, "message_created") != delivery_id(
        "w2", "chat_room:r1", 4, "message_created"
    )
    frame = MemberJoined(channel="chat_room:r1", seq=3, user_id="u9")
    found = event_data(frame)
    assert found is not None
    event, data = found
    assert event == "member_joined"
    assert data == {"channel": "chat_room:r1", "seq": 3, "user_id": "u9"}
    body = msgspec.json.decode(delivery_body("d_1", event, 1234, data))
    assert body == {"id": "d_1", "event": "member_joined", "occurred_at": 1234, "data": data}


def test_the_tap_keeps_wanted_events_and_counts_what_it_drops() -> None:
    dispatch = WebhookDispatch(cast(Store, None), WebhookSettings(), capacity=2)
    hub = Hub()
    hub.add_tap(dispatch.observe)
    dispatch.index.update(hook("w1", "chat_room:r1", "member_joined"))
    joined = BroadcastFrame(MemberJoined(channel="chat_room:r1", seq=1, user_id="u1"))
    typing = BroadcastFrame(
        TypingChanged(channel="chat_room:r1", user_id="u1", state=TypingState.START)
    )
    hub.publish("chat_room:r1", typing)  # not a delivered kind: not kept
    hub.publish("chat_room:r2", joined)  # no webhook there
    assert dispatch.dropped == 0
    for _ in range(3):
        hub.publish("chat_room:r1", joined)
    assert dispatch.dropped == 1  # the bounded queue held two
