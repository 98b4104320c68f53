"""The queue between an ASGI server's reader and one connection's app: a lean memory channel.

Hypercorn hands each WebSocket's received messages to its app through a
``trio.open_memory_channel(max_app_queue_size)`` per connection: ~2.5 KB per idle
connection (a deque block, two ordered dicts, the channel objects and, while the app
waits, a closure and its bookkeeping).  :class:`AppQueue` keeps the same contract in a
few hundred bytes; :mod:`http_facade.websocket.hypercorn_direct` puts it in place of
the channel for WebSocket scopes.

Contract (that of a trio memory channel with ``capacity`` buffered items, whose ends are
never closed, one receiver):

* :meth:`AppQueue.put` queues an item in order, waiting while ``capacity`` items are
  queued (backpressure on the server's reader); :meth:`AppQueue.receive` returns the
  oldest item, waiting while there is none.
* Both are checkpoints: each checks for cancellation first, and yields to the scheduler
  even when it does not wait.  A cancelled ``put`` queued nothing; a cancelled
  ``receive`` took nothing.
* Only one task may wait in :meth:`AppQueue.receive` at a time (another one gets
  :class:`trio.BusyResourceError`).
"""

from __future__ import annotations

from typing import Generic, TypeVar

import trio

Item = TypeVar("Item")


class AppQueue(Generic[Item]):
    """See the module docstring."""

    __slots__ = ("_capacity", "_items", "_receiver", "_room")

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._items: list[Item] = []
        self._receiver: trio.lowlevel.Task | None = None
        self._room: trio.lowlevel.ParkingLot | None = None
        """Putters waiting for room; created by the first one that waits."""

    def __len__(self) -> int:
        return len(self._items)

    async def put(self, item: Item) -> None:
        """Queue ``item``, waiting while the queue is full."""
        await trio.lowlevel.checkpoint_if_cancelled()
        if len(self._items) >= self._capacity:
            if self._room is None:
                self._room = trio.lowlevel.ParkingLot()
            while len(self._items) >= self._capacity:
                await self._room.park()
            self._items.append(item)
            self._wake_receiver()
            return
        self._items.append(item)
        self._wake_receiver()
        await trio.lowlevel.cancel_shielded_checkpoint()

    async def receive(self) -> Item:
        """The oldest queued item, waiting until there is one."""
        await trio.lowlevel.checkpoint_if_cancelled()
        if not self._items:
            if self._receiver is not None:
                raise trio.BusyResourceError("another task is receiving from this queue")
            while not self._items:
                self._receiver = trio.lowlevel.current_task()
                await trio.lowlevel.wait_task_rescheduled(self._abort_receive)
            return self._take()
        item = self._take()
        await trio.lowlevel.cancel_shielded_checkpoint()
        return item

    def _take(self) -> Item:
        item = self._items.pop(0)
        if self._room is not None:
            self._room.unpark()
        return item

    def _wake_receiver(self) -> None:
        receiver = self._receiver
        if receiver is not None:
            self._receiver = None
            trio.lowlevel.reschedule(receiver)

    def _abort_receive(self, _raise_cancel: object) -> trio.lowlevel.Abort:
        self._receiver = None
        return trio.lowlevel.Abort.SUCCEEDED
