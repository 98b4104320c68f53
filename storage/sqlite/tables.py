"""Tables that keep a record as msgspec JSON in ``doc`` beside the columns queries use.

Every write happens on the worker thread inside a transaction, so a read-modify-write
of a record here is atomic: no other statement can interleave. Table and column names
come from this package, never from callers; values are always bound parameters.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import msgspec

from storage.errors import Conflict, NotFound

R = TypeVar("R", bound=msgspec.Struct)

_UNIQUE_FAILED = re.compile(r"UNIQUE constraint failed: ([\w.]+)")


class Table(Generic[R]):
    """A record table: ``key`` names the primary-key columns, ``columns`` derives the rest."""

    def __init__(
        self,
        name: str,
        record_type: type[R],
        key: tuple[str, ...],
        columns: Callable[[R], dict[str, Any]],
    ) -> None:
        self.name = name
        self.kind = name.rstrip("s")
        self._key = key
        self._columns = columns
        self._encoder = msgspec.json.Encoder()
        self._decoder = msgspec.json.Decoder(record_type)

    def decode(self, doc: bytes) -> R:
        return self._decoder.decode(doc)

    def _values(self, record: R) -> dict[str, Any]:
        values = self._columns(record)
        values["doc"] = self._encoder.encode(record)
        return values

    def insert(self, connection: sqlite3.Connection, record: R) -> R:
        values = self._values(record)
        names = ", ".join(values)
        marks = ", ".join("?" for _ in values)
        connection.execute(
            f"INSERT INTO {self.name} ({names}) VALUES ({marks})",  # noqa: S608
            tuple(values.values()),
        )
        return record

    def update(self, connection: sqlite3.Connection, record: R) -> R:
        values = self._values(record)
        assignments = ", ".join(f"{name} = ?" for name in values if name not in self._key)
        where = " AND ".join(f"{name} = ?" for name in self._key)
        parameters = [value for name, value in values.items() if name not in self._key]
        parameters.extend(values[name] for name in self._key)
        connection.execute(
            f"UPDATE {self.name} SET {assignments} WHERE {where}",  # noqa: S608
            parameters,
        )
        return record

    def select(
        self, connection: sqlite3.Connection, tail: str, parameters: Sequence[Any] = ()
    ) -> list[R]:
        """Records matching ``SELECT doc FROM table {tail}``."""
        rows = connection.execute(f"SELECT doc FROM {self.name} {tail}", parameters)  # noqa: S608
        return [self._decoder.decode(row[0]) for row in rows]

    def find(self, connection: sqlite3.Connection, *key: Any) -> R | None:
        where = " AND ".join(f"{name} = ?" for name in self._key)
        found = self.select(connection, f"WHERE {where}", key)
        return found[0] if found else None

    def require(self, connection: sqlite3.Connection, *key: Any) -> R:
        record = self.find(connection, *key)
        if record is None:
            raise NotFound(self.kind, ":".join(map(str, key)))
        return record

    def modify(
        self, connection: sqlite3.Connection, key: Sequence[Any], change: Callable[[R], R]
    ) -> R:
        """Load by primary key (``NotFound``), apply ``change``, store and return the result."""
        return self.update(connection, change(self.require(connection, *key)))


def conflict_from(error: sqlite3.IntegrityError, fields: dict[str, str]) -> Conflict:
    """Map a unique-constraint failure to ``Conflict`` naming the rule.

    ``fields`` maps ``table.column`` (the first column of the constraint) to a field name.
    """
    match = _UNIQUE_FAILED.search(str(error))
    column = match.group(1).split(",")[0].strip() if match else ""
    return Conflict(fields.get(column, column or "unique"))


def placeholders(count: int) -> str:
    """``?, ?, ...`` for an IN list of ``count`` values; ``NULL`` (matching nothing) for 0."""
    return ", ".join("?" for _ in range(count)) if count else "NULL"


def trash_page(before: tuple[float, str] | None, limit: int) -> tuple[str, tuple[Any, ...]]:
    """The tail and parameters selecting a page of a table's ``trashed_at`` index, newest
    deletion first, after the ``(trashed_at, id)`` cursor ``before``."""
    order = "ORDER BY trashed_at DESC, id DESC LIMIT ?"
    if before is None:
        return f"WHERE trashed_at IS NOT NULL {order}", (limit,)
    return f"WHERE trashed_at IS NOT NULL AND (trashed_at, id) < (?, ?) {order}", (*before, limit)
