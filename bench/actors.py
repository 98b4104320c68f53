"""Actor runtime benchmark: tell throughput, ask round trips, activations, idle memory.

Run from the repository root::

    .venv/bin/python bench/actors.py            # a table
    .venv/bin/python bench/actors.py --json     # one JSON object

Rates are per CPU second of the (single-threaded) process, so they read "on one core"
even on a shared machine; wall-clock rates are printed beside them. Each figure is the
best of ``--repeat`` runs (default 3); the memory figure is measured once.

Figures: ``tells_per_s`` (one producer task, one actor, ``await ref.tell``: every tell
is a trio checkpoint, so this is one scheduler round per message),
``tells_per_s_16_producers`` (sixteen producer tasks telling one actor, which then
handles several messages per round), ``asks_per_s`` (sequential ``await ref.ask`` round
trips), ``activations_per_s`` (first messages to ``--actors`` distinct ids, until every
actor has handled its message) and ``idle_actor_bytes`` (Python heap retained per idle
activated actor, measured with tracemalloc over ``--actors`` activations).
``trio_channel_sends_per_s`` is the baseline under the same load: a bare trio memory
channel between two tasks, the ceiling for one producer. Targets and
recorded figures are in docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import msgspec
import trio
import trio.testing

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from actors import Actor, ActorContext
from supervisors import ActorKind, open_registry


class Add(msgspec.Struct):
    amount: int


class Total(msgspec.Struct):
    pass


class Counter(Actor):
    """The smallest useful actor: one integer of state."""

    __slots__ = ("total",)

    async def on_start(self) -> None:
        self.total = 0

    async def on_receive(self, message: object) -> object:
        match message:
            case Add(amount=amount):
                self.total += amount
                return None
            case Total():
                return self.total
            case _:
                self.unhandled(message)


class Arrivals:
    """Counts first messages handled across actors; fires when all have arrived."""

    def __init__(self, expected: int) -> None:
        self.expected = expected
        self.count = 0
        self.all_arrived = trio.Event()

    def arrive(self) -> None:
        self.count += 1
        if self.count >= self.expected:
            self.all_arrived.set()


class Touched(Actor):
    """Reports its first message to a shared ``Arrivals`` (injected by the factory)."""

    __slots__ = ("arrivals", "total")

    def __init__(self, context: ActorContext, arrivals: Arrivals) -> None:
        super().__init__(context)
        self.arrivals = arrivals

    async def on_start(self) -> None:
        self.total = 0

    async def on_receive(self, message: object) -> object:
        self.total += 1
        self.arrivals.arrive()
        return None


def counter_kind() -> ActorKind:
    return ActorKind("counter", Counter, mailbox_capacity=64, idle_timeout=None)


def touched_kind(arrivals: Arrivals) -> ActorKind:
    return ActorKind(
        "touched",
        lambda context: Touched(context, arrivals),
        mailbox_capacity=4,
        idle_timeout=None,
    )


class Stopwatch:
    """Process CPU time and wall-clock time of a measured span.

    Rates are computed per CPU second: the process is single-threaded, so that is "per
    second of one core" even when other work shares the machine. Wall-clock rates are
    reported beside them.
    """

    def __init__(self) -> None:
        self.cpu_seconds = 0.0
        self.wall_seconds = 0.0

    def __enter__(self) -> Stopwatch:
        self._cpu = time.process_time()
        self._wall = time.perf_counter()
        return self

    def __exit__(self, *_: object) -> None:
        self.cpu_seconds = time.process_time() - self._cpu
        self.wall_seconds = time.perf_counter() - self._wall


async def measure_trio_channel(count: int) -> Stopwatch:
    """Baseline: one producer sending to one consumer over a bare trio memory channel."""
    send_channel, receive_channel = trio.open_memory_channel[Add](64)
    received = 0

    async def consume() -> None:
        nonlocal received
        async for _ in receive_channel:
            received += 1

    message = Add(1)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(consume)
        await trio.testing.wait_all_tasks_blocked()
        with Stopwatch() as stopwatch:
            async with send_channel:
                for _ in range(count):
                    await send_channel.send(message)
            await trio.testing.wait_all_tasks_blocked()
    assert received == count
    return stopwatch


async def measure_tells(count: int, producers: int) -> Stopwatch:
    """``count`` tells to one actor from ``producers`` concurrent tasks."""
    async with open_registry([counter_kind()]) as registry:
        ref = registry.ref("counter", "tells")
        message = Add(1)
        await ref.ask(Total())

        async def produce(tells: int) -> None:
            for _ in range(tells):
                await ref.tell(message)

        with Stopwatch() as stopwatch:
            if producers == 1:
                await produce(count)
            else:
                async with trio.open_nursery() as nursery:
                    for _ in range(producers):
                        nursery.start_soon(produce, count // producers)
            total = await ref.ask(Total())
        assert total == count // producers * producers
    return stopwatch


async def measure_asks(count: int) -> Stopwatch:
    """``count`` sequential ask round trips to one actor."""
    async with open_registry([counter_kind()]) as registry:
        ref = registry.ref("counter", "asks")
        message = Add(1)
        await ref.ask(Total())
        with Stopwatch() as stopwatch:
            for _ in range(count):
                await ref.ask(message)
        assert await ref.ask(Total()) == count
    return stopwatch


async def activate(count: int) -> tuple[Stopwatch, float]:
    """Activate ``count`` actors; return the timing and heap bytes per idle actor."""
    arrivals = Arrivals(count)
    async with open_registry([touched_kind(arrivals)]) as registry:
        refs = [registry.ref("touched", str(index)) for index in range(count)]
        message = Add(1)
        gc.collect()
        before = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
        with Stopwatch() as stopwatch:
            for ref in refs:
                await ref.tell(message)
            await arrivals.all_arrived.wait()
            await trio.testing.wait_all_tasks_blocked()
        gc.collect()
        after = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
        statistics = registry.statistics().kinds[0]
        assert statistics.active == count, statistics
    return stopwatch, (after - before) / count


async def best_of(repeat: int, measure: Callable[[], Awaitable[Stopwatch]]) -> Stopwatch:
    """The least disturbed of ``repeat`` runs (least CPU time), as ``timeit`` advises."""
    runs = [await measure() for _ in range(repeat)]
    return min(runs, key=lambda stopwatch: stopwatch.cpu_seconds)


async def run_all(arguments: argparse.Namespace) -> dict[str, Any]:
    repeat, tells_count = arguments.repeat, arguments.tells
    baseline = await best_of(repeat, lambda: measure_trio_channel(tells_count))
    tells = await best_of(repeat, lambda: measure_tells(tells_count, producers=1))
    concurrent_tells = await best_of(repeat, lambda: measure_tells(tells_count, producers=16))
    asks = await best_of(repeat, lambda: measure_asks(arguments.asks))

    async def activations_only() -> Stopwatch:
        stopwatch, _ = await activate(arguments.actors)
        return stopwatch

    activations = await best_of(repeat, activations_only)
    tracemalloc.start()
    try:
        _, idle_bytes = await activate(arguments.actors)
    finally:
        tracemalloc.stop()
    return {
        "tells_per_s": round(tells_count / tells.cpu_seconds),
        "tells_per_s_16_producers": round(tells_count / concurrent_tells.cpu_seconds),
        "trio_channel_sends_per_s": round(tells_count / baseline.cpu_seconds),
        "asks_per_s": round(arguments.asks / asks.cpu_seconds),
        "activations_per_s": round(arguments.actors / activations.cpu_seconds),
        "activation_seconds": round(activations.cpu_seconds, 3),
        "actors": arguments.actors,
        "idle_actor_bytes": round(idle_bytes),
        "wall_clock": {
            "tells_per_s": round(tells_count / tells.wall_seconds),
            "asks_per_s": round(arguments.asks / asks.wall_seconds),
            "activation_seconds": round(activations.wall_seconds, 3),
        },
    }


TARGETS = {
    "tells_per_s": (">=", 100_000),
    "asks_per_s": (">=", 30_000),
    "activation_seconds": ("<=", 10),
    "idle_actor_bytes": ("<=", 10_240),
}


def print_table(figures: dict[str, Any]) -> None:
    print(f"{'figure (per CPU second)':<26}{'value':>12}  {'target':<12}{'met':<4}")
    for name, value in figures.items():
        if isinstance(value, dict):
            continue
        target = TARGETS.get(name)
        if target is None:
            print(f"{name:<26}{value:>12,}")
            continue
        operator, bound = target
        met = value >= bound if operator == ">=" else value <= bound
        print(f"{name:<26}{value:>12,}  {operator} {bound:<9,}{'yes' if met else 'NO':<4}")
    for name, value in figures["wall_clock"].items():
        print(f"{'wall clock: ' + name:<26}{value:>12,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--tells", type=int, default=200_000)
    parser.add_argument("--asks", type=int, default=100_000)
    parser.add_argument("--actors", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; best kept")
    arguments = parser.parse_args()
    figures = trio.run(run_all, arguments)
    if arguments.json:
        print(json.dumps(figures))
    else:
        print_table(figures)


if __name__ == "__main__":
    main()
