"""A real Hypercorn hands the fast-path adapter everything it reads, and a node uses it.

The first test serves a minimal ASGI app with the node's own Hypercorn set-up
(:func:`topicsflow.node.serve_asgi`, :func:`topicsflow.node.hypercorn_config`) and asks
the adapter (http_facade/websocket/hypercorn_direct.py) to locate Hypercorn's objects
behind a real WebSocket's ``send``; the second checks that a node serves a plain client
on the fast path.  Either failing means Hypercorn's internals moved: the message says why
and what to re-verify.  tests/e2e/test_gateway_write_path.py checks the frames on both
write paths.
"""

from __future__ import annotations

import contextlib
import gc

import httpx
import pytest
import trio
import trio.testing
import trio_websocket

from actors.realtime.ports import Written
from bots.client import open_client
from http_facade.websocket.asgi_transport import Receive, Scope, Send
from http_facade.websocket.hypercorn_direct import (
    RE_VERIFY,
    DirectAsgiTransport,
    Fallback,
    HypercornSocket,
    attach,
    environment_problem,
    fallback_log,
    installed_versions,
    locate,
)
from protocol.websocket_framing import frame_server_message
from tests.e2e.conftest import OPS_TOKEN, log_in_new_user, websocket_url
from topicsflow.node import NodeHandle, hypercorn_config, serve_asgi
from topicsflow.settings import Settings

DEADLINE_S = 10.0


def fast_path_failure(why: str) -> str:
    """A failure message naming the installed versions and what to re-verify."""
    versions = ", ".join(
        f"{name} {version}"
        for name, version in installed_versions(["hypercorn", "wsproto", "h11"]).items()
    )
    return f"The WebSocket fast path was not taken ({versions}): {why}. To restore it: {RE_VERIFY}."


class ProbeApp:
    """An ASGI app whose WebSocket endpoint locates Hypercorn's objects behind ``send``,
    then writes two frames through the direct transport and closes."""

    def __init__(self) -> None:
        self.located: HypercornSocket | Fallback | None = None
        self.written_at_once: Written | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
        elif scope["type"] == "websocket":
            connect = await receive()
            assert connect["type"] == "websocket.connect"
            await send({"type": "websocket.accept"})
            self.located = locate(send)
            transport = attach(receive, send)
            if isinstance(transport, DirectAsgiTransport):
                self.written_at_once = transport.write_nowait(frame_server_message("one"))
                await transport.write([frame_server_message("two")])
            else:
                await transport.send("one")
                await transport.send("two")
            await transport.close(1000, "done")


async def lifespan(receive: Receive, send: Send) -> None:
    """Answer Hypercorn's lifespan protocol (nothing to start or stop)."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def test_real_hypercorn_hands_the_adapter_everything_it_reads() -> None:
    app = ProbeApp()
    stop = trio.Event()
    with trio.fail_after(DEADLINE_S):
        async with trio.open_nursery() as nursery:
            config = hypercorn_config(Settings(host="127.0.0.1", port=0))
            binds: list[str] = await nursery.start(serve_asgi, app, config, stop.wait)
            url = binds[0].replace("http://", "ws://") + "/probe"
            async with trio_websocket.open_websocket_url(url) as client:
                received = [await client.get_message(), await client.get_message()]
            stop.set()
    located = app.located
    if not isinstance(located, HypercornSocket):
        reason = located.reason if isinstance(located, Fallback) else "the probe never ran"
        pytest.fail(fast_path_failure(reason), pytrace=False)
    assert app.written_at_once is Written.ALL, fast_path_failure(
        f"a 5-byte frame on an idle socket was written {app.written_at_once}"
    )
    assert received == ["one", "two"], fast_path_failure(
        f"the client read {received!r} from frames written straight to the socket"
    )


async def test_a_node_serves_a_plain_client_on_the_fast_path(node: NodeHandle) -> None:
    alice = await log_in_new_user(node, "alice")
    with trio.fail_after(DEADLINE_S):
        async with (
            open_client(websocket_url(node), token=alice.token),
            httpx.AsyncClient(base_url=node.base_url) as http,
        ):
            response = await http.get(
                "/ops/status", headers={"Authorization": f"Bearer {OPS_TOKEN}"}
            )
    status = response.json()
    if status["direct_write_connections"] != status["connections"] or not status["connections"]:
        why = (environment_problem() or "; ".join(sorted(fallback_log.warned))
               or "no fallback was logged")
        pytest.fail(
            fast_path_failure(
                f"{status['direct_write_connections']} of {status['connections']} open "
                f"connections on the direct write path ({why})"
            ),
            pytrace=False,
        )


async def test_an_idle_connection_keeps_no_exception_alive(node: NodeHandle) -> None:
    """The reader waits for the next bytes outside its ``BlockingIOError`` handler: an
    exception and its traceback held per idle connection would be memory and objects for
    the cyclic collector to walk, times every open connection."""
    alice = await log_in_new_user(node, "alice")
    idle = 5
    with trio.fail_after(DEADLINE_S):
        async with contextlib.AsyncExitStack() as stack:
            clients = [await stack.enter_async_context(
                open_client(websocket_url(node), token=alice.token)) for _ in range(idle)]
            for client in clients:
                await client.ping()  # each reader has read, and waits again
            await trio.testing.wait_all_tasks_blocked()
            held = [item for item in gc.get_objects() if isinstance(item, BlockingIOError)]
    assert held == [], f"{len(held)} BlockingIOError objects alive with {idle} idle connections"
