"""The Mongo store's index writes against the Mongo-wire server: the queued search writes
of messages keep their order, and bulk writes past FerretDB's stall size complete.

Real FerretDB (``TOPICSFLOW_TEST_MONGODB_URL``), each test on a database of its own.
"""

from __future__ import annotations

import secrets
import time

import pymongo

from storage import open_store
from storage.mongo import MongoStore
from storage.mongo.bulk import bulk_write_chunked
from storage.protocols.search import SearchQuery
from storage.records import MessageDraft
from storage.search_text import query_terms
from tests.store_support import drop_mongo_database


def ask(text: str, user_id: str) -> SearchQuery:
    return SearchQuery(kind="room_message", terms=query_terms(text), user_id=user_id,
                       now=time.time(), limit=50)


async def test_messages_are_indexed_behind_the_send_in_order(mongodb_url: str) -> None:
    database = f"queue_{secrets.token_hex(4)}"
    async with open_store(mongodb_url, database=database) as store:
        assert isinstance(store, MongoStore)
        alice = await store.users.create(username="alice", email="a@example.org",
                                         password_hash="x")
        room = await store.rooms.create(owner_id=alice.id, name="den")
        kept = await store.messages.append_many(room.id, [
            MessageDraft(author_id=alice.id, body=f"pelican number {index}")
            for index in range(30)
        ])
        gone = await store.messages.append(room.id, MessageDraft(author_id=alice.id,
                                                                 body="pelican to delete"))
        await store.messages.delete(room.id, gone.seq)
        edited = await store.messages.append(room.id, MessageDraft(author_id=alice.id,
                                                                   body="albatross first"))
        await store.messages.edit(room.id, edited.seq, body="cormorant after")
        # The search waits for the queue: the writes above are all seen, in their order.
        found = await store.search.search(ask("pelican", alice.id))
        assert sorted(hit.key for hit in found) == sorted(
            f"{room.id}:{message.seq}" for message in kept)
        assert await store.search.search(ask("albatross", alice.id)) == []
        assert [hit.key for hit in await store.search.search(ask("cormorant", alice.id))] == [
            f"{room.id}:{edited.seq}"]
        statistics = store.statistics()
        assert statistics["search_pending"] == 0
        assert statistics["search_dropped"] == 0
        assert statistics["search_written"] == statistics["search_submitted"] > 0
    await drop_mongo_database(mongodb_url, database)


def test_an_update_bulk_past_the_stall_size_completes(mongodb_url: str) -> None:
    client: pymongo.MongoClient[dict[str, object]] = pymongo.MongoClient(
        mongodb_url, socketTimeoutMS=20_000)
    database = client[f"bulk_{secrets.token_hex(4)}"]
    try:
        count = 157  # one command of 50 such updates never answers (storage/mongo/bulk.py)
        database["items"].insert_many([{"_id": index, "value": 0} for index in range(count)])
        bulk_write_chunked(database["items"], [
            pymongo.UpdateOne({"_id": index}, {"$set": {"value": 1}}) for index in range(count)
        ], ordered=False)
        assert database["items"].count_documents({"value": 1}) == count
    finally:
        client.drop_database(database.name)
        client.close()
