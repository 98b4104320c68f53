"""What every SQLite aggregate shares: the worker, the id generator and the clock."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from storage.keys import IdGenerator
from storage.sqlite.worker import SqliteWorker


@dataclasses.dataclass(frozen=True)
class SqliteContext:
    worker: SqliteWorker
    ids: IdGenerator
    clock: Callable[[], float]
