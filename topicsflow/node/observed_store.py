"""The store as the node uses it: every async call of every aggregate timed and traced.

:func:`observe_store` wraps the store opened by :func:`storage.open_store` at the
composition root, so neither backend knows about metrics.  ``store.messages.append(…)``
through the wrapper:

* observes its duration in ``topicsflow_store_operation_duration_seconds`` with the
  label ``messages.append`` (failures too: a timeout is latency an operator must see);
* runs under a store span (:func:`supervisors.tracing.child_span`) when a trace is current.

Cost: the wrapper of each method is built on its first use and kept as an attribute of
the aggregate's proxy, so later calls find it directly (no ``__getattr__``); a call then
costs the clock reads, one histogram observation and the tracing check.  Parts of an
aggregate (``store.rooms.members``) are observed the same way (``rooms.members.invite``);
plain values and sync methods (``backend``) pass through untouched.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

from prometheus_client import Histogram

from storage import Store
from supervisors import tracing
from supervisors.node_metrics import NodeMetrics

_PLAIN = (str, bytes, int, float, bool, type(None))


def _timed(
    method: Callable[..., Awaitable[Any]], operation: str, histogram: Histogram
) -> Callable[..., Awaitable[Any]]:
    observe = histogram.observe
    clock = time.perf_counter

    @functools.wraps(method)
    async def timed(*args: Any, **kwargs: Any) -> Any:
        started = clock()
        try:
            with tracing.child_span(operation):
                return await method(*args, **kwargs)
        finally:
            observe(clock() - started)

    return timed


class ObservedAggregate:
    """One aggregate (``store.users``…) whose async methods are timed; see the module."""

    def __init__(self, name: str, target: object, metrics: NodeMetrics) -> None:
        self._name = name
        self._target = target
        self._metrics = metrics

    def __getattr__(self, attribute: str) -> Any:
        if attribute.startswith("__") or attribute in ("_name", "_target", "_metrics"):
            raise AttributeError(attribute)
        value = getattr(self._target, attribute)
        if attribute.startswith("_"):
            return value  # the backend's internals: not the aggregate's API
        operation = f"{self._name}.{attribute}"
        if inspect.iscoroutinefunction(value):
            wrapped: Any = _timed(value, operation, self._metrics.store_child(operation))
        elif isinstance(value, _PLAIN) or callable(value):
            return value
        else:  # a part of the aggregate (``rooms.members``): observed the same way
            wrapped = ObservedAggregate(operation, value, self._metrics)
        setattr(self, attribute, wrapped)  # found directly from now on
        return wrapped

    def __repr__(self) -> str:
        return f"ObservedAggregate({self._name}, {self._target!r})"


class ObservedStore:
    """The store with :class:`ObservedAggregate` in place of each aggregate."""

    def __init__(self, store: Store, metrics: NodeMetrics) -> None:
        self._store = store
        self._metrics = metrics

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in ("_store", "_metrics"):
            raise AttributeError(name)
        value = getattr(self._store, name)
        if name.startswith("_"):
            return value
        asynchronous = inspect.iscoroutinefunction(value)
        if isinstance(value, _PLAIN) or (callable(value) and not asynchronous):
            return value
        if asynchronous:
            operation = f"store.{name}"
            wrapped: Any = _timed(value, operation, self._metrics.store_child(operation))
        else:
            wrapped = ObservedAggregate(name, value, self._metrics)
        setattr(self, name, wrapped)
        return wrapped

    @property
    def unobserved(self) -> Store:
        """The store underneath (its backend's own object)."""
        return self._store


def observe_store(store: Store, metrics: NodeMetrics) -> Store:
    """``store`` with its calls timed and traced (typed as the ``Store`` it stands for)."""
    return cast(Store, ObservedStore(store, metrics))
