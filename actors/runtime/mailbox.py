"""The mailbox: a bounded trio memory channel of envelopes, owned by an activation.

The mailbox outlives the actor instances that read it (restarts keep it), and is
closed only when its activation retires: :func:`close_mailbox` then fails every queued
ask with the error the activation gives and counts the tells it drops.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import trio

from actors.runtime.messages import Envelope

WAKE: Final = Envelope(None)
"""Runtime-internal envelope that wakes a parked actor to look at its stop request or
idle deadline; never handed to ``on_receive``."""

MailboxSender = trio.MemorySendChannel[Envelope]
MailboxReceiver = trio.MemoryReceiveChannel[Envelope]


def open_mailbox(capacity: int) -> tuple[MailboxSender, MailboxReceiver]:
    """A mailbox holding at most ``capacity`` envelopes."""
    return trio.open_memory_channel[Envelope](capacity)


def has_mail(sender: MailboxSender) -> bool:
    """Whether envelopes are buffered or senders are waiting for room."""
    statistics = sender.statistics()
    return statistics.current_buffer_used > 0 or statistics.tasks_waiting_send > 0


def close_mailbox(
    sender: MailboxSender, receiver: MailboxReceiver, error: Callable[[], Exception]
) -> int:
    """Close both ends; fail each queued ask with ``error()``; return the tells dropped.

    Senders still waiting for room get ``trio.ClosedResourceError`` (the registry then
    delivers to the address's next activation).
    """
    sender.close()
    dropped = 0
    while True:
        try:
            envelope = receiver.receive_nowait()
        except (trio.WouldBlock, trio.EndOfChannel):
            break
        if envelope.reply is not None:
            envelope.reply.fail(error())
        elif envelope is not WAKE:
            dropped += 1
    receiver.close()
    return dropped
