"""A bare trio + wsproto broadcast server: the floor under any trio node (issue 26).

    python bare_trio_app.py --port PORT [--store-dir DIR]

It speaks the part of the TopicsFlow protocol the loadgen uses (``subscribe``,
``send_message``, ``ping``) with nothing else: no store, no actors, no authentication,
no Hypercorn, no limits.  A ``send_message`` gets the room's next ``seq``, its
``message_created`` event encoded and framed once and written to every subscriber with
``os.write`` (the node's direct write path does the same), then its ``ack``.  What our
node does per post beyond this is the product: the store's write, the room's checks,
the actor runtime, the protocol layers.  Measured only; never a server to deploy.

With ``--store-dir`` (the repository on ``PYTHONPATH``) each post is first appended to
the node's own SQLite store (``storage.sqlite``: the same schema, worker thread, group
commit and ``synchronous=FULL``), and its event and ``ack`` carry the stored ``seq``:
durable before published, as in the node.  The store is imported only then, so the bare
server needs nothing of the repository.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

import msgspec
import trio
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Ping, Request, TextMessage

SUBPROTOCOL = "topicsflow.v1.json"
_encode = msgspec.json.encode
_decode = msgspec.json.decode


def frame_text(payload: bytes) -> bytes:
    """One unmasked final text frame (server to client) holding ``payload``."""
    size = len(payload)
    if size < 126:
        return bytes((0x81, size)) + payload
    if size < 65536:
        return bytes((0x81, 126)) + size.to_bytes(2, "big") + payload
    return bytes((0x81, 127)) + size.to_bytes(8, "big") + payload


class Connection:
    """One accepted socket: its WebSocket state and what could not be written yet."""

    def __init__(self, stream: trio.SocketStream, nursery: trio.Nursery) -> None:
        self.stream = stream
        self.descriptor = stream.socket.fileno()
        self.websocket = WSConnection(ConnectionType.SERVER)
        self.tail = b""
        self.flushing = False
        self.nursery = nursery

    def write(self, data: bytes) -> None:
        """Write now when nothing is pending, else queue behind the pending bytes."""
        if self.tail or self.flushing:
            self.tail += data
            return
        try:
            written = os.write(self.descriptor, data)
        except BlockingIOError:
            written = 0
        except OSError:
            return
        if written < len(data):
            self.tail = data[written:]
            self.flushing = True
            self.nursery.start_soon(self._flush)

    async def _flush(self) -> None:
        try:
            while self.tail:
                data, self.tail = self.tail, b""
                await self.stream.send_all(data)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        finally:
            self.flushing = False


rooms: dict[str, list[Connection]] = {}
last_seq: dict[str, int] = {}
STORE: Any = None
"""With ``--store-dir``: the node's SQLite store; each post is appended (durable) first."""


async def serve_frame(connection: Connection, text: str) -> None:
    frame: dict[str, Any] = _decode(text)
    kind = frame.get("type")
    request_id = frame.get("id")
    if kind == "send_message":
        channel = frame["channel"]
        if STORE is None:
            seq = last_seq[channel] = last_seq.get(channel, 0) + 1
        else:
            from storage.records.chat import MessageDraft  # only with --store-dir
            (stored,) = await STORE.messages.append_many(
                channel, [MessageDraft(author_id="u", body=frame["text"])])
            seq = last_seq[channel] = stored.seq
        event = frame_text(_encode({
            "type": "message_created", "channel": channel, "seq": seq,
            "message": {"id": f"m{seq}", "author_id": "u", "text": frame["text"]},
        }))
        for member in rooms.get(channel, ()):
            member.write(event)
        connection.write(frame_text(_encode({
            "type": "ack", "id": request_id,
            "result": {"type": "message_accepted", "channel": channel, "seq": seq},
        })))
    elif kind == "subscribe":
        channel = frame["channel"]
        rooms.setdefault(channel, []).append(connection)
        connection.write(frame_text(_encode({
            "type": "subscribed", "id": request_id, "channel": channel,
            "last_seq": last_seq.get(channel, 0),
        })))
    elif kind == "ping":
        connection.write(frame_text(_encode({"type": "pong", "id": request_id})))


async def handle(stream: trio.SocketStream) -> None:
    async with trio.open_nursery() as nursery:
        connection = Connection(stream, nursery)
        websocket = connection.websocket
        try:
            while data := await stream.receive_some(65536):
                websocket.receive_data(data)
                for event in websocket.events():
                    if isinstance(event, TextMessage):
                        await serve_frame(connection, event.data)
                    elif isinstance(event, Request):
                        await stream.send_all(websocket.send(
                            AcceptConnection(subprotocol=SUBPROTOCOL)))
                    elif isinstance(event, Ping):
                        connection.write(websocket.send(event.response()))
                    elif isinstance(event, CloseConnection):
                        return
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass
        finally:
            for members in rooms.values():
                if connection in members:
                    members.remove(connection)
            nursery.cancel_scope.cancel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--store-dir")
    arguments = parser.parse_args()

    async def serve() -> None:
        global STORE
        if arguments.store_dir is None:
            await trio.serve_tcp(handle, arguments.port, host="127.0.0.1")
            return
        import time

        from storage.sqlite.store import open_sqlite_store
        os.makedirs(arguments.store_dir, exist_ok=True)
        path = os.path.join(arguments.store_dir, "bare.sqlite3")
        async with open_sqlite_store(path, clock=time.time) as store:
            STORE = store
            await trio.serve_tcp(handle, arguments.port, host="127.0.0.1")

    trio.run(serve)


if __name__ == "__main__":
    main()
