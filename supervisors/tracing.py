"""Traces with OpenTelemetry, when ``TOPICSFLOW_OTLP_ENDPOINT`` is set; nothing otherwise.

One trace follows one request through the node:

* the facade opens a **request span** per REST request
  (:class:`http_facade.middleware.request_metrics.RequestMetricsMiddleware`) and per
  WebSocket request frame (:class:`topicsflow.node.observed.ObservedFrameRouter`), with
  the request id as the ``topicsflow.request_id`` attribute;
* an ask or tell made while a span is current carries that span's context in its
  envelope (:func:`capture`, ``Envelope.trace``); the actor's **turn span** continues it
  (:func:`turn_span`) — the actor runs in a task of its own, so the context could not
  travel any other way;
* each store call made under a span opens a **store span**
  (:func:`child_span`, :mod:`topicsflow.node.observed_store`).

Every span below the request span carries the same request id.

Cost when off: :func:`capture` returns ``None`` after one global check, the envelope's
``trace`` stays ``None`` and the runtime takes its untraced path; :func:`child_span`
returns one shared no-op context manager.  ``opentelemetry`` is imported only by
:func:`install` and :func:`open_tracing`, so a node without the variable never imports it.

:func:`install` takes any SDK ``TracerProvider`` (tests give one with an in-memory
exporter); the node uses :func:`open_tracing`.  The tracer is process-wide, like the
exporter it feeds.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any, Final

import trio

if TYPE_CHECKING:
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.trace import Span, Tracer

REQUEST_ID_ATTRIBUTE: Final = "topicsflow.request_id"
_NO_SPAN: Final[contextlib.nullcontext[None]] = contextlib.nullcontext()

_tracer: Tracer | None = None
_request_id_key: str = ""


def enabled() -> bool:
    """Whether spans are being recorded."""
    return _tracer is not None


def install(provider: TracerProvider) -> None:
    """Record spans with ``provider`` from now on (replaces any previous one)."""
    global _tracer, _request_id_key
    from opentelemetry import context

    _request_id_key = context.create_key(REQUEST_ID_ATTRIBUTE)
    _tracer = provider.get_tracer("topicsflow")


def uninstall() -> None:
    """Stop recording spans (the provider is left to its owner)."""
    global _tracer
    _tracer = None


@contextlib.asynccontextmanager
async def open_tracing(endpoint: str | None, node: str) -> AsyncIterator[None]:
    """Export spans to the OTLP/HTTP ``endpoint`` for the block (nothing when ``None``).

    On exit the provider flushes what it holds and shuts down, in a worker thread.
    """
    if endpoint is None:
        yield
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create({"service.name": "topicsflow", "service.instance.id": node})
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    install(provider)
    try:
        yield
    finally:
        uninstall()
        with trio.CancelScope(shield=True):
            await trio.to_thread.run_sync(provider.shutdown)


def capture() -> object | None:
    """The current trace context to carry in an envelope; ``None`` when tracing is off or
    no span is being recorded (a tell from a background task starts no trace)."""
    if _tracer is None:
        return None
    from opentelemetry import context, trace

    if not trace.get_current_span().is_recording():
        return None
    return context.get_current()


@contextlib.contextmanager
def request_span(
    name: str, request_id: str | None, attributes: dict[str, Any] | None = None
) -> Iterator[Span | None]:
    """A server span for one request (``None`` is yielded when tracing is off)."""
    tracer = _tracer
    if tracer is None:
        yield None
        return
    from opentelemetry import context, trace

    token = context.attach(context.set_value(_request_id_key, request_id))
    try:
        with tracer.start_as_current_span(
            name, kind=trace.SpanKind.SERVER,
            attributes={REQUEST_ID_ATTRIBUTE: request_id or "", **(attributes or {})},
        ) as span:
            yield span
    finally:
        context.detach(token)


@contextlib.contextmanager
def turn_span(parent: object, address: str, message: object) -> Iterator[Span | None]:
    """The span of an actor's turn on a message whose envelope carried ``parent``."""
    tracer = _tracer
    if tracer is None:
        yield None
        return
    from opentelemetry import context

    token = context.attach(parent)  # type: ignore[arg-type]  # what capture() returned
    try:
        with tracer.start_as_current_span(
            f"actor {address.partition('/')[0]}",
            attributes={
                "topicsflow.actor": address,
                "topicsflow.message": type(message).__name__,
                REQUEST_ID_ATTRIBUTE: _request_id() or "",
            },
        ) as span:
            yield span
    finally:
        context.detach(token)


def child_span(name: str) -> contextlib.AbstractContextManager[object]:
    """A span named ``name`` under the current one; a shared no-op when tracing is off or
    no span is current (store calls of background work start no trace)."""
    tracer = _tracer
    if tracer is None:
        return _NO_SPAN
    from opentelemetry import trace

    if not trace.get_current_span().is_recording():
        return _NO_SPAN
    return tracer.start_as_current_span(
        name, kind=trace.SpanKind.CLIENT, attributes={REQUEST_ID_ATTRIBUTE: _request_id() or ""}
    )


def record_failure(span: Span | None, error: BaseException | None) -> None:
    """Mark ``span`` failed with ``error`` (no-op for either ``None``)."""
    if span is None or error is None:
        return
    from opentelemetry.trace import Status, StatusCode

    span.record_exception(error)
    span.set_status(Status(StatusCode.ERROR, type(error).__name__))


def _request_id() -> str | None:
    from opentelemetry import context

    value = context.get_value(_request_id_key)
    return value if isinstance(value, str) else None
