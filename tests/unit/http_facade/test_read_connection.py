"""The connection reader of the Hypercorn fast path (``_read_connection``): what it hands
the connection's protocol, and its checkpoints, which are those of trio's own socket reads
(a read that waited for data does not yield a second time; one that did not wait does)."""

from __future__ import annotations

import socket
from types import SimpleNamespace
from typing import Any, cast

import trio
import trio.lowlevel
import trio.testing
from hypercorn.events import Closed, Event, RawData
from hypercorn.trio.tcp_server import TCPServer

from http_facade.websocket.hypercorn_direct import _read_connection


class RecordingProtocol:
    """What Hypercorn's protocol would be handed, in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    async def handle(self, event: Event) -> None:
        self.events.append(event)


class TaskSteps(trio.abc.Instrument):
    """Counts the steps one task takes (each resumption by the scheduler)."""

    def __init__(self, task: trio.lowlevel.Task) -> None:
        self.task = task
        self.steps = 0

    def before_task_step(self, task: trio.lowlevel.Task) -> None:
        if task is self.task:
            self.steps += 1


def reader(ours: socket.socket, protocol: RecordingProtocol) -> TCPServer:
    """The parts of Hypercorn's ``TCPServer`` the reader uses, around ``ours``."""
    stream = trio.SocketStream(trio.socket.from_stdlib_socket(ours))
    server = SimpleNamespace(stream=stream, config=SimpleNamespace(read_timeout=None),
                             protocol=protocol)
    return cast("TCPServer", server)


async def run_reader(server: TCPServer, *, task_status: Any = trio.TASK_STATUS_IGNORED) -> None:
    task_status.started(trio.lowlevel.current_task())
    await _read_connection(server)


async def test_each_chunk_that_arrives_while_the_reader_waits_costs_it_one_step() -> None:
    ours, peer = socket.socketpair()
    protocol = RecordingProtocol()
    with peer:
        async with trio.open_nursery() as nursery:
            task = await nursery.start(run_reader, reader(ours, protocol))
            await trio.testing.wait_all_tasks_blocked()
            steps = TaskSteps(task)
            trio.lowlevel.add_instrument(steps)
            for chunk in (b"one", b"two", b"three"):
                peer.send(chunk)
                await trio.testing.wait_all_tasks_blocked()
            trio.lowlevel.remove_instrument(steps)
            peer.shutdown(socket.SHUT_WR)
    assert steps.steps == 3
    assert protocol.events == [RawData(b"one"), RawData(b"two"), RawData(b"three"),
                               RawData(b""), Closed()]


async def test_a_read_that_found_data_without_waiting_still_yields_once() -> None:
    ours, peer = socket.socketpair()
    protocol = RecordingProtocol()
    peer.send(b"waiting already")
    with peer:
        async with trio.open_nursery() as nursery:
            steps: TaskSteps | None = None

            async def watched() -> None:
                nonlocal steps
                steps = TaskSteps(trio.lowlevel.current_task())
                trio.lowlevel.add_instrument(steps)
                await _read_connection(reader(ours, protocol))

            nursery.start_soon(watched)
            await trio.testing.wait_all_tasks_blocked()
            assert steps is not None
            trio.lowlevel.remove_instrument(steps)
            # The instrument came in during the first step, in which the read found the
            # data and yielded: the step after it handed the data on and began to wait.
            assert steps.steps == 1
            assert protocol.events == [RawData(b"waiting already")]
            nursery.cancel_scope.cancel()


async def test_a_cancelled_reader_stops_waiting(autojump_clock: trio.testing.MockClock) -> None:
    ours, peer = socket.socketpair()
    protocol = RecordingProtocol()
    with peer, trio.move_on_after(1) as scope:
        await _read_connection(reader(ours, protocol))
    assert scope.cancelled_caught
    assert protocol.events == []
