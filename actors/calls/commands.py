"""Messages of the call actors (kinds ``call``, ``call_context`` and ``call_alarm``).

* ``call`` (id: the stored call id) owns one call: ringing, participants, relaying
  signals, timeouts, the call log.  See :mod:`actors.calls.call`.
* ``call_context`` (id: the room id or the direct conversation id) allows one live call
  per room or conversation: :class:`OpenCall` starts a call there unless one is live.
* ``call_alarm`` (id: the call id) is the call's clock: a :class:`Pulse` sleeps one
  :data:`PULSE_SECONDS` and answers with a :class:`Tick` to the call, which checks its
  deadlines and pulses again while it is live.

Refusals are :class:`services.errors.DomainError`.
"""

from __future__ import annotations

import msgspec

from protocol.enums import CallMedia, SignalKind

CALL = "call"
CALL_CONTEXT = "call_context"
CALL_ALARM = "call_alarm"

PULSE_SECONDS = 1.0
"""How often a live call checks its deadlines."""
RING_SECONDS = 45.0
"""How long invitees are rung before the invitation lapses."""
LOST_AFTER_SECONDS = 30.0
"""A participant without a subscription to ``call:<id>`` for this long is removed."""


class OpenCall(msgspec.Struct, frozen=True, kw_only=True):
    """To ``call_context``: start a call by ``caller_id`` ringing ``invitee_ids``.

    Replies :class:`protocol.control_frames.CallCreated`; ``conflict`` when a call is live
    in this context.
    """

    caller_id: str
    invitee_ids: tuple[str, ...]
    media: CallMedia
    room_id: str | None = None


class CallClosed(msgspec.Struct, frozen=True, kw_only=True):
    """To ``call_context``, told by a call when it ended."""

    call_id: str


class Ring(msgspec.Struct, frozen=True, kw_only=True):
    """To a new ``call``: ring ``invitee_ids`` on behalf of ``caller_id`` (the first
    participant).  Sent once, by the context, right after the call log entry exists."""

    context_id: str
    caller_id: str
    invitee_ids: tuple[str, ...]
    media: CallMedia
    room_id: str | None = None


class AcceptCall(msgspec.Struct, frozen=True, kw_only=True):
    """An invitee joins the call; ``forbidden`` for anyone not invited."""

    user_id: str


class DeclineCall(msgspec.Struct, frozen=True, kw_only=True):
    """An invitee declines; the call ends once nobody is left to answer."""

    user_id: str


class HangUp(msgspec.Struct, frozen=True, kw_only=True):
    """A participant leaves (the caller cancels while ringing); the call ends when fewer
    than two participants remain and nobody is being rung."""

    user_id: str


class RelaySignal(msgspec.Struct, frozen=True, kw_only=True):
    """Relay signalling from ``user_id`` to ``target_user_id``; both must participate."""

    user_id: str
    target_user_id: str
    kind: SignalKind
    payload: str


class CheckCallAccess(msgspec.Struct, frozen=True, kw_only=True):
    """None when ``user_id`` participates or is being rung; ``forbidden`` otherwise."""

    user_id: str


class IsLive(msgspec.Struct, frozen=True, kw_only=True):
    """True while the call has not ended."""


class Tick(msgspec.Struct, frozen=True, kw_only=True):
    """From the alarm: check the ring deadline and the participants' presence."""


class Pulse(msgspec.Struct, frozen=True, kw_only=True):
    """To ``call_alarm``: wait one pulse, then tell the call a :class:`Tick`."""
