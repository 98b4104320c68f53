"""WebSocket traffic as the node measures it, without the session knowing.

* :class:`NodeFrameCounter` is the sessions' frame counter (``SessionServices``): every
  client frame decoded, by type, in ``topicsflow_ws_frames_in_total``, and every frame a
  session writes itself (replies, errors, pongs, goodbyes) in
  ``topicsflow_ws_frames_out_total``.
* :class:`ObservedFrameRouter` wraps the node's frame router (every request frame the
  domains serve: ``send_message``, ``create_post``…): when tracing is on, it opens the
  frame's request span, named ``ws <type>`` and carrying
  ``<connection request id>:<frame id>``.
* :class:`ObservedHub` and :class:`ObservedClusterHub` count the event frames delivered to
  connections by type in ``topicsflow_ws_frames_out_total`` (one per subscriber that took
  the event), on top of the hub's own totals.

Frame types are the protocol's tags, a closed set: the labels stay bounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from prometheus_client import Counter

from actors.realtime.hub import Hub, Subscriber
from actors.realtime.ports import FrameRouter
from protocol.broadcast import BroadcastFrame
from protocol.client_frames import ClientFrame
from protocol.control_frames import AnyAckResult
from protocol.server_frames import ServerFrame
from services.logging_setup import REQUEST_ID
from services.principal import Principal
from supervisors import tracing
from supervisors.cluster.fanout import ClusterHub
from supervisors.node_metrics import NodeMetrics

_TAGS: dict[type, str] = {}


def frame_tag(frame: object) -> str:
    """The wire tag of a protocol frame (``send_message``), its class name otherwise."""
    kind = type(frame)
    tag = _TAGS.get(kind)
    if tag is None:
        config = getattr(kind, "__struct_config__", None)
        found = getattr(config, "tag", None)
        tag = _TAGS[kind] = found if isinstance(found, str) else kind.__name__
    return tag


class NodeFrameCounter:
    """:class:`~actors.realtime.ports.FrameCounter` into the node's metrics: every frame a
    connection reads, and every frame a session writes itself, by type (one labelled
    counter per type, found once)."""

    def __init__(self, metrics: NodeMetrics) -> None:
        self._metrics = metrics
        self._in: dict[type, Counter] = {}
        self._out: dict[type, Counter] = {}

    def frame_in(self, frame: ClientFrame) -> None:
        counter = self._in.get(type(frame))
        if counter is None:
            counter = self._in[type(frame)] = self._metrics.frame_in_child(frame_tag(frame))
        counter.inc()

    def frame_out(self, frame: ServerFrame) -> None:
        counter = self._out.get(type(frame))
        if counter is None:
            counter = self._out[type(frame)] = self._metrics.frame_out_child(frame_tag(frame))
        counter.inc()


class ObservedFrameRouter:
    """A :class:`~actors.realtime.ports.FrameRouter` that traces; see the module."""

    def __init__(self, router: FrameRouter, metrics: NodeMetrics) -> None:
        self._router = router
        self._metrics = metrics

    async def handle(self, principal: Principal, frame: ClientFrame) -> AnyAckResult | None:
        if not tracing.enabled():
            return await self._router.handle(principal, frame)
        tag = frame_tag(frame)
        with tracing.request_span(
            f"ws {tag}", f"{REQUEST_ID.get()}:{frame.id}", {"topicsflow.frame": tag}
        ):
            return await self._router.handle(principal, frame)


def _count_out(metrics: NodeMetrics, events: Sequence[BroadcastFrame], delivered: int) -> None:
    if delivered:
        for event in events:
            metrics.count_frames_out(frame_tag(event.frame), delivered)


class ObservedHub(Hub):
    """A single node's hub that counts delivered frames by type."""

    def __init__(self, metrics: NodeMetrics) -> None:
        super().__init__()
        self._metrics = metrics

    def _deliver(
        self, channel: str, members: Iterable[Subscriber], events: Sequence[BroadcastFrame]
    ) -> int:
        delivered = super()._deliver(channel, members, events)
        _count_out(self._metrics, events, delivered)
        return delivered


class ObservedClusterHub(ClusterHub):
    """A cluster node's hub that counts delivered frames by type (relayed ones too)."""

    def __init__(self, node_id: str, metrics: NodeMetrics) -> None:
        super().__init__(node_id)
        self._metrics = metrics

    def _deliver(
        self, channel: str, members: Iterable[Subscriber], events: Sequence[BroadcastFrame]
    ) -> int:
        delivered = super()._deliver(channel, members, events)
        _count_out(self._metrics, events, delivered)
        return delivered
