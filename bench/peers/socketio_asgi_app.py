"""python-socketio as an ASGI app on uvicorn, as a benchmark peer.

    python bench/peers/socketio_asgi_app.py --port PORT

The same handlers as ``flask_socketio_app.py`` (``join`` acknowledged, ``send``
broadcast to the room as ``message``) on ``socketio.AsyncServer`` (``async_mode="asgi"``)
wrapped in ``socketio.ASGIApp``, served by uvicorn with its default fast stack (uvloop,
httptools, the ``websockets`` implementation from ``uvicorn[standard]``), one worker,
no access log.
"""

from __future__ import annotations

import argparse
from typing import Any

import socketio  # type: ignore[import-untyped]
import uvicorn


def build_app() -> Any:
    """The ASGI application."""
    server = socketio.AsyncServer(async_mode="asgi", cors_allowed_origins="*")

    @server.on("join")  # type: ignore[untyped-decorator]
    async def on_join(sid: str, room: str) -> bool:
        await server.enter_room(sid, room)
        return True

    @server.on("send")  # type: ignore[untyped-decorator]
    async def on_send(sid: str, data: dict[str, Any]) -> None:
        await server.emit("message", data, room=data["room"])

    return socketio.ASGIApp(server)


def main() -> None:
    """Serve until killed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    uvicorn.run(
        build_app(), host="127.0.0.1", port=arguments.port, log_level="warning",
        access_log=False, workers=1,
    )


if __name__ == "__main__":
    main()
