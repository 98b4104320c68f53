"""CPU per delivery of the node's fan-out path alone, in one process (issue 26).

    .venv/bin/python bench/fanout_path.py [--subscribers 100] [--messages 3000]
        [--run 1] [--repetitions 5] [--json PATH]

A :class:`~actors.realtime.hub.Hub` and ``--subscribers`` live
:class:`~actors.realtime.session.ConnectionSession` objects on one channel, each on a
real loopback TCP socket written the way ``DirectAsgiTransport`` writes (``os.write`` of
whole WebSocket frames); a child process on another CPU connects the sockets and reads
everything.  The channel publishes ``--messages`` events in runs of ``--run`` (one
``publish_many`` each) and the event loop's thread CPU time (``time.thread_time``) is
divided by the deliveries.  Reported per repetition: µs of thread CPU per delivery,
and the same for the system calls alone (writes of the same frames to the same sockets,
no hub or session), so the difference is the Python cost of the path.  That difference
is of two noisy figures; ``python_alone_us_per_delivery`` measures the Python directly:
the same hub and sessions publishing the same runs to transports that take every frame
without a system call.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import trio

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from actors.realtime.hub import Hub  # noqa: E402
from actors.realtime.ports import WRITTEN_ALL, Written  # noqa: E402
from actors.realtime.session import ConnectionSession, SessionServices  # noqa: E402
from actors.realtime.subscriptions import Subscription  # noqa: E402
from protocol.broadcast import BroadcastFrame  # noqa: E402
from protocol.chat_events import ChatMessage, MessageCreated  # noqa: E402
from protocol.codecs import JSON_CODEC  # noqa: E402
from services.principal import Principal  # noqa: E402

CHANNEL = "chat_room:bench"
DRAIN = """
import selectors, socket, sys
port, count = int(sys.argv[1]), int(sys.argv[2])
selector = selectors.DefaultSelector()
for _ in range(count):
    connection = socket.create_connection(("127.0.0.1", port))
    connection.setblocking(False)
    selector.register(connection, selectors.EVENT_READ)
print("connected", flush=True)
while selector.get_map():
    for key, _ in selector.select():
        try:
            data = key.fileobj.recv(1 << 20)
        except BlockingIOError:
            continue
        if not data:
            selector.unregister(key.fileobj)
"""


class DiscardTransport:
    """Takes every frame whole without writing it anywhere: the path's Python alone."""

    def write_nowait(self, frame: bytes) -> Written:
        return WRITTEN_ALL

    async def write(self, frames: Sequence[bytes]) -> None:
        raise RuntimeError("not used: every write goes through")

    async def receive(self) -> str | bytes | None:
        await trio.sleep_forever()
        return None

    async def send(self, data: str | bytes) -> None:
        raise RuntimeError("not used")

    async def close(self, code: int, reason: str) -> None:
        return None


class SocketTransport(DiscardTransport):
    """Writes whole frames with ``os.write`` as ``DirectAsgiTransport`` does."""

    def __init__(self, connection: socket.socket) -> None:
        self._socket = connection
        self.partial = 0

    def write_nowait(self, frame: bytes) -> Written:
        written = os.write(self._socket.fileno(), frame)
        if written != len(frame):
            self.partial += 1
            raise RuntimeError("the drain fell behind: the socket buffer filled up")
        return WRITTEN_ALL


def _events(count: int, first_seq: int) -> list[BroadcastFrame]:
    text = "ts=0000000000000000000;step=000000;" + "x" * 93
    return [BroadcastFrame(MessageCreated(
        channel=CHANNEL, seq=first_seq + index,
        message=ChatMessage(id=f"m{first_seq + index}", author_id="bob", text=text,
                            created_at=1))) for index in range(count)]


def _subscribed_hub(transports: Sequence[DiscardTransport]) -> Hub:
    """A hub with one live session per transport, subscribed to :data:`CHANNEL`."""
    hub = Hub()
    services = SessionServices(hub=hub, authenticator=None, channels={},  # type: ignore[arg-type]
                               router=None)  # type: ignore[arg-type]
    principal = Principal(user_id="alice", session_id="s")
    for transport in transports:
        session = ConnectionSession(transport, JSON_CODEC, services, principal)
        subscription = Subscription(pending_limit=10)
        subscription.buffering = False
        session._subscriptions[CHANNEL] = subscription
        hub.subscribe(CHANNEL, session)
    return hub


async def measure(subscribers: int, messages: int, run: int) -> dict[str, float]:
    """One repetition (in a trio run: sessions need its clock); see the module docstring."""
    listener = socket.create_server(("127.0.0.1", 0))
    # Blocking calls inside the trio run on purpose: nothing else runs in it.
    drain = subprocess.Popen(  # noqa: ASYNC220
        ["taskset", "-c", "1", sys.executable, "-c", DRAIN, str(listener.getsockname()[1]),
         str(subscribers)], stdout=subprocess.PIPE, text=True)
    try:
        connections = [listener.accept()[0] for _ in range(subscribers)]
        assert drain.stdout is not None and drain.stdout.readline().strip() == "connected"
        for connection in connections:
            connection.setblocking(False)
            connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        hub = _subscribed_hub([SocketTransport(connection) for connection in connections])
        runs = [_events(run, 1 + index * run) for index in range(messages // run)]
        frames = [b"".join(event.framed_for(JSON_CODEC) for event in events)
                  for events in runs]
        started = time.thread_time()
        for events in runs:
            hub.publish_many(CHANNEL, events)
            time.sleep(0)  # noqa: ASYNC251 (lets the drain process run)
        path = time.thread_time() - started
        deliveries = subscribers * len(runs) * run
        started = time.thread_time()
        for frame in frames:
            for connection in connections:
                os.write(connection.fileno(), frame)
            time.sleep(0)  # noqa: ASYNC251 (lets the drain process run)
        writes = time.thread_time() - started
        for connection in connections:
            connection.close()
        discarding = _subscribed_hub([DiscardTransport() for _ in range(subscribers)])
        runs = [_events(run, 1 + index * run) for index in range(messages // run)]
        started = time.thread_time()
        for events in runs:
            discarding.publish_many(CHANNEL, events)
        alone = time.thread_time() - started
        return {"us_per_delivery": round(path * 1e6 / deliveries, 3),
                "syscall_us_per_delivery": round(writes * 1e6 / deliveries, 3),
                "python_us_per_delivery": round((path - writes) * 1e6 / deliveries, 3),
                "python_alone_us_per_delivery": round(alone * 1e6 / deliveries, 3)}
    finally:
        drain.kill()
        drain.wait()
        listener.close()


def main() -> int:
    """Run the repetitions; print (and ``--json``) their figures and medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subscribers", type=int, default=100)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--run", type=int, default=1)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--json", dest="json_path")
    arguments = parser.parse_args()
    os.sched_setaffinity(0, {0})
    runs = [trio.run(measure, arguments.subscribers, arguments.messages, arguments.run)
            for _ in range(arguments.repetitions)]
    result: dict[str, Any] = {
        "command": " ".join(sys.argv), "repetitions": runs,
        "median": {key: statistics.median(run[key] for run in runs) for key in runs[0]},
    }
    print(json.dumps(result, indent=1))
    if arguments.json_path:
        Path(arguments.json_path).write_text(json.dumps(result, indent=1) + "\n",
                                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
