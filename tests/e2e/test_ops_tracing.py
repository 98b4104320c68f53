"""One trace from the facade into an actor's turn and the store, with the request id.

An in-memory exporter collects the spans (:func:`supervisors.tracing.install`); the node
itself is the ordinary test node, which exports nothing by itself.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import trio
import trio.testing
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from actors.chat.room import CHAT_ROOM
from bots.client import open_client
from supervisors import tracing
from tests.e2e.chat_support import make_room, send
from tests.e2e.conftest import log_in_new_user, websocket_url
from topicsflow.node import NodeHandle

REQUEST_ID = "trace-me-0001"


@pytest.fixture
def exported() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install(provider)
    try:
        yield exporter
    finally:
        tracing.uninstall()
        provider.shutdown()


def child_of(parent: ReadableSpan, spans: tuple[ReadableSpan, ...]) -> list[ReadableSpan]:
    assert parent.context is not None
    return [
        span for span in spans
        if span.parent is not None and span.parent.span_id == parent.context.span_id
    ]


async def finished(exporter: InMemorySpanExporter, root_name: str) -> tuple[ReadableSpan, ...]:
    """The spans once the request span ``root_name`` has ended too (the client may have
    its response a moment before the server's request task returns)."""
    with trio.fail_after(10):
        while not any(span.name == root_name for span in exporter.get_finished_spans()):
            await trio.testing.wait_all_tasks_blocked()
    return exporter.get_finished_spans()


def one_trace(spans: tuple[ReadableSpan, ...], root_name: str) -> tuple[ReadableSpan, ...]:
    """The request span named ``root_name``, its actor turn and a store call in the turn."""
    (root,) = [span for span in spans if span.name == root_name]
    assert root.kind is SpanKind.SERVER
    assert root.parent is None
    turns = [span for span in child_of(root, spans) if span.name == f"actor {CHAT_ROOM}"]
    assert len(turns) == 1, [span.name for span in spans]
    stores = [span for span in child_of(turns[0], spans) if span.kind is SpanKind.CLIENT]
    assert stores, [span.name for span in spans]
    trace = (root, turns[0], *stores)
    assert root.context is not None
    assert {span.context.trace_id for span in trace if span.context} == {root.context.trace_id}
    return trace


async def test_a_rest_request_is_traced_into_the_actor_and_the_store(
    node: NodeHandle, exported: InMemorySpanExporter
) -> None:
    alice = await log_in_new_user(node, "alice")
    bob = await log_in_new_user(node, "bob")
    assert node.context.store is not None
    room = await node.context.store.rooms.create(owner_id=alice.user_id, name="lounge")
    await node.context.store.rooms.members.invite(room.id, bob.user_id, invited_by=alice.user_id)
    exported.clear()
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        joined = await http.post(
            f"/api/chat-rooms/{room.id}/join",
            headers={"Authorization": f"Bearer {bob.token}", "X-Request-Id": REQUEST_ID},
        )
    assert joined.status_code == 200, joined.text
    name = "POST /api/chat-rooms/<room_id>/join"
    root, turn, *stores = one_trace(await finished(exported, name), name)
    assert root.attributes is not None and turn.attributes is not None
    assert root.attributes["http.route"] == "/api/chat-rooms/<room_id>/join"
    assert root.attributes["http.response.status_code"] == 200
    assert turn.attributes["topicsflow.actor"] == f"{CHAT_ROOM}/{room.id}"
    assert turn.attributes["topicsflow.message"] == "JoinRoom"
    assert any(span.name.startswith("rooms.") for span in stores)
    for span in (root, turn, *stores):
        assert span.attributes is not None
        assert span.attributes[tracing.REQUEST_ID_ATTRIBUTE] == REQUEST_ID


async def test_a_websocket_request_frame_is_traced_into_the_actor_and_the_store(
    node: NodeHandle, exported: InMemorySpanExporter
) -> None:
    alice = await log_in_new_user(node, "alice")
    room_id = await make_room(node, alice)
    async with open_client(websocket_url(node), token=alice.token) as client:
        exported.clear()
        await send(client, f"chat_room:{room_id}", "traced")
    _root, turn, *stores = one_trace(
        await finished(exported, "ws send_message"), "ws send_message"
    )
    assert turn.attributes is not None
    assert turn.attributes["topicsflow.message"] == "PostMessage"
    assert "messages.append" in [span.name for span in stores]


async def test_untraced_work_records_nothing(node: NodeHandle) -> None:
    assert not tracing.enabled()
    assert tracing.capture() is None
    async with httpx.AsyncClient(base_url=node.base_url) as http:
        assert (await http.get("/healthz")).status_code == 200
