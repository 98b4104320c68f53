"""The servers of the comparison, each started as a child process pinned to one CPU.

:func:`start_server` runs one of :data:`SERVERS` on a free loopback port behind
``taskset -c <cpu>`` and yields a :class:`RunningServer` once it accepts connections;
on exit the process gets SIGTERM, then SIGKILL after a few seconds.  The server's
stdout and stderr go to ``<workdir>/<name>-<ns>.log``, one file per start.

* ``topicsflow``: our node exactly as :mod:`bench.node_process` runs it
  (``python -m topicsflow serve --port 0``, testing profile, embedded SQLite in
  ``<workdir>/topicsflow-data``, which the caller has seeded), from ``source`` (see
  :mod:`bench.server_source`), ready when it logs ``serving on``.
* ``flask_socketio``: ``bench/peers/flask_socketio_app.py`` with eventlet (the mode its
  docs call the fastest); ``flask_socketio_gevent`` the same app on gevent +
  gevent-websocket (the faster of the two in our runs).
* ``python_socketio``: ``bench/peers/socketio_asgi_app.py`` on uvicorn (uvloop,
  httptools, the ``websockets-sansio`` implementation: measured fastest, see its
  docstring).
* ``centrifugo``: Centrifugo v6 (:data:`bench.toolchain.CENTRIFUGO_VERSION`), memory
  engine, JSON protocol over WebSocket, HS256 connection tokens signed with
  :data:`CENTRIFUGO_SECRET` (made by :func:`centrifugo_token`), clients may subscribe
  to channels without a namespace and publish to those they are subscribed to
  (``allow_publish_for_subscriber``); otherwise Centrifugo's defaults.
* ``centrifugo_protobuf``: the same server and configuration, the clients speaking
  Centrifugo's Protobuf protocol (subprotocol ``centrifuge-protobuf``, the loadgen's
  ``-protocol centrifugo-protobuf``), its fastest wire format.
* ``centrifugo_protobuf_gogc``: ``centrifugo_protobuf`` with the Go garbage collector
  tuned: ``GOGC=`` :data:`CENTRIFUGO_GOGC` in its environment (below).
* ``centrifugo_history``: ``centrifugo_protobuf_gogc`` with history and recovery on
  every channel (:data:`CENTRIFUGO_HISTORY`: ``history_size`` 100, ``history_ttl``
  300 s, ``force_recovery`` and ``force_positioning``, the v6 names of the channel
  options under ``channel.without_namespace``): every publication is stored in the
  channel's stream and carries an offset and epoch, the work our node does (it stores
  and sequences every message).  The subscribe replies say ``recoverable`` and
  ``positioned``.

No ping bursts: the peers' servers ping their clients (Engine.IO and Centrifugo every
25 s by default, counted from each connection's start), so the connections a run sets
up together would get their pings in bursts inside a step.  Every peer pings every
:data:`PEER_PING_INTERVAL_S` instead (an hour, beyond any run): the Socket.IO peers
through python-engineio's ``ping_interval``/``ping_timeout`` (both an hour: its service
task walks all sockets once per ``ping_timeout``; python-socketio's uvicorn also has its
WebSocket-level pings off), Centrifugo through ``client.ping_interval`` ``3600s`` and
``client.pong_timeout`` :data:`CENTRIFUGO_PONG_TIMEOUT_S` (v6 requires it below the
interval; it only runs after a ping).  Our node does not ping; its clients do, at the
interval it advertises (5/12 of its heartbeat timeout): the node runs with
``TOPICSFLOW_HEARTBEAT_TIMEOUT_SECONDS`` :data:`OUR_HEARTBEAT_TIMEOUT_S`, so that the
loadgen pings every :data:`PEER_PING_INTERVAL_S` as well (``-keepalive``; each
connection's first ping at a random point of the interval, ``bench/loadgen/conn.go``).
``BENCH_TOPICSFLOW_HEARTBEAT_TIMEOUT_SECONDS=60`` measures the default's cost instead (a
ping every 25 s per connection).

GOGC for ``centrifugo_protobuf_gogc``, measured on the 2-core bench machine with the
loadgen driven directly (Centrifugo Protobuf on CPU 0, one loadgen on CPU 1, rooms of
100, a 3-second warm-up, then 4-second steps of 100,000 and 150,000 deliveries/s, 2 s
grace; GOGC 100, 200, 400, 800 interleaved, 3 runs each).  Centrifugo's CPU share at
100,000/s, median of 3 (p99 ms of the 3 runs): GOGC 100 0.572 (52, 27, 14), 200 0.567
(40, 11, 16), 400 0.542 (9, 36, 13), 800 0.568 (11, 10, 38).  At 150,000/s every value
delivered everything with p99 290-440 ms and a CPU share of 0.675-0.682: the loadgen
then used 0.85-0.88 of its CPU while publishing, near its own limit, so that step
tells the GOGC values apart no better.  The differences are within the runs' spread;
GOGC 400 used the least CPU (-5 % against the default 100), hence
:data:`CENTRIFUGO_GOGC`.

The peers are ready when their port accepts a TCP connection.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import hmac
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from bench.node_process import REPOSITORY, bench_overrides, node_environment, pinned
from bench.toolchain import centrifugo_binary
from protocol import limits

SERVERS = (
    "topicsflow", "flask_socketio", "flask_socketio_gevent", "python_socketio", "centrifugo",
    "centrifugo_protobuf", "centrifugo_protobuf_gogc", "centrifugo_history",
)
CENTRIFUGO_SERVERS = ("centrifugo", "centrifugo_protobuf", "centrifugo_protobuf_gogc",
                      "centrifugo_history")
LOADGEN_PROTOCOL = {
    "topicsflow": "topicsflow", "flask_socketio": "socketio", "flask_socketio_gevent": "socketio",
    "python_socketio": "socketio", "centrifugo": "centrifugo",
    "centrifugo_protobuf": "centrifugo-protobuf", "centrifugo_protobuf_gogc": "centrifugo-protobuf",
    "centrifugo_history": "centrifugo-protobuf",
}
CENTRIFUGO_SECRET = "bench-only-hmac-secret-not-used-anywhere-else"
# Server pings every hour: never within a run (see the module docstring).
PEER_PING_INTERVAL_S = 3600
# Our clients ping at the protocol's share of the node's heartbeat timeout (25 of 60 s).
CLIENT_PING_SHARE = limits.HEARTBEAT_INTERVAL_MS / limits.HEARTBEAT_TIMEOUT_MS
OUR_HEARTBEAT_TIMEOUT_S = PEER_PING_INTERVAL_S / CLIENT_PING_SHARE
BENCH_OPS_TOKEN = "bench-ops-token"  # a throwaway loopback node's, not a secret
"""The ops token our node gets in a comparison, for the bench's status reads."""
CENTRIFUGO_PONG_TIMEOUT_S = 60
CENTRIFUGO_GOGC = "400"
CENTRIFUGO_HISTORY = {"history_size": 100, "history_ttl": "300s", "force_recovery": True,
                      "force_positioning": True}
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 10.0


