"""Actor kinds under supervision: child types, escalation, kind restarts, status."""

from __future__ import annotations

import msgspec
import pytest
import trio
import trio.testing

from actors import ActorCrashed, ActorStopped, RestartIntensityExceeded
from supervisors import (
    RestartIntensity,
    RestartType,
    Strategy,
    SupervisorSnapshot,
    open_registry,
)
from tests.unit.actors.runtime.sample_actors import Add, Block, Crash, Get, Store, counter_kind

NO_ESCALATIONS = RestartIntensity(max_restarts=0, period=5.0)


async def test_temporary_crash_discards_the_activation_and_its_queue(
    autojump_clock: object,
) -> None:
    store = Store(totals={"a": 1})
    async with open_registry([counter_kind(store, restart=RestartType.TEMPORARY)]) as registry:
        ref = registry.ref("counter", "a")
        release = trio.Event()
        await ref.tell(Block(release))
        outcomes: dict[str, object] = {}

        async def ask(name: str, message: object) -> None:
            try:
                outcomes[name] = await ref.ask(message)
            except (ActorCrashed, ActorStopped) as error:
                outcomes[name] = error

        async with trio.open_nursery() as nursery:
            nursery.start_soon(ask, "crash", Crash("boom"))
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(ask, "queued", Add(1))
            await trio.testing.wait_all_tasks_blocked()
            release.set()
        assert isinstance(outcomes["crash"], ActorCrashed)
        assert isinstance(outcomes["queued"], ActorStopped)
        assert "temporary actor crashed" in str(outcomes["queued"])
        assert registry.actor_statistics("counter", "a") is None
        assert await ref.ask(Get()) == 1  # a fresh activation
        assert store.starts["a"] == 2


async def test_actor_exceeding_its_intensity_gives_up_and_escalates_to_the_kind(
    autojump_clock: object,
) -> None:
    store = Store()
    kind = counter_kind(store, intensity=RestartIntensity(max_restarts=2, period=5.0))
    async with open_registry([kind]) as registry:
        ref = registry.ref("counter", "a")
        await ref.tell(Add(1))
        for _ in range(2):
            with pytest.raises(ActorCrashed):
                await ref.ask(Crash("boom"))
        statistics = registry.actor_statistics("counter", "a")
        assert statistics is not None and statistics.restarts == 2
        with pytest.raises(ActorCrashed):
            await ref.ask(Crash("boom"))  # a third restart within 5 s is one too many
        assert registry.actor_statistics("counter", "a") is None
        kind_figures = registry.statistics().kinds[0]
        assert (kind_figures.restarts, kind_figures.escalations) == (2, 1)
        assert [failure.error_type for failure in kind_figures.last_failures] == [
            "RuntimeError"
        ] * 3
        assert registry.snapshot().children[0].restarts == 0  # within the kind's intensity
        assert await ref.ask(Get()) == 0  # reactivated on demand


async def test_kind_exceeding_its_escalations_is_restarted_and_queues_survive(
    autojump_clock: object,
) -> None:
    store = Store(totals={"bystander": 10})
    kind = counter_kind(
        store,
        intensity=RestartIntensity(max_restarts=0, period=5.0),
        escalation_intensity=NO_ESCALATIONS,
    )
    async with open_registry([kind]) as registry:
        bystander = registry.ref("counter", "bystander")
        release = trio.Event()
        outcomes: dict[str, object] = {}

        async def ask(name: str, message: object) -> None:
            try:
                outcomes[name] = await bystander.ask(message, timeout=60)
            except ActorStopped as stopped:
                outcomes[name] = stopped

        async with trio.open_nursery() as nursery:
            nursery.start_soon(ask, "in flight", Block(release))
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(ask, "queued", Add(1))
            await trio.testing.wait_all_tasks_blocked()
            with pytest.raises(ActorCrashed):
                await registry.ref("counter", "faulty").ask(Crash("boom"))
        assert isinstance(outcomes["in flight"], ActorStopped)
        assert outcomes["queued"] == 11  # the mailbox outlived the kind's restart
        kind_node = registry.snapshot().children[0]
        assert kind_node.restarts == 1
        assert kind_node.last_failure is not None
        assert kind_node.last_failure.error_type == "RestartIntensityExceeded"


async def test_registry_exceeding_its_intensity_escalates_out_of_open_registry(
    autojump_clock: object,
) -> None:
    kind = counter_kind(
        Store(),
        intensity=RestartIntensity(max_restarts=0, period=5.0),
        escalation_intensity=NO_ESCALATIONS,
    )
    with pytest.RaisesGroup(RestartIntensityExceeded) as raised:
        async with open_registry([kind], intensity=NO_ESCALATIONS) as registry:
            with pytest.raises(ActorCrashed):
                await registry.ref("counter", "faulty").ask(Crash("boom"))
            await trio.sleep_forever()
    escalation = raised.value.exceptions[0]
    assert isinstance(escalation, RestartIntensityExceeded)
    assert (escalation.supervisor, escalation.child) == ("actors", "counter")


