"""Each HTTP request counted, timed and (when tracing is on) traced, by route template.

Contract of :func:`install_request_metrics`:

* Every HTTP request the app answers is counted once in
  ``topicsflow_http_requests_total{route,method,status}`` and its duration (from the
  request reaching the app to its last byte handed to the server) observed in
  ``topicsflow_http_request_duration_seconds{route,method}``
  (:class:`supervisors.node_metrics.NodeMetrics`).  ``route`` is the matched route's
  template (``/api/rooms/<room_id>``), never the raw path: the label's values are bounded
  by the app's routes.  A path no route matches (404, 405) is ``unmatched``; a request
  whose handler failed before answering counts as status 500.
* With tracing on (:mod:`supervisors.tracing`) the request runs under a server span named
  ``<METHOD> <route template>`` with the request id, the route and the status; the
  actors and store calls it reaches continue that trace.  With tracing off no span code
  runs.
* WebSockets are not counted here (their frames are: :mod:`topicsflow.node.observed_realtime`).

It sits inside the request-id middleware, so the id is known when the span opens.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final, cast

from quart import Quart, request

from http_facade.context import EXTENSION_KEY, FacadeContext
from services.logging_setup import REQUEST_ID
from supervisors import tracing
from supervisors.node_metrics import UNMATCHED_ROUTE, NodeMetrics

ROUTE_KEY: Final = "topicsflow.route"
"""Where the matched route's template is left in the ASGI scope for the middleware."""

Scope = Mapping[str, Any]
Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]
AsgiApplication = Callable[[Any, Receive, Send], Awaitable[None]]


class RequestMetricsMiddleware:
    """The ASGI wrapper behind :func:`install_request_metrics`."""

    def __init__(self, application: AsgiApplication, metrics: NodeMetrics) -> None:
        self._application = application
        self._metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._application(scope, receive, send)
            return
        status = 500

        async def send_observed(message: Mapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        method = str(scope.get("method", "GET"))
        started = time.perf_counter()
        try:
            if tracing.enabled():
                await self._traced(scope, receive, send_observed, method, lambda: status)
            else:
                await self._application(scope, receive, send_observed)
        finally:
            route = scope.get(ROUTE_KEY, UNMATCHED_ROUTE)
            self._metrics.observe_request(route, method, status, time.perf_counter() - started)

    async def _traced(
        self, scope: Scope, receive: Receive, send: Send, method: str,
        status: Callable[[], int],
    ) -> None:
        with tracing.request_span(
            method, REQUEST_ID.get(), {"http.request.method": method}
        ) as span:
            try:
                await self._application(scope, receive, send)
            finally:
                if span is not None:
                    route = scope.get(ROUTE_KEY, UNMATCHED_ROUTE)
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
                    span.set_attribute("http.response.status_code", status())


async def _remember_route() -> None:
    rule = request.url_rule
    if rule is not None:
        scope = cast(dict[str, Any], request.scope)
        scope[ROUTE_KEY] = rule.rule


def install_request_metrics(app: Quart) -> None:
    """Count, time and trace the app's requests (see the module docstring); nothing when
    the node has no monitor (bare apps of unit tests).  Install it before the request-id
    middleware, so that one wraps this one."""
    context = cast(FacadeContext, app.extensions[EXTENSION_KEY])
    if context.monitor is None:
        return
    # First of the before-request functions: a request refused by a later one keeps its route.
    app.before_request_funcs.setdefault(None, []).insert(0, _remember_route)
    app.asgi_app = RequestMetricsMiddleware(  # type: ignore[method-assign]
        app.asgi_app, context.monitor.metrics
    )
