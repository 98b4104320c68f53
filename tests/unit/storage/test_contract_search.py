"""Contract: search indexes on write, forgets deleted content, and (both backends) indexes
content that was written before the index existed."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pymongo
import pytest
import trio

from storage import Store, open_store
from storage.protocols.search import SearchKind, SearchQuery
from storage.records import MessageDraft
from storage.search_text import query_terms
from storage.sqlite.search_schema import SEARCH_MIGRATION
from tests.store_support import drop_mongo_database


def ask(kind: SearchKind, text: str, user_id: str) -> SearchQuery:
    return SearchQuery(kind=kind, terms=query_terms(text), user_id=user_id, now=time.time(),
                       limit=20)


async def write_content(store: Store) -> tuple[str, str]:
    """A user, a room message, a direct message, a topic with a post and a comment."""
    alice = await store.users.create(username="Zebulon", email="z@example.org",
                                     password_hash="x")
    bob = await store.users.create(username="bob", email="b@example.org", password_hash="x")
    room = await store.rooms.create(owner_id=alice.id, name="den")
    await store.messages.append(room.id, MessageDraft(author_id=alice.id, body="Ünïcode pelican"))
    await store.direct_messages.send(sender_id=alice.id, recipient_id=bob.id, body="pelican dm")
    topic = await store.topics.create(owner_id=alice.id, title="Pelican watchers")
    post = await store.posts.create(topic_id=topic.id, author_id=alice.id, title="Pelicans",
                                    body="big beaks")
    await store.comments.create(post_id=post.id, author_id=bob.id, body="pelican facts")
    return alice.id, bob.id


async def assert_found(store: Store, alice: str, bob: str) -> None:
    assert len(await store.search.search(ask("room_message", "unicode PELI", alice))) == 1
    assert await store.search.search(ask("room_message", "pelican", bob)) == []
    assert len(await store.search.search(ask("direct_message", "pelican", bob))) == 1
    assert len(await store.search.search(ask("topic", "watch", bob))) == 1
    assert len(await store.search.search(ask("post", "beaks", bob))) == 1
    assert len(await store.search.search(ask("comment", "facts", alice))) == 1
    assert [u.username for u in await store.search.search_users("bulo", limit=5)] == ["Zebulon"]


async def test_sqlite_migration_indexes_existing_rows(tmp_path: Path) -> None:
    async with open_store(None, data_dir=tmp_path, clock=time.time) as store:
        alice, bob = await write_content(store)
    path = tmp_path / "topicsflow.sqlite3"

    def migrate_without_the_index() -> None:  # as if the search migration met old rows
        connection = sqlite3.connect(path)
        names = connection.execute(
            "SELECT type, name FROM sqlite_master WHERE name LIKE 'search%'"
            " AND type IN ('trigger', 'table')"
        ).fetchall()
        for kind, name in names:
            if kind == "trigger" or name in ("search_items", "search_text", "search_users"):
                connection.execute(f"DROP {kind} IF EXISTS {name}")
        connection.commit()
        connection.executescript(f"BEGIN;\n{SEARCH_MIGRATION}\nCOMMIT;")
        connection.close()

    await trio.to_thread.run_sync(migrate_without_the_index)
    async with open_store(None, data_dir=tmp_path, clock=time.time) as store:
        await assert_found(store, alice, bob)


@pytest.mark.mongo
async def test_mongo_backfills_existing_content(mongodb_url: str, unique_name: str) -> None:
    try:
        async with open_store(mongodb_url, database=unique_name, clock=time.time) as store:
            alice, bob = await write_content(store)
            await assert_found(store, alice, bob)

        def forget_the_index() -> None:
            client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(mongodb_url)
            for name in ("search_terms", "search_docs", "search_state"):
                client[unique_name].drop_collection(name)
            client.close()

        await trio.to_thread.run_sync(forget_the_index)
        async with open_store(mongodb_url, database=unique_name, clock=time.time) as store:
            await assert_found(store, alice, bob)
    finally:
        await drop_mongo_database(mongodb_url, unique_name)


async def test_deleted_content_is_not_found(store: Store) -> None:
    alice, bob = await write_content(store)
    room = (await store.rooms.create(owner_id=alice, name="gone")).id
    message = await store.messages.append(room, MessageDraft(author_id=alice, body="ostrich"))
    assert len(await store.search.search(ask("room_message", "ostrich", alice))) == 1
    await store.messages.delete(room, message.seq)
    assert await store.search.search(ask("room_message", "ostrich", alice)) == []
    dm = await store.direct_messages.send(sender_id=bob, recipient_id=alice, body="ostrich dm")
    await store.direct_messages.unsend(dm.id)
    assert await store.search.search(ask("direct_message", "ostrich", alice)) == []


async def test_changes_before_indexing_are_what_search_finds(store: Store) -> None:
    """A message edited, deleted or re-sent before any search (so before a deferred index
    has caught up) is found as it is now, once."""
    alice, _ = await write_content(store)
    room = (await store.rooms.create(owner_id=alice, name="quick")).id
    edited = await store.messages.append(room, MessageDraft(author_id=alice, body="heron"))
    await store.messages.edit(room, edited.seq, body="egret")
    gone = await store.messages.append(room, MessageDraft(author_id=alice, body="bittern"))
    await store.messages.delete(room, gone.seq)
    await store.messages.append(room, MessageDraft(author_id=alice, body="stork twice"))
    await store.messages.append(room, MessageDraft(author_id=alice, body="stork again"))
    assert await store.search.search(ask("room_message", "heron", alice)) == []
    assert [hit.body for hit in await store.search.search(ask("room_message", "egret", alice))] \
        == ["egret"]
    assert await store.search.search(ask("room_message", "bittern", alice)) == []
    assert len(await store.search.search(ask("room_message", "stork", alice))) == 2
