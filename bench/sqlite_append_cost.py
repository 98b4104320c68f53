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

* ``schema``: the node's schema as migrated;
* ``without_unindex_on_insert``: the messages insert trigger without the two ``DELETE``
  statements it runs before indexing a new message;
* ``without_search_index``: the messages insert trigger dropped (no search indexing).
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

VARIANTS = ("schema", "without_unindex_on_insert", "without_search_index")
PER_COMMIT = (1, 2, 4, 8)
WARM_UP = 300
BODY = "hello from the room, message number {index} " * 3


def _open(path: Path, variant: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    configure(connection, synchronous="FULL")
    migrate(connection)
    (trigger,) = connection.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'search_messages_insert'"
    ).fetchone()
    if variant != "schema":
        connection.execute("DROP TRIGGER search_messages_insert")
    if variant == "without_unindex_on_insert":
        head, body = trigger.split("BEGIN\n", 1)
        statements = body.split(";\n")
        assert statements[0].startswith("DELETE") and statements[1].startswith("DELETE")
        connection.execute(head + "BEGIN\n" + ";\n".join(statements[2:]))
    return connection


def per_message_us(directory: str, variant: str, per_commit: int, messages: int) -> float:
    """Wall µs per appended message for one fresh database."""
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
        connection.close()
    return elapsed / (index - WARM_UP // per_commit * per_commit) * 1e6


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
            figures[str(per_commit)] = {"median_us": round(statistics.median(runs), 1),
                                        "runs_us": [round(run, 1) for run in runs]}
            print(f"{variant:28} {per_commit} per commit: "
                  f"{figures[str(per_commit)]['median_us']:6.1f} µs per message")
        results["variants"][variant] = figures
    if arguments.json_path:
        Path(arguments.json_path).write_text(json.dumps(results, indent=1) + "\n", "utf-8")


if __name__ == "__main__":
    main()
