"""Batched turns: consecutive batchable messages handled by one ``on_receive_batch``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
import outcome
import trio
import trio.testing

from actors import Actor, ActorContext, ActorCrashed, ActorStopped
from actors.runtime.actor import MAX_BATCH
from supervisors import ActorKind, RestartType, open_registry
from tests.unit.actors.runtime.sample_actors import Block, NotAllowed


class Append(msgspec.Struct):
    value: int


class Snapshot(msgspec.Struct):
    pass


class BatchingActor(Actor):
    """Appends values in batches; a negative value is refused, 13 crashes the batch."""

    __slots__ = ("batches_seen", "values")

    def __init__(self, context: ActorContext, batches_seen: list[list[int]]) -> None:
        super().__init__(context)
        self.batches_seen = batches_seen
        self.values: list[int] = []

    def batches(self, message: object) -> bool:
        return isinstance(message, Append)

    async def on_receive_batch(self, messages: Sequence[object]) -> list[outcome.Outcome[Any]]:
        values = [message.value for message in messages if isinstance(message, Append)]
        self.batches_seen.append(values)
        if 13 in values:
            raise RuntimeError("unlucky")
        results: list[outcome.Outcome[Any]] = []
        for value in values:
            if value < 0:
                results.append(outcome.Error(NotAllowed("negative")))
            else:
                self.values.append(value)
                results.append(outcome.Value(len(self.values)))
        await trio.lowlevel.checkpoint()
        return results

    async def on_receive(self, message: object) -> object:
        match message:
            case Block(release=release):
                await release.wait()
                return None
            case Snapshot():
                return list(self.values)
            case _:
                self.unhandled(message)


def batching_kind(batches_seen: list[list[int]], **options: Any) -> ActorKind:
    """The batching actor's kind; ``options`` are ``ActorKind`` fields."""
    return ActorKind(
        "batcher", lambda context: BatchingActor(context, batches_seen), **options
    )


async def asks_queued_behind_a_turn(ref: Any, messages: list[object]) -> list[object]:
    """Hold the actor in a turn, ask each message from its own task (queued in this
    order), then let the actor go on; the replies or errors, in order."""
    replies: list[object] = [None] * len(messages)

    async def ask(index: int, message: object) -> None:
        try:
            replies[index] = await ref.ask(message)
        except Exception as error:  # the test looks at it
            replies[index] = error

    release = trio.Event()
    await ref.tell(Block(release))
    async with trio.open_nursery() as nursery:
        for index, message in enumerate(messages):
            nursery.start_soon(ask, index, message)
            await trio.testing.wait_all_tasks_blocked()
        release.set()
    return replies


async def test_messages_queued_behind_a_turn_are_handled_as_one_batch(
    autojump_clock: object,
) -> None:
    seen: list[list[int]] = []
    async with open_registry([batching_kind(seen)]) as registry:
        ref = registry.ref("batcher", "a")
        replies = await asks_queued_behind_a_turn(ref, [Append(1), Append(-1), Append(2)])
        assert seen == [[1, -1, 2]]
        assert replies[0] == 1
        assert isinstance(replies[1], NotAllowed)  # refused alone
        assert replies[2] == 2
        assert registry.actor_statistics("batcher", "a").processed == 4  # type: ignore[union-attr]


async def test_a_message_that_does_not_batch_ends_the_run_and_keeps_its_place(
    autojump_clock: object,
) -> None:
    seen: list[list[int]] = []
    async with open_registry([batching_kind(seen)]) as registry:
        ref = registry.ref("batcher", "a")
        messages: list[object] = [Append(1), Append(2), Snapshot(), Append(3)]
        replies = await asks_queued_behind_a_turn(ref, messages)
        assert seen == [[1, 2], [3]]
        assert replies == [1, 2, [1, 2], 3]


async def test_a_crash_fails_every_ask_of_the_batch_and_restarts_the_actor(
    autojump_clock: object,
) -> None:
    seen: list[list[int]] = []
    async with open_registry([batching_kind(seen)]) as registry:
        ref = registry.ref("batcher", "a")
        replies = await asks_queued_behind_a_turn(ref, [Append(1), Append(13), Snapshot()])
        assert seen == [[1, 13]]
        assert all(isinstance(reply, ActorCrashed) for reply in replies[:2])
        assert replies[2] == []  # the held message went to the restarted actor
        assert await ref.ask(Append(5)) == 1


async def test_a_batch_holds_at_most_max_batch_messages(autojump_clock: object) -> None:
    seen: list[list[int]] = []
    async with open_registry([batching_kind(seen, mailbox_capacity=2 * MAX_BATCH)]) as registry:
        ref = registry.ref("batcher", "a")
        await asks_queued_behind_a_turn(ref, [Append(number) for number in range(MAX_BATCH + 1)])
    assert [len(batch) for batch in seen] == [MAX_BATCH, 1]


async def test_a_lone_message_is_a_batch_of_one(autojump_clock: object) -> None:
    seen: list[list[int]] = []
    async with open_registry([batching_kind(seen)]) as registry:
        assert await registry.ref("batcher", "a").ask(Append(1)) == 1
    assert seen == [[1]]


async def test_the_held_message_fails_when_the_activation_retires(autojump_clock: object) -> None:
    seen: list[list[int]] = []
    async with open_registry([batching_kind(seen, restart=RestartType.TEMPORARY)]) as registry:
        ref = registry.ref("batcher", "a")
        replies = await asks_queued_behind_a_turn(ref, [Append(13), Snapshot()])
    assert isinstance(replies[0], ActorCrashed)
    assert isinstance(replies[1], ActorStopped)
