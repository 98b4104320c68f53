"""Persistence for TopicsFlow: protocols per aggregate and their implementations.

Open a store with :func:`open_store` (MongoDB for a ``mongodb://`` URL, embedded SQLite
otherwise); it exposes one attribute per aggregate (``store.users``, ``store.topics``,
``store.messages``…) typed by the protocols in :mod:`storage.protocols`, returning the
frozen records of :mod:`storage.records` and raising the errors of :mod:`storage.errors`.
Redis-backed sessions, cache, rate limiter and bus (with in-process twins) live in
:mod:`storage.realtime`; blob stores in :mod:`storage.blob`. Contract: docs/STORAGE.md.
"""

from storage.errors import Conflict, NotFound, StorageError, StorageUnavailable, TooLarge
from storage.factory import open_store
from storage.keys import IdGenerator, conversation_id, fold, hash_token
from storage.protocols import Store

__all__ = [
    "Conflict",
    "IdGenerator",
    "NotFound",
    "StorageError",
    "StorageUnavailable",
    "Store",
    "TooLarge",
    "conversation_id",
    "fold",
    "hash_token",
    "open_store",
]
