"""The fan-out path's Python alone, per subscriber call (issue 26, seventh pass).

Run from the root of a checkout, pinned to one CPU::

    taskset -c 0 .venv/bin/python bench/results/fanout-run-2026-12-06/python-alone.py

A hub and 100 live sessions on one channel whose transports take every frame without a
system call; 20,000 events published in runs of 1 and of 4; thread CPU per subscriber
call, median of 5 repetitions.  Works on 4bf17c0 and later (``bench/fanout_path.py``
reports the same measurement as ``python_alone_us_per_delivery`` from the seventh pass).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import trio

sys.path[0] = str(Path.cwd())  # the checkout measured
sys.path.insert(1, str(Path.cwd() / "bench"))

from fanout_path import CHANNEL, SocketTransport, _events  # noqa: E402

from actors.realtime.hub import Hub  # noqa: E402
from actors.realtime.ports import Written  # noqa: E402
from actors.realtime.session import ConnectionSession, SessionServices  # noqa: E402
from actors.realtime.subscriptions import Subscription  # noqa: E402
from protocol.codecs import JSON_CODEC  # noqa: E402
from services.principal import Principal  # noqa: E402

SUBSCRIBERS = 100
EVENTS = 20_000


class Discard(SocketTransport):
    """Takes every frame whole, writes nothing (the rest as ``bench/fanout_path.py``'s)."""

    def __init__(self) -> None:
        self.partial = 0

    def write_nowait(self, frame: bytes) -> Written:
        return Written.ALL


async def per_subscriber_call(run: int) -> float:
    """µs of thread CPU per subscriber call, publishing runs of ``run`` events."""
    hub = Hub()
    services = SessionServices(hub=hub, authenticator=None, channels={},  # type: ignore[arg-type]
                               router=None)  # type: ignore[arg-type]
    principal = Principal(user_id="alice", session_id="s")
    for _ in range(SUBSCRIBERS):
        session = ConnectionSession(Discard(), JSON_CODEC, services, principal)
        subscription = Subscription(pending_limit=10)
        subscription.buffering = False
        session._subscriptions[CHANNEL] = subscription
        hub.subscribe(CHANNEL, session)
    runs = [_events(run, 1 + index * run) for index in range(EVENTS // run)]
    started = time.thread_time()
    for events in runs:
        hub.publish_many(CHANNEL, events)
    return (time.thread_time() - started) * 1e6 / (SUBSCRIBERS * len(runs))


if __name__ == "__main__":
    for run in (1, 4):
        figures = [trio.run(per_subscriber_call, run) for _ in range(5)]
        print(f"runs of {run}: {statistics.median(figures):.3f} µs per subscriber call",
              [round(figure, 3) for figure in figures])
