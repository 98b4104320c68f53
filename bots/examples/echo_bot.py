"""An example integration: a bot that answers ``!echo <text>`` in chat rooms, built from
nothing but a bearer token, the REST API and an outgoing webhook.

How it works (bots/examples/README.md has the set-up):

1. A room's owner subscribes the bot's URL to the room's ``message_created`` events
   (``POST /api/webhooks``) and hands the bot the signing secret.
2. For every delivery the bot checks the signature (HMAC-SHA256 over the timestamp and
   the body, :func:`services.webhook_signing.verify`) and refuses unsigned or stale ones
   with 401; it answers duplicates (a delivery id it already handled) with 200 at once.
3. For ``!echo <text>`` it posts ``<text>`` to the room over REST
   (``POST /api/chat-rooms/<id>/messages``) with its token and an ``Idempotency-Key``
   derived from the delivery id, so a redelivered event never posts twice.  If the REST
   call fails with a server error the bot answers 503, and the server retries later.

Run it::

    TOPICSFLOW_TOKEN=… TOPICSFLOW_WEBHOOK_SECRET=whsec_… \\
        python -m bots.examples.echo_bot --api http://127.0.0.1:8000 --listen 127.0.0.1:8787
"""

from __future__ import annotations

import argparse
import collections
import json
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import trio
from hypercorn.config import Config
from hypercorn.trio import serve

from services.webhook_signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify

logger = logging.getLogger(__name__)

PREFIX = "!echo "
MAX_BODY_BYTES = 256 * 1024
SEEN_LIMIT = 10_000
"""Delivery ids remembered for de-duplication (the oldest are forgotten first)."""

Scope = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[dict[str, Any]], Any]


class EchoBot:
    """The webhook receiver, as an ASGI application (module docstring)."""

    def __init__(
        self, api: httpx.AsyncClient, secret: str, *, clock: Callable[[], float] = time.time
    ) -> None:
        """``api``: a client whose base URL is the node and whose headers carry
        ``Authorization: Bearer <token>``; ``secret``: the webhook's signing secret."""
        self.api = api
        self.secret = secret
        self.clock = clock
        self.replies: list[tuple[str, str]] = []
        """(room id, text) of every echo posted, in order."""
        self.replied = trio.Event()
        """Set after each echo posted (replaced by a fresh event), for callers that wait."""
        self._seen: collections.OrderedDict[str, None] = collections.OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http" or scope["method"] != "POST":
            await _answer(send, 405)
            return
        body = await _read_body(receive)
        if body is None:
            await _answer(send, 413)
            return
        headers = {name.decode().lower(): value.decode() for name, value in scope["headers"]}
        if not verify(
            self.secret, headers.get(TIMESTAMP_HEADER.lower()),
            headers.get(SIGNATURE_HEADER.lower()), body, now=self.clock(),
        ):
            await _answer(send, 401)
            return
        status = await self.handle(json.loads(body))
        await _answer(send, status)

    async def handle(self, delivery: dict[str, Any]) -> int:
        """Act on one verified delivery; the HTTP status to answer."""
        delivery_id = str(delivery.get("id", ""))
        if delivery_id in self._seen:
            return 200
        if delivery.get("event") == "message_created":
            data = delivery.get("data", {})
            text = str(data.get("message", {}).get("text", ""))
            channel = str(data.get("channel", ""))
            if text.startswith(PREFIX) and channel.startswith("chat_room:"):
                room_id = channel.partition(":")[2]
                answered = await self._echo(room_id, text[len(PREFIX):].strip(), delivery_id)
                if not answered:
                    return 503
        self._remember(delivery_id)
        return 200

    async def _echo(self, room_id: str, text: str, delivery_id: str) -> bool:
        if not text:
            return True
        try:
            response = await self.api.post(
                f"/api/chat-rooms/{room_id}/messages",
                json={"text": text},
                headers={"Idempotency-Key": ("echo-" + delivery_id)[:64]},
            )
        except httpx.HTTPError as error:
            logger.warning("echo to %s failed: %r", room_id, error)
            return False
        if response.status_code >= 500:
            return False
        if response.status_code >= 400:
            logger.warning("echo to %s refused: %s", room_id, response.status_code)
            return True  # not ours to retry (not a member, rate limited…)
        self.replies.append((room_id, text))
        self.replied.set()
        self.replied = trio.Event()
        return True

    def _remember(self, delivery_id: str) -> None:
        self._seen[delivery_id] = None
        if len(self._seen) > SEEN_LIMIT:
            self._seen.popitem(last=False)


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _read_body(receive: Receive) -> bytes | None:
    body = bytearray()
    while True:
        message = await receive()
        body.extend(message.get("body", b""))
        if len(body) > MAX_BODY_BYTES:
            return None
        if not message.get("more_body"):
            return bytes(body)


async def _answer(send: Send, status: int) -> None:
    await send({"type": "http.response.start", "status": status, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def serve_bot(
    bot: EchoBot,
    host: str,
    port: int,
    shutdown: trio.Event,
    *,
    task_status: trio.TaskStatus[str] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Serve ``bot`` on ``host:port`` until ``shutdown``; reports the bound base URL."""
    config = Config()
    config.bind = [f"{host}:{port}"]
    config.accesslog = None
    config.graceful_timeout = 1.0

    async def started(*, task_status: trio.TaskStatus[list[str]]) -> None:
        await serve(
            bot,  # type: ignore[arg-type]
            config, shutdown_trigger=shutdown.wait, task_status=task_status, mode="asgi",
        )

    async with trio.open_nursery() as nursery:
        binds: list[str] = await nursery.start(started)
        task_status.started(binds[0])


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bots.examples.echo_bot``: serve the bot until interrupted."""
    parser = argparse.ArgumentParser(description="Answer !echo in rooms via a webhook.")
    parser.add_argument("--api", default="http://127.0.0.1:8000", help="the node's base URL")
    parser.add_argument("--listen", default="127.0.0.1:8787", help="host:port to receive on")
    arguments = parser.parse_args(argv)
    token = os.environ.get("TOPICSFLOW_TOKEN", "")
    secret = os.environ.get("TOPICSFLOW_WEBHOOK_SECRET", "")
    if not token or not secret:
        print("set TOPICSFLOW_TOKEN and TOPICSFLOW_WEBHOOK_SECRET", file=sys.stderr)
        return 2
    host, _, port = arguments.listen.rpartition(":")

    async def run() -> None:
        async with httpx.AsyncClient(
            base_url=arguments.api, headers={"Authorization": f"Bearer {token}"},
            timeout=10.0,
        ) as api:
            await serve_bot(EchoBot(api, secret), host, int(port), trio.Event())

    logging.basicConfig(level=logging.INFO)
    trio.run(run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
