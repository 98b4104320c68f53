"""The store proxy of the composition root: each async call timed by operation."""

from __future__ import annotations

from typing import Any

from prometheus_client import generate_latest

from supervisors.node_metrics import NodeMetrics
from topicsflow.node.observed_store import ObservedStore, observe_store


class Members:
    async def join(self, room_id: str, user_id: str) -> str:
        return f"{user_id} joined {room_id}"


class Rooms:
    def __init__(self) -> None:
        self.members = Members()
        self.calls = 0

    async def get(self, room_id: str) -> str:
        self.calls += 1
        if room_id == "missing":
            raise LookupError(room_id)
        return room_id.upper()

    def key(self, room_id: str) -> str:
        return "room:" + room_id


class FakeStore:
    backend = "sqlite"

    def __init__(self) -> None:
        self.rooms = Rooms()

    async def ping(self) -> None:
        return None


def count(metrics: NodeMetrics, operation: str) -> float:
    value = metrics.registry.get_sample_value(
        "topicsflow_store_operation_duration_seconds_count", {"operation": operation}
    )
    return value or 0.0


async def test_calls_are_timed_by_aggregate_and_method() -> None:
    metrics = NodeMetrics()
    fake = FakeStore()
    store: Any = observe_store(fake, metrics)  # type: ignore[arg-type]  # a fake of the protocol
    assert await store.rooms.get("a") == "A"
    assert await store.rooms.get("b") == "B"
    try:
        await store.rooms.get("missing")
    except LookupError:
        pass
    else:
        raise AssertionError("the store's error must pass through")
    assert await store.rooms.members.join("r", "u") == "u joined r"
    await store.ping()
    assert count(metrics, "rooms.get") == 3  # the failure is latency too
    assert count(metrics, "rooms.members.join") == 1
    assert count(metrics, "store.ping") == 1
    assert fake.rooms.calls == 3
    assert b'operation="rooms.get"' in generate_latest(metrics.registry)
    figures = {figure.operation: figure.calls for figure in metrics.store_figures()}
    assert figures == {"rooms.get": 3, "rooms.members.join": 1, "store.ping": 1}


async def test_plain_values_and_sync_methods_pass_through_and_wrappers_are_kept() -> None:
    fake = FakeStore()
    store: Any = observe_store(fake, NodeMetrics())  # type: ignore[arg-type]
    assert store.backend == "sqlite"
    assert store.rooms.key("x") == "room:x"
    assert store.rooms is store.rooms  # one proxy per aggregate
    get = store.rooms.get
    assert "get" in vars(store.rooms)  # built once, then found without __getattr__
    assert store.rooms.get is get
    assert isinstance(store, ObservedStore)
    underneath: object = store.unobserved
    assert underneath is fake