@dataclasses.dataclass(frozen=True)
class RunningServer:
    """A started server: its name, process id and the loadgen's protocol and URL."""

    name: str
    pid: int
    protocol: str
    websocket_url: str
    keepalive_seconds: float | None = None
    """How often the loadgen's clients ping, for protocols whose clients do; None: the
    loadgen's default."""


def our_node_settings() -> dict[str, str]:
    """The settings our node runs with in a comparison: pings hourly like every peer, an
    ops token for the bench's status reads (:mod:`bench.node_status`), then any
    ``BENCH_TOPICSFLOW_*`` override (recorded as ``node_settings`` in the JSON)."""
    return {"TOPICSFLOW_HEARTBEAT_TIMEOUT_SECONDS": str(OUR_HEARTBEAT_TIMEOUT_S),
            "TOPICSFLOW_OPS_TOKEN": BENCH_OPS_TOKEN, **bench_overrides()}


def free_port() -> int:
    """A loopback TCP port free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def centrifugo_token(user_id: str) -> str:
    """A Centrifugo connection JWT (HS256) for ``user_id``, valid for a day."""

    def encode(value: dict[str, object]) -> bytes:
        raw = json.dumps(value, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).rstrip(b"=")

    signing_input = encode({"alg": "HS256", "typ": "JWT"}) + b"." + encode(
        {"sub": user_id, "exp": int(time.time()) + 86_400}
    )
    signature = hmac.new(CENTRIFUGO_SECRET.encode(), signing_input, hashlib.sha256).digest()
    return (signing_input + b"." + base64.urlsafe_b64encode(signature).rstrip(b"=")).decode()


def centrifugo_config(port: int, *, history: bool = False) -> dict[str, object]:
    """Centrifugo's configuration; see the module docstring."""
    channel: dict[str, object] = {
        "allow_subscribe_for_client": True, "allow_publish_for_subscriber": True,
    }
    if history:
        channel.update(CENTRIFUGO_HISTORY)
    return {
        "http_server": {"address": "127.0.0.1", "port": port},
        "log": {"level": "error"},
        "usage_stats": {"disabled": True},
        "engine": {"type": "memory"},
        "client": {"token": {"hmac_secret_key": CENTRIFUGO_SECRET}, "allowed_origins": ["*"],
                   "ping_interval": f"{PEER_PING_INTERVAL_S}s",
                   "pong_timeout": f"{CENTRIFUGO_PONG_TIMEOUT_S}s"},
        "channel": {"without_namespace": channel},
    }


