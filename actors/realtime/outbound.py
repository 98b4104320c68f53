"""A connection's bounded outbound queue, drained by one writer a whole batch at a time.

Contract:

* At most ``capacity`` items are queued.  :meth:`OutboundQueue.put_nowait` never waits:
  it returns False when the queue is full (the caller treats the connection as a slow
  consumer); :meth:`OutboundQueue.put` waits for room (backpressure on the reader).
* Once :meth:`OutboundQueue.close` is called, puts are silently dropped and the writer
  gets what was queued before, then an empty batch: the end.
* :meth:`OutboundQueue.take_all` hands the single writer every queued item at once, in
  order, so it can write them in one system call; items stay visible (``len``) until the
  writer takes them.  A writer that is already parked is woken directly, without an
  :class:`trio.Event` or a memory channel per connection.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import trio

Item = TypeVar("Item")


class OutboundQueue(Generic[Item]):
    """See the module docstring.  Only one task may call :meth:`take_all`."""

    __slots__ = ("_capacity", "_closed", "_items", "_room", "_writer")

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._items: list[Item] = []  # taken whole by the writer, so never popped from the left
        self._closed = False
        self._writer: trio.lowlevel.Task | None = None
        self._room: trio.lowlevel.ParkingLot | None = None

    def __len__(self) -> int:
        return len(self._items)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closed

    def put_nowait(self, item: Item) -> bool:
        """Queue ``item``; False (nothing queued) when full, True otherwise (also closed)."""
        if self._closed:
            return True
        if len(self._items) >= self._capacity:
            return False
        self._items.append(item)
        self._wake_writer()
        return True

    async def put(self, item: Item) -> None:
        """Queue ``item``, waiting while the queue is full; dropped once closed."""
        await trio.lowlevel.checkpoint_if_cancelled()
        while not self._closed and len(self._items) >= self._capacity:
            if self._room is None:
                self._room = trio.lowlevel.ParkingLot()
            await self._room.park()
        if not self._closed:
            self._items.append(item)
            self._wake_writer()

    async def take_all(self) -> list[Item]:
        """Every queued item, waiting until there is one; ``[]`` once closed and empty."""
        await trio.lowlevel.checkpoint_if_cancelled()
        while not self._items and not self._closed:
            self._writer = trio.lowlevel.current_task()
            await trio.lowlevel.wait_task_rescheduled(self._abort_wait)
        batch, self._items = self._items, []
        if self._room is not None:
            self._room.unpark_all()
        return batch

    def close(self) -> None:
        """No more items: the writer drains what is queued; waiting putters return."""
        self._closed = True
        self._wake_writer()
        if self._room is not None:
            self._room.unpark_all()

    def _wake_writer(self) -> None:
        writer = self._writer
        if writer is not None:
            self._writer = None
            trio.lowlevel.reschedule(writer)

    def _abort_wait(self, _raise_cancel: object) -> trio.lowlevel.Abort:
        self._writer = None
        return trio.lowlevel.Abort.SUCCEEDED
