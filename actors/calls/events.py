"""What a call tells the world: its ephemeral events and its notifications.

Contract: :func:`publish_ringing` sends ``call_ringing`` to each invitee's ``user:``
channel; :func:`publish_state` the whole ``call_state`` on ``call:<id>``;
:func:`deliver_signal` a ``call_signal`` on ``call:<id>`` to the target user's
subscriptions only, on every node (:meth:`~actors.realtime.hub.Hub.publish_to_user`).
:func:`call_notice` builds the stored ``call`` / ``missed_call`` notifications.
"""

from __future__ import annotations

from collections.abc import Iterable

from actors.realtime.hub import Hub
from actors.users.notification_feed import Notify
from protocol.broadcast import BroadcastFrame
from protocol.call_frames import CallRinging, CallSignalReceived, CallStateChanged
from protocol.channels import ChannelKind, channel_name
from protocol.enums import CallMedia, CallState, NotificationKind, SignalKind


def publish_ringing(
    hub: Hub,
    invitee_ids: Iterable[str],
    *,
    call_id: str,
    caller_id: str,
    room_id: str | None,
    media: CallMedia,
    expires_at_ms: int,
) -> None:
    """``call_ringing`` on the ``user:`` channel of each invitee."""
    for invitee in invitee_ids:
        channel = channel_name(ChannelKind.USER, invitee)
        hub.publish(
            channel,
            BroadcastFrame(
                CallRinging(
                    channel=channel,
                    call_id=call_id,
                    caller_id=caller_id,
                    room_id=room_id,
                    media=media,
                    expires_at=expires_at_ms,
                )
            ),
        )


def publish_state(
    hub: Hub,
    call_id: str,
    state: CallState,
    participant_ids: Iterable[str],
    *,
    ended_reason: str | None = None,
) -> None:
    """The whole state of the call on ``call:<id>``."""
    channel = channel_name(ChannelKind.CALL, call_id)
    hub.publish(
        channel,
        BroadcastFrame(
            CallStateChanged(
                channel=channel,
                call_id=call_id,
                state=state,
                participant_ids=tuple(sorted(participant_ids)),
                ended_reason=ended_reason,
            )
        ),
    )


def deliver_signal(
    hub: Hub,
    call_id: str,
    *,
    from_user_id: str,
    target_user_id: str,
    kind: SignalKind,
    payload: str,
) -> None:
    """``call_signal`` to ``target_user_id``'s subscriptions of ``call:<id>`` only."""
    channel = channel_name(ChannelKind.CALL, call_id)
    signal = CallSignalReceived(
        channel=channel,
        call_id=call_id,
        from_user_id=from_user_id,
        kind=kind,
        payload=payload,
    )
    hub.publish_to_user(channel, target_user_id, BroadcastFrame(signal))


def call_notice(call_id: str, caller_id: str, *, missed: bool) -> Notify:
    """The stored notification of an incoming (or, with ``missed``, a missed) call."""
    return Notify(
        kind=NotificationKind.MISSED_CALL if missed else "call",
        title="Missed call" if missed else "Incoming call",
        actor_id=caller_id,
        subject=channel_name(ChannelKind.CALL, call_id),
        object_id=call_id,
    )
