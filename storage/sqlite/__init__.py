"""Embedded SQLite backend: the zero-setup default and the fast test store."""

from storage.sqlite.store import SqliteStore, open_sqlite_store

__all__ = ["SqliteStore", "open_sqlite_store"]
