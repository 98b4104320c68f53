"""The seed's stack as a benchmark peer: Flask + Flask-SocketIO, one room broadcast handler.

    python bench/peers/flask_socketio_app.py --port PORT [--async-mode eventlet|gevent]

Handlers equivalent to our chat room's: ``join`` (a room name) joins the room and is
acknowledged with ``True``; ``send`` (``{"room", "text"}``) broadcasts the payload to
every member of the room (the sender included) as ``message``.  The server is
``socketio.run`` with the chosen async mode (eventlet, the mode Flask-SocketIO's docs
call the best performing, by default; gevent uses gevent-websocket), no access log.
eventlet's WSGI server serves at most 1,024 connections at once by default (each
WebSocket holds one), so ``max_size`` is raised to :data:`MAX_CONNECTIONS` for W2.
Engine.IO pings every :data:`PING_INTERVAL_S` (an hour: never within a run, see
:mod:`bench.servers`).  The monkey patching must happen before Flask is imported, hence
the late imports.

Packets are JSON-encoded by python-socketio's default (the standard library): orjson
through ``SocketIO(json=...)`` bought nothing, since a broadcast is encoded once per
message, not per member.  Measured (eventlet on CPU 0, one loadgen on CPU 1, rooms of
100, 4-second steps, 2 runs each): server CPU share at 5,000 deliveries/s 0.106
(stdlib) against 0.100 (orjson), at 10,000/s 0.176 against 0.189, p99 19-37 ms either
way; so it stays out.
"""

from __future__ import annotations

import argparse
from typing import Any

MAX_CONNECTIONS = 20_000
PING_INTERVAL_S = 3600
# python-engineio's service task visits every socket once per ping_timeout, so it stays
# an hour as well (a pong timeout only matters after a ping).
PING_TIMEOUT_S = 3600


def main() -> None:
    """Parse the arguments, patch the standard library, serve until killed."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--async-mode", choices=["eventlet", "gevent"], default="eventlet")
    arguments = parser.parse_args()
    if arguments.async_mode == "eventlet":
        import eventlet  # type: ignore[import-untyped]

        eventlet.monkey_patch()
    else:
        from gevent import monkey  # type: ignore[import-untyped]

        monkey.patch_all()

    from flask import Flask
    from flask_socketio import SocketIO, join_room  # type: ignore[import-untyped]

    app = Flask(__name__)
    socketio = SocketIO(app, async_mode=arguments.async_mode, cors_allowed_origins="*",
                        ping_interval=PING_INTERVAL_S, ping_timeout=PING_TIMEOUT_S)

    @socketio.on("join")  # type: ignore[untyped-decorator]
    def on_join(room: str) -> bool:
        join_room(room)
        return True

    @socketio.on("send")  # type: ignore[untyped-decorator]
    def on_send(data: dict[str, Any]) -> None:
        socketio.emit("message", data, to=data["room"])

    eventlet_mode = arguments.async_mode == "eventlet"
    options: dict[str, Any] = {"max_size": MAX_CONNECTIONS} if eventlet_mode else {}
    socketio.run(app, host="127.0.0.1", port=arguments.port, log_output=False, **options)


if __name__ == "__main__":
    main()
