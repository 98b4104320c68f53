"""Wiring of call signalling into the node's domain.

:func:`call_kinds` lists the call actor kinds (``call``, ``call_context``,
``call_alarm``); :func:`call_channels` and :func:`call_routes` what the gateway serves
for ``call:`` subscriptions and the call frames.  :mod:`supervisors.domain` merges them.
"""

from __future__ import annotations

from actors.calls.call import CallActor
from actors.calls.channels import CALL_FRAME_TYPES, CallChannels, CallFrames
from actors.calls.commands import CALL, CALL_ALARM, CALL_CONTEXT
from actors.calls.support import CallAlarmActor, CallContextActor
from actors.realtime.hub import Hub
from actors.realtime.ports import ChannelAccess, FrameRouter
from protocol.channels import ChannelKind
from protocol.client_frames import ClientFrame
from storage.protocols import Store
from supervisors.kind import ActorKind
from supervisors.policy import RestartType
from supervisors.registry import Registry


def call_kinds(store: Store, hub: Hub, *, cluster: bool = False) -> list[ActorKind]:
    """The actor kinds of calls; a call stops itself once ended (``transient``).  With
    ``cluster``, a call also counts participants connected to other nodes."""
    return [
        ActorKind(
            CALL,
            lambda context: CallActor(context, store, hub, cluster=cluster),
            mailbox_capacity=128,
            idle_timeout=120.0,
            restart=RestartType.TRANSIENT,
        ),
        ActorKind(
            CALL_CONTEXT,
            lambda context: CallContextActor(context, store),
            mailbox_capacity=32,
            idle_timeout=3600.0,
        ),
        ActorKind(
            CALL_ALARM,
            CallAlarmActor,
            mailbox_capacity=4,
            idle_timeout=10.0,
        ),
    ]


def call_channels(registry: Registry) -> dict[ChannelKind, ChannelAccess]:
    """Channel access of ``call:`` channels."""
    return {ChannelKind.CALL: CallChannels(registry.ref)}


def call_routes(store: Store, registry: Registry) -> dict[type[ClientFrame], FrameRouter]:
    """The router of every call frame type."""
    frames = CallFrames(registry.ref, store)
    return dict.fromkeys(CALL_FRAME_TYPES, frames)
