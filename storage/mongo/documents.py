"""Conversions between records and Mongo documents, and the context aggregates share."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import msgspec
from pymongo.database import Database

from storage.errors import NotFound
from storage.keys import IdGenerator
from storage.mongo.executor import MongoExecutor
from storage.mongo.locks import KeyedLocks

if TYPE_CHECKING:
    from storage.mongo.search_queue import SearchWriteQueue

R = TypeVar("R", bound=msgspec.Struct)
Document = dict[str, Any]


class Codec(Generic[R]):
    """Maps a record to a document (``id_field`` becomes ``_id``) plus derived ``extra``."""

    def __init__(
        self,
        record_type: type[R],
        *,
        id_field: str = "id",
        extra: Callable[[R], Document] | None = None,
    ) -> None:
        self._type = record_type
        self._id_field = id_field
        self._extra = extra

    def encode(self, record: R) -> Document:
        document: Document = msgspec.to_builtins(record)
        document["_id"] = document.pop(self._id_field)
        if self._extra is not None:
            document.update(self._extra(record))
        return document

    def decode(self, document: Mapping[str, Any]) -> R:
        fields = dict(document)
        fields[self._id_field] = fields.pop("_id")
        return msgspec.convert(fields, self._type)

    def decode_or_raise(self, document: Mapping[str, Any] | None, kind: str, key: str) -> R:
        if document is None:
            raise NotFound(kind, key)
        return self.decode(document)


@dataclasses.dataclass(frozen=True)
class MongoContext:
    """What every Mongo aggregate shares."""

    database: Database[Document]
    executor: MongoExecutor
    ids: IdGenerator
    clock: Callable[[], float]
    search_writes: SearchWriteQueue
    locks: KeyedLocks = dataclasses.field(default_factory=KeyedLocks)


def in_order(records: Mapping[str, R], ids: list[str]) -> list[R]:
    """The records of ``ids`` that were found, in the order of ``ids``."""
    return [records[record_id] for record_id in ids if record_id in records]
