"""Where the node's event loop spends its time: py-spy raw samples (``--threads --idle``)
of the node, each event-loop sample put in one category by the frames on its stack.

    python bench/results/fourth-full-run-2026-12-06/where_the_loop_goes.py py-spy-50k.txt

The first category whose marker is on the stack wins (the order below); shares are of the
event loop thread's samples.  The SQLite worker's share is its samples outside the wait
for its next job.
"""

from __future__ import annotations

import collections
import json
import sys

CATEGORIES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("idle: waiting in epoll", ("EpollIOManager.get_events",)),
    ("fan-out: the write call and its checks", ("write_nowait",)),
    ("fan-out: the rest", ("Hub._fan_out", "Hub._deliver")),
    ("read path: socket read, Hypercorn, wsproto, app queue",
     ("_read_connection", "FrameProtocol", "WSStream", "H11Protocol", "AppQueue",
      "MessageDecoder", "FrameDecoder")),
    ("store hand-off and wake-up",
     ("SqliteWorker.run", "EntryQueue", "WakeupSocketpair", "append_many")),
    ("room turn (outside the fan-out)", ("ChatRoomActor",)),
    ("session to room: router, registry, ask and reply",
     ("Registry.", "ReplySlot", "ScopedRouter", "FrameSwitch", "ChatFrames",
      "MemorySendChannel", "MemoryReceiveChannel")),
    ("session: decode, dispatch, acknowledgement", ("ConnectionSession", "SessionDispatch")),
    ("actor runtime (activation, mailbox)", ("Activation",)),
    ("trio's scheduler", ("unrolled_run",)),
)


def category(frames: list[str]) -> str:
    """The category of one event-loop stack (outermost frame first)."""
    names = [frame.split(" (")[0] for frame in frames]
    for name, markers in CATEGORIES:
        if any(marker in frame for frame in names for marker in markers):
            return name
    return "other"


def summarise(path: str) -> dict[str, object]:
    loop: collections.Counter[str] = collections.Counter()
    worker: collections.Counter[str] = collections.Counter()
    with open(path, encoding="utf-8", errors="replace") as samples:
        for line in samples:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not count.isdigit():
                continue
            thread, *frames = stack.split(";")
            name = thread.split(": ", 1)[-1]
            if name == "MainThread":
                loop[category(frames)] += int(count)
            elif name.startswith("sqlite"):
                waiting = bool(frames) and "SqliteWorker._next_batch" in frames[-1]
                worker["waiting for a job" if waiting else "busy"] += int(count)
    loop_total = sum(loop.values())
    worker_total = sum(worker.values()) or 1
    return {
        "event_loop_samples": loop_total,
        "event_loop_shares": {key: round(value / loop_total, 3)
                              for key, value in loop.most_common()},
        "sqlite_worker_busy_share": round(worker["busy"] / worker_total, 3),
    }


if __name__ == "__main__":
    print(json.dumps(summarise(sys.argv[1]), indent=1))