def cpu_times(pid: int) -> tuple[float, float]:
    """User and system (kernel) CPU seconds of process ``pid`` (all its threads) from
    ``/proc``; ``(0.0, 0.0)`` if unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    except OSError:
        return 0.0, 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / ticks, int(fields[12]) / ticks


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` (0.0 if unreadable)."""
    return sum(cpu_times(pid))


def process_tree_cpu_seconds(pid: int) -> float:
    """CPU seconds of ``pid`` and of its live descendants (PostgreSQL serves each client
    connection from a child process, so its postmaster alone shows almost nothing)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text(encoding="ascii").rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        total += process_cpu_seconds(current)
        pending.extend(children.get(current, ()))
    return total


def _command(name: str, port: int, workdir: Path) -> tuple[list[str], dict[str, str] | None]:
    peers = REPOSITORY / "bench" / "peers"
    if name == "topicsflow":
        command = [sys.executable, "-m", "topicsflow", "serve", "--port", "0"]
        return command, node_environment(workdir / "topicsflow-data") | our_node_settings()
    if name in ("flask_socketio", "flask_socketio_gevent"):
        mode = "gevent" if name.endswith("gevent") else "eventlet"
        command = [sys.executable, str(peers / "flask_socketio_app.py"), "--port", str(port),
                   "--async-mode", mode]
        return command, None
    if name == "python_socketio":
        return [sys.executable, str(peers / "socketio_asgi_app.py"), "--port", str(port)], None
    if name in CENTRIFUGO_SERVERS:
        config = workdir / f"{name}.json"
        config.write_text(json.dumps(centrifugo_config(port, history=name == "centrifugo_history")),
                          encoding="utf-8")
        environment = {key: value for key, value in os.environ.items() if key != "GOGC"}
        if name in ("centrifugo_protobuf_gogc", "centrifugo_history"):
            environment["GOGC"] = CENTRIFUGO_GOGC
        return [str(centrifugo_binary()), "--config", str(config)], environment
    raise ValueError(f"unknown server {name!r}; one of {SERVERS}")


def _websocket_path(name: str) -> str:
    if name == "topicsflow":
        return "/ws"
    if name in CENTRIFUGO_SERVERS:
        return "/connection/websocket"
    return "/socket.io/?EIO=4&transport=websocket"


def _wait_ready(name: str, process: subprocess.Popen[bytes], port: int, log_path: Path) -> int:
    """The port the server listens on, once it accepts connections."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited: {log_path.read_text(errors='replace')[-2000:]}")
        if name == "topicsflow":
            text = log_path.read_text(errors="replace")
            if match := re.search(r"serving on http://[\d.]+:(\d+)", text):
                return int(match.group(1))
        else:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
                return port
        time.sleep(0.1)
    raise RuntimeError(f"{name} did not start within {START_TIMEOUT_S} s")


@contextlib.contextmanager
def start_server(
    name: str, workdir: Path, *, cpu: int | None = 0, source: Path = REPOSITORY
) -> Iterator[RunningServer]:
    """Run server ``name`` until the block ends; see the module docstring."""
    port = free_port()
    command, environment = _command(name, port, workdir)
    log_path = workdir / f"{name}-{time.time_ns()}.log"
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            pinned(command, cpu), cwd=source, env=environment, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        port = _wait_ready(name, process, port, log_path)
        keepalive = None
        if name == "topicsflow" and environment is not None:
            timeout = float(environment["TOPICSFLOW_HEARTBEAT_TIMEOUT_SECONDS"])
            keepalive = timeout * CLIENT_PING_SHARE
        yield RunningServer(
            name=name, pid=process.pid, protocol=LOADGEN_PROTOCOL[name],
            websocket_url=f"ws://127.0.0.1:{port}{_websocket_path(name)}",
            keepalive_seconds=keepalive,
        )
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
