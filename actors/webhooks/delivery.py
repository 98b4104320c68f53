"""One delivery attempt over HTTP, and the retry schedule.

Contract:

* :func:`attempt` resolves the target again and checks every address
  (:func:`services.webhook_targets.resolve_public`), then POSTs the body to the first
  checked address itself — ``Host`` and the TLS server name stay the URL's host — so DNS
  rebinding cannot redirect it.  Redirects are not followed.  A 2xx answer is
  ``delivered``; any other answer, a timeout or a network error is ``failed``; a refused
  target or an unusable secret is ``refused``.  Of the answer at most
  :data:`READ_LIMIT` bytes are read and :data:`~storage.records.webhooks.EXCERPT_CHARS`
  characters kept.  The whole attempt is bounded by ``deadline_seconds``.
* :func:`retry_delay` is exponential with jitter: attempt ``n`` (1-based) waits
  ``min(cap, base * 2**(n-1))`` scaled by a uniform factor in [0.5, 1).
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable

import httpx
import trio

from services.webhook_signing import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
)
from services.webhook_targets import TargetRefused, resolve_public
from storage.records.webhooks import EXCERPT_CHARS, AttemptOutcome

READ_LIMIT = 1024
USER_AGENT = "TopicsFlow-Webhooks/1"


@dataclasses.dataclass(frozen=True, slots=True)
class AttemptResult:
    """What one attempt gave."""

    outcome: AttemptOutcome
    status_code: int | None = None
    latency_ms: int = 0
    error: str = ""
    response_excerpt: str = ""


async def attempt(
    client: httpx.AsyncClient,
    *,
    url: str,
    secret: str,
    delivery_id: str,
    event: str,
    body: bytes,
    allow_private: bool,
    deadline_seconds: float,
    wall_clock: Callable[[], float] = time.time,
) -> AttemptResult:
    """POST ``body`` signed with ``secret`` to ``url`` (see the module docstring)."""
    started = trio.current_time()

    def elapsed_ms() -> int:
        return int((trio.current_time() - started) * 1000)

    with trio.move_on_after(deadline_seconds) as scope:
        try:
            addresses = await resolve_public(url, allow_private=allow_private)
        except TargetRefused as error:
            return AttemptResult("refused", latency_ms=elapsed_ms(), error=str(error))
        target = httpx.URL(url)
        timestamp = int(wall_clock())
        headers = {
            "Host": target.netloc.decode("ascii"),
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            DELIVERY_HEADER: delivery_id,
            EVENT_HEADER: event,
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signature(secret, timestamp, body),
        }
        request = client.build_request(
            "POST",
            target.copy_with(host=str(addresses[0])),
            content=body,
            headers=headers,
            extensions={"sni_hostname": target.host},
        )
        try:
            response = await client.send(request, stream=True, follow_redirects=False)
            try:
                excerpt = await _read_excerpt(response)
            finally:
                await response.aclose()
        except httpx.HTTPError as error:
            return AttemptResult(
                "failed", latency_ms=elapsed_ms(), error=_describe(error)
            )
        outcome: AttemptOutcome = "delivered" if 200 <= response.status_code < 300 else "failed"
        return AttemptResult(
            outcome,
            status_code=response.status_code,
            latency_ms=elapsed_ms(),
            error="" if outcome == "delivered" else f"HTTP {response.status_code}",
            response_excerpt=excerpt,
        )
    assert scope.cancelled_caught
    return AttemptResult("failed", latency_ms=elapsed_ms(), error="timed out")


async def _read_excerpt(response: httpx.Response) -> str:
    """At most :data:`READ_LIMIT` bytes of the answer, decoded, cut to the excerpt size."""
    read = bytearray()
    async for chunk in response.aiter_raw():
        read.extend(chunk)
        if len(read) >= READ_LIMIT:
            break
    return bytes(read[:READ_LIMIT]).decode("utf-8", "replace")[:EXCERPT_CHARS]


def _describe(error: httpx.HTTPError) -> str:
    """A short, secret-free description of a network error."""
    return f"{type(error).__name__}: {str(error)[:160]}" if str(error) else type(error).__name__


def retry_delay(
    attempt_number: int, *, base: float, cap: float, rng: Callable[[], float] = random.random
) -> float:
    """Seconds to wait after failed attempt ``attempt_number`` (module docstring)."""
    exponent = min(max(attempt_number - 1, 0), 32)
    return min(cap, base * 2.0**exponent) * (0.5 + rng() / 2)
