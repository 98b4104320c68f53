"""A fake Tenor v2 on 127.0.0.1 for the GIF tests (and the schemathesis node)."""

from __future__ import annotations

import json

import trio

from tests.tenor_support import TENOR_PAGE

TENOR_TAGS = {"tags": [{"searchterm": "happy", "image": "https://m.example/h.gif"}]}


async def serve_fake_tenor(
    paths: list[str], *, task_status: trio.TaskStatus[int] = trio.TASK_STATUS_IGNORED
) -> None:
    """Answer ``categories`` with ``TENOR_TAGS``, anything else with ``TENOR_PAGE``;
    record the request paths in ``paths``."""

    async def respond(stream: trio.SocketStream) -> None:
        async with stream:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = await stream.receive_some(4096)
                if not chunk:
                    return
                request += chunk
            path = request.split(b" ", 2)[1].decode()
            paths.append(path)
            answer = TENOR_TAGS if path.split("?")[0].endswith("/categories") else TENOR_PAGE
            body = json.dumps(answer).encode()
            head = (
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            await stream.send_all(head.encode() + body)

    listeners = await trio.open_tcp_listeners(0, host="127.0.0.1")
    task_status.started(listeners[0].socket.getsockname()[1])
    await trio.serve_listeners(respond, listeners)
