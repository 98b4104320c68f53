"""One bot worker process: ``python -m bots.worker`` runs an :class:`Assignment` on trio.

Protocol with the parent (:mod:`bots.runner`), one JSON object per line:

* stdin, first line: the assignment; second line: ``start`` (or end of input: quit).
* stdout: ``{"kind": "stats", "ready": bool, "stats": {...}}`` every ``report_interval``
  (cumulative :class:`BotStats`), then one ``{"kind": "done", ...}`` before exiting.

The worker connects every connection (at most :data:`CONNECT_CONCURRENCY` handshakes at a
time), reports ``ready`` once each one connected or failed, waits for ``start``, then
publishes for ``duration`` seconds (each publisher at a random phase within its send
interval, so publishers do not send in lockstep) and keeps reading ``grace`` seconds
more.  A subscribe the server fails with ``internal`` is retried a few times.  A
message's text carries its send time (``bot <unix time> <n>``); receivers record
``now - sent``.
Every loop is bounded by the run's deadline and publish counts by ``rate * duration``.
"""

from __future__ import annotations

import json
import math
import random
import sys
import time
from typing import Any

import trio
import trio_websocket

from bots.client import Client, ConnectionLost, RequestFailed
from bots.metrics import BotStats, process_cpu_seconds
from bots.scenario import Assignment, ConnectionSpec
from protocol.chat_events import MessageCreated
from protocol.client_frames import SendMessage

CONNECT_CONCURRENCY = 32
SUBSCRIBE_ATTEMPTS = 6
IDLE_PING_S = 20.0
MARKER = "bot "
CONNECT_ERRORS = (
    OSError, trio_websocket.HandshakeError, ConnectionLost, RequestFailed, trio.TooSlowError,
)


class Worker:
    """Runs one assignment and keeps its :class:`BotStats`; see the module docstring."""

    def __init__(self, assignment: Assignment) -> None:
        self.assignment = assignment
        self.stats = BotStats()
        self.attempted = 0
        self.ready = trio.Event()
        self.started = trio.Event()
        self.publish_until = math.inf
        self.read_until = math.inf
        self._limiter = trio.CapacityLimiter(CONNECT_CONCURRENCY)

    def start(self) -> None:
        """Begin the measured phase now."""
        now = trio.current_time()
        self.publish_until = now + self.assignment.duration
        self.read_until = self.publish_until + self.assignment.grace
        self.started.set()

    def _attempt_done(self) -> None:
        self.attempted += 1
        if self.attempted == len(self.assignment.connections):
            self.ready.set()

    async def run_connection(self, spec: ConnectionSpec) -> None:
        """Connect, subscribe, then publish/read/ping until the run's deadline."""
        client = Client(
            self.assignment.url, token=spec.token, subprotocol=self.assignment.subprotocol,
            reconnect=False,
        )
        async with trio.open_nursery() as nursery:
            try:
                async with self._limiter:
                    with trio.fail_after(self.assignment.connect_timeout):
                        await nursery.start(client.run)
                        if spec.channel is not None:
                            await _subscribe_with_retries(client, spec.channel)
                self.stats.connections += 1
            except CONNECT_ERRORS:
                self.stats.errors += 1
                nursery.cancel_scope.cancel()
                return
            finally:
                self._attempt_done()
            nursery.start_soon(self._keep_alive, client)
            await self.started.wait()
            with trio.move_on_at(self.read_until):
                async with trio.open_nursery() as activity:
                    activity.start_soon(self._read, client)
                    if spec.channel is not None and spec.rate > 0:
                        activity.start_soon(self._publish, client, spec)
            await client.close()
            nursery.cancel_scope.cancel()

    async def _read(self, client: Client) -> None:
        while True:
            try:
                event = await client.next_event()
            except trio.EndOfChannel:
                if trio.current_time() < self.read_until:
                    self.stats.errors += 1  # lost before the end of the run
                return
            if isinstance(event, MessageCreated) and event.message.text.startswith(MARKER):
                sent_at = float(event.message.text.split(" ", 2)[1])
                self.stats.received += 1
                self.stats.latency.record((time.time() - sent_at) * 1000.0)

    async def _publish(self, client: Client, spec: ConnectionSpec) -> None:
        interval = 1.0 / spec.rate
        limit = math.ceil(spec.rate * self.assignment.duration)
        next_send = trio.current_time() + random.uniform(0.0, interval)  # noqa: S311
        for number in range(limit):
            if next_send >= self.publish_until:
                return
            await trio.sleep_until(next_send)
            next_send += interval
            text = f"{MARKER}{time.time():.6f} {number}"
            try:
                await client.request(SendMessage, channel=spec.channel, text=text)
            except RequestFailed:
                self.stats.errors += 1
                continue
            except ConnectionLost:
                self.stats.errors += 1
                return
            self.stats.sent += 1
            self.stats.expected += spec.audience

    async def _keep_alive(self, client: Client) -> None:
        """Ping every 20 s from connecting until the end, so the server's 60 s heartbeat
        timeout never closes a connection that waited for the others to connect.  The
        first ping comes at a random point of the first 20 s, as from clients that
        connected at different times (bots connected together would all ping at once)."""
        delay = random.uniform(0.0, IDLE_PING_S)  # noqa: S311
        while trio.current_time() + delay < self.read_until:
            await trio.sleep(delay)
            delay = IDLE_PING_S
            try:
                await client.ping()
            except ConnectionLost:
                return  # counted by _read, which sees the events end early

    def snapshot(self, kind: str) -> dict[str, Any]:
        """The line reported to the parent."""
        self.stats.cpu_seconds = process_cpu_seconds()
        return {"kind": kind, "ready": self.ready.is_set(), "stats": self.stats.to_json()}


async def _subscribe_with_retries(client: Client, channel: str) -> None:
    """Subscribe, retrying server-side failures (``internal``: e.g. a room actor's ask
    timing out under a connection storm) a few times with a growing pause."""
    for attempt in range(1, SUBSCRIBE_ATTEMPTS + 1):
        try:
            await client.subscribe(channel)
            return
        except RequestFailed as failure:
            if failure.code.value != "internal" or attempt == SUBSCRIBE_ATTEMPTS:
                raise
            await trio.sleep(1.0 * attempt)


def _emit(line: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


async def _report(worker: Worker) -> None:
    while True:
        _emit(worker.snapshot("stats"))
        await trio.sleep(worker.assignment.report_interval)


async def run_worker(assignment: Assignment) -> None:
    """Run the assignment to completion, reporting on stdout."""
    worker = Worker(assignment)
    if not assignment.connections:
        worker.ready.set()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(_report, worker)
        async with trio.open_nursery() as bots:
            for spec in assignment.connections:
                bots.start_soon(worker.run_connection, spec)
            await worker.ready.wait()
            _emit(worker.snapshot("stats"))
            command = await trio.to_thread.run_sync(sys.stdin.readline, abandon_on_cancel=True)
            if command.strip() != "start":
                bots.cancel_scope.cancel()
            worker.start()
        nursery.cancel_scope.cancel()
    _emit(worker.snapshot("done"))


def main() -> None:
    """Entry point of ``python -m bots.worker``."""
    assignment = Assignment.from_json(json.loads(sys.stdin.readline()))
    trio.run(run_worker, assignment)


if __name__ == "__main__":
    main()
