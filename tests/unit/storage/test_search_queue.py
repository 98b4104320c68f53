"""Room messages indexed in batches (storage/sqlite/search_queue.py): queued by their
insert, indexed oldest first in batches, changes before the batch respected, and the
store's indexer draining the queue on its own."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trio
import trio.testing
from msgspec.structs import replace

from storage import open_store
from storage.errors import StorageError
from storage.records import Message, MessageDraft
from storage.sqlite.messages import MESSAGES, reserve_sequence
from storage.sqlite.schema import configure, migrate
from storage.sqlite.search import SqliteSearch, run_indexer
from storage.sqlite.search_queue import (
    INDEX_BATCH,
    INDEX_INTERVAL_SECONDS,
    index_queued_messages,
)


@pytest.fixture
def connection(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    opened = sqlite3.connect(tmp_path / "queue.db", isolation_level=None)
    configure(opened, synchronous="OFF")
    migrate(opened)
    yield opened
    opened.close()


def append(connection: sqlite3.Connection, room_id: str, body: str, kind: str = "text") -> int:
    seq = reserve_sequence(connection, room_id, 1)
    MESSAGES.insert(connection, Message(
        id=f"m{room_id}{seq}", room_id=room_id, seq=seq, author_id="u1", body=body,
        created_at=1.0, kind=kind,
    ))
    return seq


def found(connection: sqlite3.Connection, word: str) -> list[str]:
    rows = connection.execute(
        "SELECT i.item_key FROM search_text JOIN search_items i ON i.id = search_text.rowid"
        " WHERE search_text MATCH ? AND i.kind = 'room_message' ORDER BY i.item_key",
        (f'"{word}"',),
    ).fetchall()
    return [key for (key,) in rows]


def queued(connection: sqlite3.Connection) -> int:
    (count,) = connection.execute("SELECT count(*) FROM search_message_queue").fetchone()
    return int(count)


def test_a_message_is_queued_by_its_insert_and_indexed_by_the_batch(
    connection: sqlite3.Connection,
) -> None:
    append(connection, "r1", "pelican one")
    append(connection, "r2", "pelican two")
    append(connection, "r1", "pelican", kind="system")
    assert found(connection, "pelican") == []
    assert queued(connection) == 3
    assert index_queued_messages(connection, limit=100) == 3
    assert found(connection, "pelican") == ["r1:1", "r2:1"]
    assert queued(connection) == 0
    assert index_queued_messages(connection, limit=100) == 0


def test_a_batch_takes_the_oldest_up_to_its_limit(connection: sqlite3.Connection) -> None:
    for number in range(5):
        append(connection, "r1", f"gull{number} gull")
    assert index_queued_messages(connection, limit=2) == 2
    assert found(connection, "gull") == ["r1:1", "r1:2"]
    assert index_queued_messages(connection, limit=2) == 2
    assert index_queued_messages(connection, limit=2) == 1
    assert found(connection, "gull") == [f"r1:{seq}" for seq in range(1, 6)]


def test_changes_before_the_batch_are_kept(connection: sqlite3.Connection) -> None:
    edited = append(connection, "r1", "heron")
    deleted = append(connection, "r1", "bittern")
    removed = append(connection, "r1", "crane")
    MESSAGES.modify(connection, ("r1", edited), lambda message: replace(message, body="egret"))
    MESSAGES.modify(connection, ("r1", deleted), lambda message: replace(message, deleted_at=2.0))
    connection.execute("DELETE FROM messages WHERE room_id = 'r1' AND seq = ?", (removed,))
    assert found(connection, "egret") == ["r1:1"]  # the edit indexed it at once
    assert index_queued_messages(connection, limit=100) == 3
    assert found(connection, "egret") == ["r1:1"]  # once, not twice
    assert found(connection, "heron") == []
    assert found(connection, "bittern") == []
    assert found(connection, "crane") == []


def test_a_key_queued_twice_is_indexed_once(connection: sqlite3.Connection) -> None:
    append(connection, "r1", "first puffin")
    connection.execute("DELETE FROM messages WHERE room_id = 'r1'")
    connection.execute("UPDATE room_counters SET last_seq = 0")
    append(connection, "r1", "second puffin")
    assert queued(connection) == 2
    assert index_queued_messages(connection, limit=100) == 2
    assert found(connection, "puffin") == ["r1:1"]
    assert found(connection, "first") == []


async def test_the_store_runs_an_indexer_that_drains_the_queue(
    tmp_path: Path, autojump_clock: trio.testing.MockClock
) -> None:
    async with open_store(None, data_dir=tmp_path, clock=time.time) as store:
        user = await store.users.create(username="ann", email="a@example.org", password_hash="x")
        room = await store.rooms.create(owner_id=user.id, name="den")
        for number in range(3):
            draft = MessageDraft(author_id=user.id, body=f"tern {number}")
            await store.messages.append(room.id, draft)
        reader = sqlite3.connect(tmp_path / "topicsflow.sqlite3")
        try:
            # Nothing here searches: only the store's own indexer can empty the queue, and
            # it signals nothing, so the test polls the database.  Each poll first makes a
            # store call, a job behind any indexing job already queued on the worker, so it
            # sees what the indexer committed before it.  The polls are counted, not timed:
            # the autojump clock skips virtual time while a job runs on the worker thread,
            # so a deadline on it could pass before a slow machine's indexing job ends.
            for _ in range(30):
                await store.messages.last_seq(room.id)
                if not queued(reader):
                    break
                await trio.sleep(INDEX_INTERVAL_SECONDS / 2)
            assert not queued(reader)
            assert len(found(reader, "tern")) == 3
        finally:
            reader.close()


async def test_index_queued_takes_the_queue_in_batches(tmp_path: Path) -> None:
    async with open_store(None, data_dir=tmp_path, clock=time.time) as store:
        user = await store.users.create(username="bo", email="b@example.org", password_hash="x")
        room = await store.rooms.create(owner_id=user.id, name="den")
        drafts = [MessageDraft(author_id=user.id, body=f"auk {n}") for n in range(INDEX_BATCH + 3)]
        await store.messages.append_many(room.id, drafts)
        assert isinstance(store.search, SqliteSearch)
        await store.search.index_queued()
        reader = sqlite3.connect(tmp_path / "topicsflow.sqlite3")
        try:
            assert queued(reader) == 0
            assert len(found(reader, "auk")) == INDEX_BATCH + 3
        finally:
            reader.close()


async def test_a_failed_round_is_logged_and_retried(
    autojump_clock: trio.testing.MockClock, caplog: pytest.LogCaptureFixture
) -> None:
    rounds: list[str] = []

    class FlakySearch:
        async def index_queued(self) -> int:
            rounds.append("round")
            if len(rounds) == 1:
                raise StorageError("sqlite: disk I/O error")
            return 0

    async with trio.open_nursery() as nursery:
        await nursery.start(run_indexer, FlakySearch(), 1.0)  # type: ignore[arg-type]
        await trio.sleep(2.5)
        nursery.cancel_scope.cancel()
    assert rounds == ["round", "round"]
    assert "search indexing of room messages failed, retrying: sqlite: disk I/O error" \
        in caplog.text
