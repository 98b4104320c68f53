"""An unavailable store is an outage, not a bug: the turn's asks fail
``DependencyUnavailable`` and the actor keeps running, with its state, unrestarted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
import outcome
import pytest

from actors import Actor, ActorContext, ActorStopped
from actors.runtime.errors import DependencyUnavailable
from actors.runtime.failures import describe_failure
from protocol.errors import ErrorCode
from storage.errors import StorageUnavailable
from supervisors import ActorKind, open_registry


class Write(msgspec.Struct):
    value: int
    fail: bool = False
    timed_out: bool = False


class Read(msgspec.Struct):
    pass


class Counter(Actor):
    """Keeps written values; a ``fail`` write raises ``StorageUnavailable`` after the
    value was (as a cut-off write may be) applied to the shared "store"."""

    __slots__ = ("dependency_failures", "store", "values")

    def __init__(self, context: ActorContext, store: list[int], starts: list[int]) -> None:
        super().__init__(context)
        self.store = store
        self.values: list[int] = []
        self.dependency_failures = 0
        starts.append(1)

    def batches(self, message: object) -> bool:
        return isinstance(message, Write)

    async def on_receive_batch(self, messages: Sequence[object]) -> list[outcome.Outcome[Any]]:
        results: list[outcome.Outcome[Any]] = []
        for message in messages:
            assert isinstance(message, Write)
            self.store.append(message.value)
            if message.fail:
                raise StorageUnavailable("store down", timed_out=message.timed_out)
            self.values.append(message.value)
            results.append(outcome.Value(len(self.values)))
        return results

    async def on_receive(self, message: object) -> object:
        match message:
            case Read():
                return (list(self.values), self.dependency_failures)
            case _:
                self.unhandled(message)

    def on_dependency_failure(self, error: Exception) -> None:
        self.dependency_failures += 1


async def test_a_turn_meeting_an_outage_fails_its_asks_and_keeps_the_actor() -> None:
    store: list[int] = []
    starts: list[int] = []
    kind = ActorKind("counter", lambda context: Counter(context, store, starts))
    async with open_registry([kind]) as registry:
        ref = registry.ref("counter", "a")
        assert await ref.ask(Write(1)) == 1
        with pytest.raises(DependencyUnavailable) as failed:
            await ref.ask(Write(2, fail=True, timed_out=True))
        assert failed.value.outcome_unknown
        assert await ref.ask(Read()) == ([1], 1)
        assert await ref.ask(Write(3)) == 2
        assert starts == [1], "the actor was restarted"
        statistics = registry.statistics()
    assert [(kind.restarts, kind.last_failures) for kind in statistics.kinds] == [(0, ())]


async def test_outcome_unknown_is_told_to_the_client() -> None:
    error = DependencyUnavailable(
        None, "Write", "store down", outcome_unknown=True, retry_after=1.0  # type: ignore[arg-type]
    )
    failure = describe_failure(error)
    assert failure.code is ErrorCode.UNAVAILABLE
    assert failure.retryable
    assert "same nonce" in failure.message
    known = describe_failure(DependencyUnavailable(
        None, "Read", "down", outcome_unknown=False, retry_after=1.0  # type: ignore[arg-type]
    ))
    assert known.code is ErrorCode.UNAVAILABLE
    assert "same nonce" not in known.message


class StartsOnlyWhenUp(Actor):
    __slots__ = ()

    def __init__(self, context: ActorContext, up: list[bool]) -> None:
        super().__init__(context)
        if not up[0]:
            raise StorageUnavailable("store down")

    async def on_receive(self, message: object) -> object:
        return "served"


async def test_an_activation_meeting_an_outage_retires_without_a_restart() -> None:
    up = [False]
    kind = ActorKind("flaky", lambda context: StartsOnlyWhenUp(context, up))
    async with open_registry([kind]) as registry:
        ref = registry.ref("flaky", "a")
        with pytest.raises(ActorStopped) as stopped:
            await ref.ask(Read())
        assert describe_failure(stopped.value).code is ErrorCode.UNAVAILABLE
        up[0] = True
        assert await ref.ask(Read()) == "served"
        statistics = registry.statistics()
    assert [(kind.restarts, kind.last_failures) for kind in statistics.kinds] == [(0, ())]
