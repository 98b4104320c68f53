"""Map coredis failures to storage errors."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from coredis.exceptions import ConnectionError as RedisConnectionError
from coredis.exceptions import RedisError

from storage.errors import StorageError, StorageUnavailable


@contextlib.contextmanager
def redis_errors() -> Iterator[None]:
    """Lost connections and timeouts become StorageUnavailable, other Redis errors StorageError."""
    try:
        yield
    except (RedisConnectionError, TimeoutError) as error:
        raise StorageUnavailable(f"redis: {error}") from error
    except RedisError as error:
        raise StorageError(f"redis: {error}") from error
