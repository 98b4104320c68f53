"""WebRTC call signalling, both directions.

The server relays signalling; media flows peer to peer. A call lives on its own channel
``call:<call_id>``. The flow::

    caller: call_start ─► ack(call_created) ; callee feed user:<id> gets call_ringing
    callee: call_accept ─► call:<id> gets call_state(active)
    both:   call_signal(offer/answer/ice, target) ─► target gets call_signal
    anyone: call_hangup ─► call:<id> gets call_state(ended) once no one is left

Ringing, signals and state are ephemeral: a client that reconnects during a call
subscribes to ``call:<id>`` again and reads the current state over REST.
"""

from protocol.base import ChannelEvent, ClientFrameBase
from protocol.enums import CallMedia, CallState, SignalKind
from protocol.fields import Identifier, Name, ParticipantIds, SignalPayload, TimestampMs


class CallStart(ClientFrameBase, frozen=True, kw_only=True, tag="call_start"):
    """Start a call to one user (``callee_id``) or to the members of a chat room
    (``room_id``); exactly one of them is set. Reply: ``ack`` with ``call_created``.
    """

    callee_id: Identifier | None = None
    room_id: Identifier | None = None
    media: CallMedia = CallMedia.AUDIO

    def __post_init__(self) -> None:
        if (self.callee_id is None) == (self.room_id is None):
            raise ValueError("call_start needs exactly one of callee_id and room_id")


class CallAccept(ClientFrameBase, frozen=True, kw_only=True, tag="call_accept"):
    """Accept a ringing call and join it. Reply: ``ack``."""

    call_id: Identifier


class CallDecline(ClientFrameBase, frozen=True, kw_only=True, tag="call_decline"):
    """Decline a ringing call. Reply: ``ack``."""

    call_id: Identifier


class CallHangup(ClientFrameBase, frozen=True, kw_only=True, tag="call_hangup"):
    """Leave a call (or cancel it while ringing, as the caller). Reply: ``ack``."""

    call_id: Identifier


class CallSignal(ClientFrameBase, frozen=True, kw_only=True, tag="call_signal"):
    """Send WebRTC signalling to one participant of the call. Reply: ``ack`` once the
    server has queued it for the target; delivery is best effort.
    """

    call_id: Identifier
    target_user_id: Identifier
    kind: SignalKind
    payload: SignalPayload


class CallRinging(ChannelEvent, frozen=True, kw_only=True, tag="call_ringing"):
    """Someone calls this user; sent on the callee's ``user:<id>`` channel.

    The call stops ringing at ``expires_at`` unless accepted; a ``call_state`` on the
    call channel reports the outcome.
    """

    call_id: Identifier
    caller_id: Identifier
    room_id: Identifier | None = None
    media: CallMedia
    expires_at: TimestampMs


class CallStateChanged(ChannelEvent, frozen=True, kw_only=True, tag="call_state"):
    """The whole current state of a call, on ``call:<id>``; later snapshots replace earlier
    ones. ``ended_reason`` is set once ``state`` is ``ended`` (see ``CallEndReason``).
    """

    call_id: Identifier
    state: CallState
    participant_ids: ParticipantIds = ()
    ended_reason: Name | None = None


class CallSignalReceived(ChannelEvent, frozen=True, kw_only=True, tag="call_signal"):
    """Signalling from ``from_user_id``, delivered on ``call:<id>`` to its target only."""

    call_id: Identifier
    from_user_id: Identifier
    kind: SignalKind
    payload: SignalPayload