async def test_one_for_all_restarts_every_kind_and_flushes_idle_actors(
    autojump_clock: object,
) -> None:
    store = Store()
    faulty = counter_kind(
        store,
        name="faulty",
        intensity=RestartIntensity(max_restarts=0, period=5.0),
        escalation_intensity=NO_ESCALATIONS,
    )
    async with open_registry(
        [counter_kind(store), faulty], strategy=Strategy.ONE_FOR_ALL
    ) as registry:
        healthy = registry.ref("counter", "healthy")
        await healthy.ask(Add(2))
        with pytest.raises(ActorCrashed):
            await registry.ref("faulty", "x").ask(Crash("boom"))
        await trio.testing.wait_all_tasks_blocked()
        assert registry.actor_statistics("counter", "healthy") is None
        assert (store.totals["healthy"], store.stops["healthy"]) == (2, 1)
        assert [child.restarts for child in registry.snapshot().children] == [0, 1]
        assert await healthy.ask(Get()) == 2


async def test_status_snapshot_lists_kinds_mailboxes_and_failures(
    autojump_clock: object,
) -> None:
    store = Store()
    async with open_registry([counter_kind(store, mailbox_capacity=8)]) as registry:
        releases = {id: trio.Event() for id in "abc"}
        for depth, id in enumerate("abc"):
            ref = registry.ref("counter", id)
            await ref.tell(Block(releases[id]))
            for _ in range(depth):
                await ref.tell(Add(1))
        await trio.testing.wait_all_tasks_blocked()
        with pytest.raises(ActorCrashed):
            await registry.ref("counter", "d").ask(Crash("boom"))
        snapshot = registry.snapshot()
        decoded = msgspec.json.decode(msgspec.json.encode(snapshot), type=SupervisorSnapshot)
        assert decoded == snapshot
        assert (snapshot.name, snapshot.strategy) == ("actors", "one_for_one")
        kind = snapshot.children[0].supervisor
        assert kind is not None and kind.kind is not None
        figures = kind.kind
        assert (figures.kind, figures.mailbox_capacity, figures.active) == ("counter", 8, 4)
        assert [(box.id, box.depth) for box in figures.top_mailboxes] == [("c", 2), ("b", 1)]
        assert [failure.name for failure in figures.last_failures] == ["counter/d"]
        actor = registry.actor_statistics("counter", "c")
        assert actor is not None
        assert (actor.state, actor.mailbox_depth, actor.mailbox_capacity) == ("active", 2, 8)
        assert actor.idle_since is None and actor.activated_at > 0
        idle = registry.actor_statistics("counter", "d")
        assert idle is not None and idle.idle_since is not None
        assert idle.last_failure is not None and idle.last_failure.error_type == "RuntimeError"
        for release in releases.values():
            release.set()


async def test_status_reads_no_channel_statistics_of_idle_actors(
    autojump_clock: object, monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = Store()
    async with open_registry([counter_kind(store, mailbox_capacity=8)]) as registry:
        for index in range(50):
            await registry.ref("counter", f"idle-{index}").ask(Add(1))
        release = trio.Event()
        busy = registry.ref("counter", "busy")
        await busy.tell(Block(release))
        await busy.tell(Add(1))
        await busy.tell(Add(1))
        await trio.testing.wait_all_tasks_blocked()
        read: list[object] = []
        statistics = trio.MemorySendChannel.statistics

        def counted(channel: trio.MemorySendChannel[object]) -> object:
            read.append(channel)
            return statistics(channel)

        monkeypatch.setattr(trio.MemorySendChannel, "statistics", counted)
        kind = registry.snapshot().children[0].supervisor
        assert kind is not None and kind.kind is not None
        assert kind.kind.active == 51
        assert [(box.id, box.depth) for box in kind.kind.top_mailboxes] == [("busy", 2)]
        assert registry.mailbox_depths([0, 1, 2])["counter"] == ([50, 50, 51], 51, 2)
        assert len(read) == 2  # the busy actor's channel, once per figure: none of the idle
        (listed,) = registry.actors("counter", 1)  # the dashboard's listing of a kind
        assert (listed.id, listed.mailbox_depth) == ("busy", 2)
        assert len(read) == 4  # the busy one to rank it, then its own figures
        release.set()
