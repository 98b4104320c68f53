"""Mongo pictures: one document per subject, keyed by it (no further index)."""

from __future__ import annotations

from collections.abc import Sequence

from pymongo import ReturnDocument

from storage.mongo.documents import Codec, MongoContext
from storage.records.pictures import Picture

PICTURES = Codec(Picture, id_field="subject")
MAX_LOOKUP = 1000
"""Subjects per :meth:`MongoPictures.versions` query."""


class MongoPictures:
    def __init__(self, context: MongoContext) -> None:
        self._collection = context.database["pictures"]
        self._call = context.executor.call

    async def put(self, picture: Picture) -> Picture | None:
        document = PICTURES.encode(picture)
        earlier = await self._call(
            lambda: self._collection.find_one_and_replace(
                {"_id": picture.subject},
                document,
                upsert=True,
                return_document=ReturnDocument.BEFORE,
            )
        )
        return None if earlier is None else PICTURES.decode(earlier)

    async def get(self, subject: str) -> Picture:
        found = await self._call(lambda: self._collection.find_one({"_id": subject}))
        return PICTURES.decode_or_raise(found, "picture", subject)

    async def delete(self, subject: str) -> Picture:
        found = await self._call(lambda: self._collection.find_one_and_delete({"_id": subject}))
        return PICTURES.decode_or_raise(found, "picture", subject)

    async def versions(self, subjects: Sequence[str]) -> dict[str, str]:
        wanted = list(dict.fromkeys(subjects))[:MAX_LOOKUP]
        if not wanted:
            return {}
        found = await self._call(
            lambda: list(
                self._collection.find({"_id": {"$in": wanted}}, {"_id": 1, "version": 1})
            )
        )
        return {document["_id"]: document["version"] for document in found}
