"""Memory of a node before, during and after storms of bad input.

Starts a node (``bench/node_process.py``), reads its RSS, then runs ``--storms`` storms:
``--connections`` concurrent WebSockets each sending ``--frames`` bad frames (undecodable
bytes, unknown frame types, invalid fields, bad tokens, frames over the size limit) until
the server closes them, plus as many raw connections writing broken WebSocket framing.
After each storm it waits ``--settle`` seconds and reads the RSS again.  Prints one JSON
document; ``--json`` writes it to a file too.

    .venv/bin/python bench/storms.py --json bench/results/storms.json
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import trio
import trio_websocket

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.node_process import NodeProcess, rss_kib, start_node
from protocol.codecs import SUBPROTOCOL_JSON

BAD_FRAMING = [b"\x81\x05hello", b"\x83\x80\x00\x00\x00\x00", b"\x89\xfe\x00\x7e" + b"\0" * 130]


def bad_frame(generator: random.Random) -> str | bytes:
    choice = generator.randrange(6)
    if choice == 0:
        return bytes(generator.randrange(256) for _ in range(generator.randrange(1, 200)))
    if choice == 1:
        return json.dumps({"type": "no_such_frame", "id": generator.randrange(1000)})
    if choice == 2:
        return json.dumps({"type": "authenticate", "id": 1, "token": "x" * 300})
    if choice == 3:
        return json.dumps({"type": "subscribe", "id": 2, "channel": "nowhere" * 40})
    if choice == 4:
        return "{" * generator.randrange(1, 500)
    return json.dumps({"type": "ping", "id": 3, "pad": "p" * 70_000})


async def bad_connection(node: NodeProcess, frames: int, seed: int) -> None:
    generator = random.Random(seed)
    try:
        async with trio_websocket.open_websocket_url(
            node.websocket_url, subprotocols=[SUBPROTOCOL_JSON]
        ) as socket:
            for _ in range(frames):
                await socket.send_message(bad_frame(generator))
    except (trio_websocket.ConnectionClosed, trio_websocket.HandshakeError, OSError,
            trio.TooSlowError):
        pass  # every way a bad client's connection ends is expected here


async def broken_framing(node: NodeProcess, seed: int) -> None:
    host, port = node.base_url.removeprefix("http://").split(":")
    try:
        stream = await trio.open_tcp_stream(host, int(port))
        async with stream:
            await stream.send_all(
                f"GET /ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {SUBPROTOCOL_JSON}"
                "\r\n\r\n".encode()
            )
            await stream.receive_some(4096)
            await stream.send_all(BAD_FRAMING[seed % len(BAD_FRAMING)])
            with trio.move_on_after(5):
                while await stream.receive_some(4096):
                    pass
    except (OSError, trio.BrokenResourceError):
        pass


async def storm(node: NodeProcess, connections: int, frames: int, seed: int) -> None:
    async with trio.open_nursery() as nursery:
        for index in range(connections):
            nursery.start_soon(bad_connection, node, frames, seed * 100_000 + index)
            nursery.start_soon(broken_framing, node, index)


async def main(arguments: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as data:
        async with start_node(Path(data), cpu=None, log_path=arguments.log) as node:
            await trio.sleep(arguments.settle)
            samples = [{"after": "start", "rss_kib": rss_kib(node.pid)}]
            for number in range(1, arguments.storms + 1):
                began = time.monotonic()
                with trio.fail_after(300):
                    await storm(node, arguments.connections, arguments.frames, number)
                took = time.monotonic() - began
                await trio.sleep(arguments.settle)
                samples.append({"after": f"storm {number}", "rss_kib": rss_kib(node.pid),
                                "storm_seconds": round(took, 2)})
    start = samples[0]["rss_kib"]
    return {
        "command": " ".join(sys.argv),
        "connections_per_storm": arguments.connections,
        "frames_per_connection": arguments.frames,
        "settle_seconds": arguments.settle,
        "samples": samples,
        "growth_kib": [int(sample["rss_kib"]) - int(start) for sample in samples],  # type: ignore[call-overload]
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storms", type=int, default=3)
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--frames", type=int, default=50)
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--log", type=Path, help="the node's standard error goes here")
    arguments = parser.parse_args()
    result = trio.run(main, arguments)
    text = json.dumps(result, indent=2)
    print(text)
    if arguments.json:
        arguments.json.write_text(text + "\n")
