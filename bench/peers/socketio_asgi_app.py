"""python-socketio as an ASGI app on uvicorn, as a benchmark peer.

    python bench/peers/socketio_asgi_app.py --port PORT
        [--ws websockets-sansio|websockets|wsproto]

The same handlers as ``flask_socketio_app.py`` (``join`` acknowledged, ``send``
broadcast to the room as ``message``) on ``socketio.AsyncServer`` (``async_mode="asgi"``)
wrapped in ``socketio.ASGIApp``, served by uvicorn at its fastest: uvloop, httptools
and the WebSocket implementation ``--ws`` (default ``websockets-sansio``, measured
fastest below), one worker, no access log.  Engine.IO pings every
:data:`PING_INTERVAL_S` (an hour: never within a run, see :mod:`bench.servers`) and
uvicorn's own WebSocket-level pings (every 20 s by default) are off.

Measured (server on CPU 0, one loadgen on CPU 1, rooms of 100, 4-second steps of
10,000-40,000 deliveries/s, 2 runs per variant), server CPU share at 30,000/s and p99
at 40,000/s:

* standard-library JSON, ``websockets``: 0.629, 230-270 ms;
* orjson (``json=`` a wrapper, decoded to ``str``), ``websockets``: 0.647, 185-393 ms;
* orjson, ``wsproto``: 0.611, 164-213 ms;
* orjson, ``websockets-sansio``: 0.562, 113-185 ms.

At 10,000/s all four used 0.21-0.24.  orjson bought nothing (python-socketio encodes a
broadcast once per message, not per member), so packets keep python-socketio's own
JSON; ``websockets-sansio`` took about 11 % less CPU than ``websockets``, and less
memory too: 41.1 against 47.8 KiB of RSS per idle connection (5,000 connections).
"""

from __future__ import annotations

import argparse
from typing import Any

import socketio  # type: ignore[import-untyped]
import uvicorn

PING_INTERVAL_S = 3600
# python-engineio's service task visits every socket once per ping_timeout, so it stays
# an hour as well (a pong timeout only matters after a ping).
PING_TIMEOUT_S = 3600
WS_IMPLEMENTATIONS = ("websockets-sansio", "websockets", "wsproto")


def build_app() -> Any:
    """The ASGI application."""
    server = socketio.AsyncServer(
        async_mode="asgi", cors_allowed_origins="*", ping_interval=PING_INTERVAL_S,
        ping_timeout=PING_TIMEOUT_S,
    )

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
    parser.add_argument("--ws", choices=WS_IMPLEMENTATIONS, default=WS_IMPLEMENTATIONS[0])
    arguments = parser.parse_args()
    uvicorn.run(
        build_app(), host="127.0.0.1", port=arguments.port, log_level="warning",
        access_log=False, workers=1, loop="uvloop", http="httptools", ws=arguments.ws,
        ws_ping_interval=None, ws_ping_timeout=None,
    )


if __name__ == "__main__":
    main()
