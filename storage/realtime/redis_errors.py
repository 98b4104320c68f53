"""Map coredis failures to storage errors, under the Redis dependency's gate."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from coredis.exceptions import ConnectionError as RedisConnectionError
from coredis.exceptions import RedisError

from storage.dependency import DependencyGate
from storage.errors import StorageError, StorageUnavailable


@contextlib.contextmanager
def redis_errors(gate: DependencyGate | None = None) -> Iterator[None]:
    """Lost connections and timeouts become StorageUnavailable, other Redis errors
    StorageError.  With ``gate`` (every single call), the call is also cut at the gate's
    deadline and refused at once while its breaker is open; long-lived subscriptions go
    without one."""
    if gate is None:
        with _mapped():
            yield
        return
    with gate.call(), _mapped():
        yield


@contextlib.contextmanager
def _mapped() -> Iterator[None]:
    try:
        yield
    except (RedisConnectionError, TimeoutError) as error:
        raise StorageUnavailable(f"redis: {error}", timed_out=True) from error
    except RedisError as error:
        raise StorageError(f"redis: {error}") from error
