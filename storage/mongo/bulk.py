"""Bulk writes in bounded chunks.

FerretDB 1.24 keeps the query of every statement of an ``update`` command open until the
whole command is done (``defer`` inside the statement loop of its ``update`` handler),
and each open query holds one of its backend connections.  A command with as many
update statements as the backend pool has connections (50 on PostgreSQL by default, 100
on SQLite) therefore waits forever for a connection that only it could release, and
FerretDB stops serving from then on; several concurrent commands can do the same
together.  Measured on the test server: 49 statements per command answer, 50 never do
(PostgreSQL); 99 and 100 (SQLite).  ``insert`` and ``delete`` commands close each
statement's query as they go and are not affected.

Every bulk write of the store goes through :func:`bulk_write_chunked`, at most
:data:`CHUNK` requests per command, so that the executor's threads together hold far
fewer connections than the pool has (16 threads times 8 is 128; ``scripts/services.py`` gives
FerretDB 300).  MongoDB itself is indifferent to the split.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pymongo.collection import Collection

from storage.mongo.documents import Document

CHUNK = 8


def bulk_write_chunked(collection: Collection[Document], requests: Sequence[Any], *,
                       ordered: bool) -> None:
    """``collection.bulk_write(requests)`` (blocking), :data:`CHUNK` requests per command.

    ``ordered`` keeps its meaning across chunks: an error stops the ordered bulk at the
    failing request; an unordered bulk raises the first chunk's error after that chunk.
    """
    for start in range(0, len(requests), CHUNK):
        collection.bulk_write(list(requests[start:start + CHUNK]), ordered=ordered)
