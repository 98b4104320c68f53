"""The ``topicsflow`` command.

    topicsflow serve [--host H] [--port P]   run a node until SIGTERM/SIGINT
    topicsflow protocol-schema [--output F]  print the WebSocket protocol's JSON Schema
    topicsflow status [--url U] [--token T]  print a node's supervisor status as a tree
    topicsflow admin grant|revoke USERNAME   set or clear a user's global admin flag
    topicsflow bots seed|run ...             load-test bots (see bots/command.py)

Settings come from ``TOPICSFLOW_*`` variables (see README); flags override them.  A
missing or invalid setting prints one line naming the variable and exits with status 2,
as argparse does for bad flags.  ``status`` and ``bots`` are told on their command line
which node (or store) to use; of the settings they read only ``TOPICSFLOW_OPS_TOKEN``,
as the default token.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import logging
import os
import signal
import sys
from collections.abc import Sequence

import trio

from bots.command import add_bots_parser, run_bots
from topicsflow.admin_command import add_admin_parser, run_admin
from topicsflow.settings import Settings, SettingsError, listening_url, load_settings
from topicsflow.status_command import add_status_parser, run_status

PUBLIC_URL_VARIABLE = "TOPICSFLOW_PUBLIC_URL"
EXIT_USAGE = 2
GC_FIRST_GENERATION = 20_000
"""Allocations between young-generation collections (CPython's default is 700)."""
GC_SECOND_GENERATION = 3
"""Young collections between middle-generation ones (CPython's default is 10)."""
GC_THIRD_GENERATION = 10
"""Middle collections between full ones, which also wait for the long-lived objects to
grow by a quarter (CPython's default)."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per task the command performs."""
    parser = argparse.ArgumentParser(
        prog="topicsflow",
        description="TopicsFlow: an actor-based real-time community server on trio.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="run a node (HTTP API, WebSocket gateway and actors)",
        description=(
            "Run one TopicsFlow node until SIGTERM or SIGINT, then drain: stop accepting, "
            "close WebSockets, flush actors, and exit within TOPICSFLOW_SHUTDOWN_GRACE_SECONDS. "
            "Without TOPICSFLOW_MONGODB_URL the node uses the embedded SQLite store in "
            "TOPICSFLOW_DATA_DIR; without TOPICSFLOW_REDIS_URL, in-process sessions and bus."
        ),
    )
    serve.add_argument(
        "--host", help="address to listen on (default: TOPICSFLOW_HOST or 127.0.0.1)"
    )
    serve.add_argument(
        "--port", type=int, help="TCP port to listen on (default: TOPICSFLOW_PORT or 8000)"
    )
    schema = commands.add_parser(
        "protocol-schema",
        help="print the JSON Schema of the WebSocket protocol's frames",
        description="Print the JSON Schema of both frame unions (client and server).",
    )
    schema.add_argument("--output", help="write to this file instead of standard output")
    add_admin_parser(commands)
    add_status_parser(commands)
    add_bots_parser(commands)
    return parser


def write_protocol_schema(output: str | None) -> int:
    """Print (or write to ``output``) the protocol's JSON Schema."""
    from protocol.schema import render_schema

    text = render_schema()
    if output:
        with open(output, "w", encoding="utf-8") as file:
            file.write(text)
    else:
        sys.stdout.write(text)
    return 0


def settings_for(arguments: argparse.Namespace) -> Settings:
    """The environment's settings with the command line's overrides applied."""
    settings = load_settings()
    overrides: dict[str, object] = {}
    if getattr(arguments, "host", None):
        overrides["host"] = arguments.host
    if getattr(arguments, "port", None) is not None:
        if not 0 <= arguments.port <= 65535:
            raise SettingsError("--port", "expected an integer between 0 and 65535")
        overrides["port"] = arguments.port
    if overrides and PUBLIC_URL_VARIABLE not in os.environ:
        host = str(overrides.get("host", settings.host))
        port = int(overrides.get("port", settings.port))  # type: ignore[call-overload]
        if port:
            overrides["public_url"] = listening_url(host, port)
    return dataclasses.replace(settings, **overrides)  # type: ignore[arg-type]


def configure_logging(settings: Settings) -> None:
    """Log lines on stderr at the configured level: JSON in production, readable otherwise."""
    from services import logging_setup

    logging_setup.configure_logging(settings)


async def run_serve(settings: Settings) -> None:
    """Serve until a termination signal arrives, then shut down gracefully."""
    from topicsflow.node import serve_node

    shutdown = trio.Event()
    with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
        async with trio.open_nursery() as nursery:
            await nursery.start(serve_node, settings, shutdown)
            tune_garbage_collector()
            async for signal_number in signals:
                logging.getLogger(__name__).info(
                    "received %s, draining", signal.Signals(signal_number).name
                )
                shutdown.set()
                break


def tune_garbage_collector() -> None:
    """Keep the cyclic collector off the delivery path of a long-running server.

    Everything allocated while starting (modules, routes, settings) lives as long as the
    process: ``gc.freeze`` moves it out of every future collection.  A larger first
    generation makes young collections rarer; their cost grows with what survives (open
    connections), which is what stalled deliveries with thousands of connections open.
    Each young collection moves up to about that many survivors into the middle
    generation, so the middle one runs after only a few of them: a burst of 2,000
    connections then leaves at most ~60,000 objects to a middle collection (~50 ms)
    rather than ~400,000 in one pause of 260-340 ms minutes later (docs/BENCHMARKS.md).
    The node also runs middle collections while its loop is nearly idle
    (``supervisors.idle_collector``), so the one after a burst does not meet the next load.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_FIRST_GENERATION, GC_SECOND_GENERATION, GC_THIRD_GENERATION)


def leaf_exceptions(error: BaseException) -> list[BaseException]:
    """The exceptions inside (possibly nested) exception groups, in order."""
    if isinstance(error, BaseExceptionGroup):
        return [leaf for inner in error.exceptions for leaf in leaf_exceptions(inner)]
    return [error]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the process exit status."""
    parser = build_parser()
    arguments = parser.parse_args(argv)
    if arguments.command == "protocol-schema":
        return write_protocol_schema(arguments.output)
    if arguments.command == "status":
        return run_status(arguments)
    if arguments.command == "bots":
        return run_bots(arguments)
    try:
        settings = settings_for(arguments)
    except SettingsError as error:
        print(f"topicsflow: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings)
    if arguments.command == "admin":
        return run_admin(settings, arguments)
    if arguments.command == "serve":
        status = 0
        try:
            trio.run(run_serve, settings)
        except* OSError as group:
            for failure in leaf_exceptions(group):
                print(f"topicsflow: error: cannot serve: {failure}", file=sys.stderr)
            status = 1
        return status
    return 0
