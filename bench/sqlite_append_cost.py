"""What one room message costs the embedded store to write, and how much of it is the
search index (issue 26).

    .venv/bin/python bench/sqlite_append_cost.py [--messages 3000] [--repetitions 3]
        [--directory /dev/shm] [--json PATH]

Each variant opens a fresh database in ``--directory`` with the node's schema (WAL,
``synchronous=FULL``, every migration) and appends ``--messages`` room messages the way
``SqliteMessages.append_many`` does inside the worker's transaction (``BEGIN IMMEDIATE``,
the room counter, the ``INSERT``, ``COMMIT``), ``per_commit`` messages to a commit, spread
over five rooms, on this thread (no worker, no event loop: the statements alone).
Reported: µs of wall time per message, median of ``--repetitions``, for

* ``schema``: the node's schema as migrated: the insert only queues the message for
  search (``storage/sqlite/search_queue.py``); ``index_us`` is what indexing the queue
  afterwards costs per message, in the indexer's batches;
* ``indexed_in_write``: the messages insert trigger of the search migration, which
  indexed each message inside its own transaction (the node before the queue);
* ``without_search_index``: no search indexing at all.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from storage.records import Message  # noqa: E402
from storage.sqlite.messages import MESSAGES, reserve_sequence  # noqa: E402
from storage.sqlite.schema import configure, migrate  # noqa: E402
from storage.sqlite.search_queue import INDEX_BATCH, index_queued_messages  # noqa: E402
from storage.sqlite.search_schema import SEARCH_MIGRATION  # noqa: E402

VARIANTS = ("schema", "indexed_in_write", "without_search_index")
PER_COMMIT = (1, 2, 4, 8)
WARM_UP = 300
BODY = "hello from the room, message number {index} " * 3


def _inline_trigger() -> str:
    """The search migration's ``search_messages_insert``: index inside the insert."""
    start = SEARCH_MIGRATION.index("CREATE TRIGGER search_messages_insert")
    return SEARCH_MIGRATION[start:SEARCH_MIGRATION.index("END;", start) + len("END;")]


def _open(path: Path, variant: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    configure(connection, synchronous="FULL")
    migrate(connection)
    if variant != "schema":
        connection.execute("DROP TRIGGER search_messages_insert")
    if variant == "indexed_in_write":
        connection.execute(_inline_trigger())
    return connection


def _index_queue(connection: sqlite3.Connection) -> float:
    """Seconds to index every queued message, in the indexer's batches and commits."""
    started = time.perf_counter()
    while True:
        connection.execute("BEGIN IMMEDIATE")
        done = index_queued_messages(connection, limit=INDEX_BATCH)
        connection.execute("COMMIT")
        if done < INDEX_BATCH:
            return time.perf_counter() - started


def per_message_us(
    directory: str, variant: str, per_commit: int, messages: int
) -> tuple[float, float]:
    """Wall µs per message for one fresh database: appending it, and indexing it after."""
    with tempfile.TemporaryDirectory(dir=directory) as scratch:
        connection = _open(Path(scratch) / "append.db", variant)
        started = 0.0
        index = 0
        for commit in range((WARM_UP + messages) // per_commit):
            if commit == WARM_UP // per_commit:
                started = time.perf_counter()
            connection.execute("BEGIN IMMEDIATE")
            for _ in range(per_commit):
                room = f"room{index % 5}"
                message = Message(
                    id=f"{index:026d}", room_id=room, seq=reserve_sequence(connection, room, 1),
                    author_id="u" * 26, body=BODY.format(index=index), created_at=time.time(),
                )
                MESSAGES.insert(connection, message)
                index += 1
            connection.execute("COMMIT")
        elapsed = time.perf_counter() - started
        indexing = _index_queue(connection)
        connection.close()
    return elapsed / (index - WARM_UP // per_commit * per_commit) * 1e6, indexing / index * 1e6


def main() -> None:
    """Measure every variant at every batch size; print (and ``--json``) the medians."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--directory", default="/dev/shm")
    parser.add_argument("--json", dest="json_path")
    arguments = parser.parse_args()
    results: dict[str, Any] = {
        "command": " ".join(sys.argv), "sqlite_version": sqlite3.sqlite_version,
        "messages": arguments.messages, "repetitions": arguments.repetitions, "variants": {},
    }
    for variant in VARIANTS:
        figures = {}
        for per_commit in PER_COMMIT:
            runs = [per_message_us(arguments.directory, variant, per_commit, arguments.messages)
                    for _ in range(arguments.repetitions)]
            appends = [append for append, _ in runs]
            indexing = [index for _, index in runs]
            figures[str(per_commit)] = {
                "median_us": round(statistics.median(appends), 1),
                "runs_us": [round(run, 1) for run in appends],
                "index_us": round(statistics.median(indexing), 1),
            }
            print(f"{variant:28} {per_commit} per commit: "
                  f"{figures[str(per_commit)]['median_us']:6.1f} µs per message, then "
                  f"{figures[str(per_commit)]['index_us']:5.1f} µs to index it")
        results["variants"][variant] = figures
    if arguments.json_path:
        Path(arguments.json_path).write_text(json.dumps(results, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
